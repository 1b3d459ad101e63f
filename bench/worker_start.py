"""How long a worker process takes to start, and how much memory it holds, with many people in
the database: start-up reads nobody's state (``bot.person_state``), so neither should grow with
them. A fresh database gets ``--people`` people and a ``person_state`` row each (COPY on
PostgreSQL, executemany on SQLite); then a process starts as ``parkshare worker`` does
(``build_application`` and ``BotRuntime(polling=False)``, opening the store itself), with the
Bot API answered in process (``bench.updates.BotApi``) so that no network is needed. The bench
times it from its start to its worker claiming (``BotRuntime.start()`` returned), lets it answer
one person's /start, and prints the process's peak resident memory.

    python -m bench.worker_start --people 1000000 --store postgresql --postgres-url URL
    python -m bench.worker_start --people 1000000 --store sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from telegram import Update

from bench.city import insert_rows
from bench.stores import fresh_url
from bench.updates import NOW, TOKEN, BotApi, NoRateLimit, start
from bot.app import build_application
from bot.context import UserData
from bot.inbox import bot_id_of, keep_updates
from bot.runtime import BotRuntime
from core.db.uow import Database
from core.settings import load_settings

GOAL_S = 2.0
GOAL_MB = 200
# How SQLAlchemy's DateTime stores an instant in SQLite.
SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"
PERSON_COLUMNS = ("id", "telegram_id", "language", "first_name", "roles", "credit_score",
                  "banned", "payouts_enabled", "created_at")  # fmt: skip
STATE_COLUMNS = ("telegram_user_id", "user_data", "flows", "flows_expire_at")
TELEGRAM_ID_BASE = 5_000_000_000
LANGUAGES = ("en", "ru", "zh_Hans")
STARTED = "claiming"


def people(count: int, *, postgresql: bool) -> Iterator[tuple[Any, ...]]:
    created = NOW - timedelta(days=100)
    created_at = created if postgresql else created.strftime(SQLITE_INSTANT)
    no = False if postgresql else 0
    for n in range(1, count + 1):
        yield (n, TELEGRAM_ID_BASE + n, LANGUAGES[n % 3], f"Person {n}", 1, 600, no, no,
               created_at)  # fmt: skip


def states(count: int) -> Iterator[tuple[Any, ...]]:
    """What a person's state is once they have started the bot and no flow is under way."""
    for n in range(1, count + 1):
        user_data = UserData()
        user_data.person_id, user_data.language = n, LANGUAGES[n % 3]
        yield (TELEGRAM_ID_BASE + n, json.dumps(user_data.to_dict(), separators=(",", ":")),
               "{}", None)  # fmt: skip


async def fill(url: str, count: int) -> float:
    """The people and their states; the seconds it took."""
    started = time.perf_counter()
    database = Database.from_url(url)
    try:
        postgresql = database.dialect == "postgresql"
        await insert_rows(database, "person", PERSON_COLUMNS, people(count, postgresql=postgresql))
        await insert_rows(database, "person_state", STATE_COLUMNS, states(count))
        async with database.unit_of_work() as uow:
            await uow.session.execute(text("ANALYZE"))
    finally:
        await database.close()
    return time.perf_counter() - started


def peak_rss_kib() -> int:
    """This process's peak resident memory. Linux keeps ``ru_maxrss`` across exec: a process
    started by this bench would start from the bench's own peak (its million rows built), so
    the peak of the process's current memory map is read instead where there is one."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))


async def run_worker(url: str, person: int) -> None:
    """The worker process: started as ``parkshare worker`` starts, then one person's /start
    answered; what it took is printed as JSON on its last line."""
    settings = load_settings(_env_file=None, database_url=url, geocoder_url="")
    api = BotApi()
    application = build_application(
        settings,
        token=TOKEN,
        request=api,
        get_updates_request=BotApi(),
        rate_limiter=NoRateLimit(),
    )
    runtime = BotRuntime(application, polling=False)
    await runtime.start()
    print(STARTED, flush=True)
    started_rss_kib = peak_rss_kib()
    answered = asyncio.Event()
    application.worker.observers.append(lambda _update_id: answered.set())
    try:
        update = start(1, person)
        # Sent as the person numbered ``person`` in the filled database.
        update["message"]["from"]["id"] = update["message"]["chat"]["id"] = (
            TELEGRAM_ID_BASE + person
        )
        database = application.bot_data.database
        assert database is not None
        started = time.perf_counter()
        parsed = Update.de_json(update, application.bot)
        with application.worker.handing_over([parsed]):  # as the poller does
            await keep_updates(database, bot_id_of(application.bot), [parsed])
        await answered.wait()
        answer_s = time.perf_counter() - started
    finally:
        await runtime.stop()
    print(json.dumps({
        "answer_s": answer_s,
        "replies": len(api.texts),
        "started_rss_kib": started_rss_kib,
        "max_rss_kib": peak_rss_kib(),
    }), flush=True)  # fmt: skip


def start_worker(url: str, person: int) -> tuple[float, dict[str, Any]]:
    """Seconds from the worker process's start until it claims, and what it printed last."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.worker_start", "--worker-for", url, "--person", str(person)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines = []
    claiming_s = None
    for line in process.stdout:
        if line.strip() == STARTED and claiming_s is None:
            claiming_s = time.perf_counter() - started
        lines.append(line)
    if process.wait() != 0 or claiming_s is None:
        raise SystemExit(f"the worker process failed ({process.returncode}): {''.join(lines)}")
    return claiming_s, json.loads(lines[-1])


async def filled(store: str, postgres_url: str | None, count: int) -> None:
    async with fresh_url(store, postgres_url) as url:
        fill_s = await fill(url, count)
        print(f"{count:,} people and their states in {fill_s:.1f} s on {store}")
        claiming_s, after = await asyncio.to_thread(start_worker, url, count // 2)
    if after["replies"] < 1:
        raise SystemExit("the worker process answered nothing to /start")
    rss_mb, started_mb = after["max_rss_kib"] / 1024, after["started_rss_kib"] / 1024
    print(f"worker start: {claiming_s:.2f} s until claiming (goal: under {GOAL_S:.0f} s); "
          f"first answer {after['answer_s'] * 1000:.0f} ms after its update was kept")  # fmt: skip
    print(f"worker memory: {rss_mb:.0f} MB peak resident (goal: under {GOAL_MB} MB; "
          f"{started_mb:.0f} MB once claiming), with {count:,} people on {store}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PARKSHARE_TEST_POSTGRES_URL"),
        help="a PostgreSQL server to create the benchmark's database on",
    )
    # The worker process itself, started by the bench.
    parser.add_argument("--worker-for", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--person", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_for:
        asyncio.run(run_worker(args.worker_for, args.person))
        return
    if args.store == "postgresql" and not args.postgres_url:
        raise SystemExit("--store postgresql needs --postgres-url")
    if args.people < 1:
        raise SystemExit("--people needs at least 1")
    asyncio.run(filled(args.store, args.postgres_url, args.people))


if __name__ == "__main__":
    main()
