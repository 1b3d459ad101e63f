"""Booking attempts per second under contention, and proof that no spot gets double booked.

Workers (asyncio tasks sharing one ``Database``, in one process or spread over several with
``--processes``) take random, heavily overlapping windows at random spots from a queue; each
attempt is one ``bookings.request`` in its own unit of work (``Database.single_statement``),
won or refused with ``WindowTaken``. Afterwards plain SQL counts the pairs of live bookings
of one spot whose windows overlap: any is a double booking, and the script exits non-zero.

"attempts/s" counts every booking attempt, won or refused: the figure the goal of 1,000 a
second on PostgreSQL in one process is set for. "booked/s" counts only the bookings made.
"stmts" is the mean number of statements an attempt sent, "trips" the same with the BEGINs,
COMMITs and ROLLBACKs sent around them: the round trips to the store. "cpu ms" is the CPU time
(user and system, every thread) the bench's processes spent on an attempt: on a machine others
share, attempts/s follows the load, and this says what a core of its own would do.

    python -m bench.booking                                   # 8 workers, 10,000 attempts
    python -m bench.booking --processes 2                     # both cores of this machine
    python -m bench.booking --attempts 200 --spots 10         # the size CI runs
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.engine import Connection

from bench.stores import add_store_arguments, chosen_stores, fresh_url
from core.availability import WeeklyRule
from core.clock import FixedClock
from core.db.uow import Database
from core.errors import DomainError, WindowTaken
from core.geo import GeoPoint
from core.money import Money
from core.services import bookings, people, spots
from core.status import LIVE_BOOKING_STATUSES, SpotStatus

STORE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
BENCH_START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SLOT = timedelta(minutes=15)
HORIZON_SLOTS = 3 * 24 * 4
LENGTH_SLOTS = (2, 12)
COMMISSION_BASIS_POINTS = 1500
# The settings' default: a driver in the "good" tier, who books instant spots instantly.
DRIVER_CREDIT = 600
SPOTS_PER_OWNER = 10
ALL_WEEK = [WeeklyRule(weekday, 0, 24 * 60) for weekday in range(7)]
BERLIN = GeoPoint(52.52, 13.405)
ROW = "{:<11} {:>7} {:>9} {:>8} {:>7} {:>7} {:>6} {:>8} {:>10} {:>9} {:>6} {:>6} {:>6} {:>6}"

DOUBLE_BOOKINGS = text(
    """
    SELECT count(*) FROM booking a JOIN booking b
      ON b.spot_id = a.spot_id AND b.id > a.id
     AND a.start_at < b.end_at AND b.start_at < a.end_at
    WHERE a.status IN :live AND b.status IN :live
    """
).bindparams(bindparam("live", expanding=True))
LIVE_BOOKINGS = text("SELECT count(*) FROM booking WHERE status IN :live").bindparams(
    bindparam("live", expanding=True)
)


@dataclass(frozen=True, slots=True)
class Attempt:
    driver_id: int
    spot_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Run:
    store: str
    workers: int
    processes: int
    attempts: int
    outcomes: Counter[str]
    seconds: float
    double_bookings: int
    sent: Counter[str]
    cpu_seconds: float

    @property
    def booked(self) -> int:
        return self.outcomes["booked"]

    @property
    def taken(self) -> int:
        return self.outcomes["taken"]

    @property
    def others(self) -> dict[str, int]:
        return {k: n for k, n in self.outcomes.items() if k not in ("booked", "taken")}

    @property
    def attempts_per_s(self) -> float:
        return self.attempts / self.seconds if self.seconds else 0.0

    @property
    def booked_per_s(self) -> float:
        return self.booked / self.seconds if self.seconds else 0.0

    @property
    def statements_per_attempt(self) -> float:
        return self.sent["statements"] / self.attempts

    @property
    def trips_per_attempt(self) -> float:
        return (self.sent["statements"] + self.sent["transaction"]) / self.attempts

    @property
    def cpu_ms_per_attempt(self) -> float:
        return self.cpu_seconds * 1000 / self.attempts


def cpu_seconds() -> float:
    """User and system time of this process so far, all its threads (SQLite's driver's too)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def count_sent(db: Database, sent: Counter[str]) -> None:
    """Count what the database's connections send: ``statements``, and (``transaction``) the
    BEGINs, COMMITs and ROLLBACKs that reach the store around them. asyncpg sends none for a
    connection in autocommit, and sends BEGIN only with the transaction's first statement."""
    engine = db.bind.sync_engine

    def sends_transaction_control(connection: Connection) -> bool:
        if connection.dialect.name != "postgresql":
            return True
        return not connection.connection.dbapi_connection.autocommit  # type: ignore[union-attr]

    @event.listens_for(engine, "before_cursor_execute")
    def on_statement(_connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        # SQLite's engine sends its BEGIN as a statement of its own (``core.db.engine``).
        sent["transaction" if statement.startswith("BEGIN") else "statements"] += 1

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        if connection.dialect.name == "postgresql" and sends_transaction_control(connection):
            sent["transaction"] += 1

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def on_end(connection: Connection) -> None:
        if sends_transaction_control(connection):
            sent["transaction"] += 1


async def set_up(
    db: Database, clock: FixedClock, *, spot_count: int, driver_count: int
) -> tuple[list[int], list[int]]:
    """Owners with approved, instantly bookable spots open all week, and drivers: their ids."""
    owner_count = -(-spot_count // SPOTS_PER_OWNER)
    async with db.unit_of_work() as uow:
        owners: list[int] = []
        drivers: list[int] = []
        for n in range(owner_count + driver_count):
            person = await people.register(
                uow, clock, telegram_id=1_000_000 + n, language_code="en",
                first_name=f"Bench {n}", initial_credit=DRIVER_CREDIT,
            )  # fmt: skip
            (owners if n < owner_count else drivers).append(person.id)
        spot_ids = []
        for n in range(spot_count):
            owner_id = owners[n // SPOTS_PER_OWNER]
            draft = spots.SpotDraft(
                title=f"Bench spot {n}", point=BERLIN, hourly_price=Money(300, "EUR"),
                instant_booking=True,
            )  # fmt: skip
            spot = await spots.create(uow, clock, owner_id=owner_id, draft=draft)
            await spots.set_status(uow, spot.id, SpotStatus.APPROVED)
            await spots.add_weekly_rules(uow, spot_id=spot.id, owner_id=owner_id, rules=ALL_WEEK)
            spot_ids.append(spot.id)
    return drivers, spot_ids


def random_attempts(
    rng: random.Random, now: datetime, count: int, driver_ids: list[int], spot_ids: list[int]
) -> list[Attempt]:
    """Windows on a 15-minute grid, starting within three days, 30 minutes to 3 hours long."""
    attempts = []
    for _ in range(count):
        start = now + SLOT * rng.randint(1, HORIZON_SLOTS)
        attempts.append(
            Attempt(
                rng.choice(driver_ids), rng.choice(spot_ids), start,
                start + SLOT * rng.randint(*LENGTH_SLOTS),
            )
        )  # fmt: skip
    return attempts


async def attempt_booking(db: Database, clock: FixedClock, attempt: Attempt) -> str:
    try:
        async with db.single_statement() as uow:
            await bookings.request(
                uow, clock, driver_id=attempt.driver_id, spot_id=attempt.spot_id,
                start=attempt.start, end=attempt.end,
                commission_basis_points=COMMISSION_BASIS_POINTS,
            )  # fmt: skip
    except WindowTaken:
        return "taken"
    except DomainError as error:
        return type(error).__name__
    return "booked"


async def work(
    db: Database, clock: FixedClock, queue: asyncio.Queue[Attempt], outcomes: Counter[str]
) -> None:
    while not queue.empty():
        outcomes[await attempt_booking(db, clock, queue.get_nowait())] += 1


async def double_bookings(db: Database, booked: int) -> int:
    """Overlapping pairs of live bookings, counted by SQL rather than by the service."""
    live = sorted(status.value for status in LIVE_BOOKING_STATUSES)
    async with db.reading() as uow:
        pairs = await uow.session.scalar(DOUBLE_BOOKINGS, {"live": live})
        rows = await uow.session.scalar(LIVE_BOOKINGS, {"live": live})
    if rows != booked:
        raise SystemExit(f"booking: {booked} bookings were made but {rows} live rows are stored")
    return int(pairs or 0)


async def run_store(store: str, args: argparse.Namespace) -> Run:
    clock = FixedClock(BENCH_START)
    async with fresh_url(store, args.postgres_url) as url:
        db = Database.from_url(url)
        try:
            driver_ids, spot_ids = await set_up(
                db, clock, spot_count=args.spots, driver_count=args.drivers
            )
        finally:
            await db.close()
        rng = random.Random(args.seed)
        attempts = random_attempts(rng, clock.now(), args.attempts, driver_ids, spot_ids)
        outcomes, sent, cpu, seconds = (
            await attempt_all(url, attempts, args.workers)
            if args.processes == 1
            else _in_processes(url, attempts, args.workers, args.processes)
        )
        db = Database.from_url(url)
        try:
            doubles = await double_bookings(db, outcomes["booked"])
        finally:
            await db.close()
    return Run(
        STORE_NAMES[store], args.workers, args.processes, args.attempts, outcomes, seconds, doubles,
        sent, cpu,
    )  # fmt: skip


async def attempt_all(
    url: str, attempts: list[Attempt], workers: int, when_ready: Callable[[], object] = lambda: None
) -> tuple[Counter[str], Counter[str], float, float]:
    """The attempts by ``workers`` tasks over a ``Database`` of their own, timed from
    ``when_ready`` returning (a barrier, when several processes start together): their
    outcomes, what they sent (see ``count_sent``), the CPU seconds and the seconds they took."""
    db = Database.from_url(url)
    sent: Counter[str] = Counter()
    count_sent(db, sent)
    clock = FixedClock(BENCH_START)
    queue: asyncio.Queue[Attempt] = asyncio.Queue()
    for attempt in attempts:
        queue.put_nowait(attempt)
    outcomes: Counter[str] = Counter()
    try:
        when_ready()
        started, cpu_before = time.perf_counter(), cpu_seconds()
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(work(db, clock, queue, outcomes))
        return outcomes, sent, cpu_seconds() - cpu_before, time.perf_counter() - started
    finally:
        await db.close()


def _process_main(
    url: str, attempts: list[Attempt], workers: int, start: Any, results: Any
) -> None:
    # Every process waits for the others (imports done), so only the work is timed.
    outcomes, sent, cpu, _seconds = asyncio.run(
        attempt_all(url, attempts, workers, when_ready=start.wait)
    )
    results.put((outcomes, sent, cpu))


def _in_processes(
    url: str, attempts: list[Attempt], workers: int, processes: int
) -> tuple[Counter[str], Counter[str], float, float]:
    """The workers spread over processes, as bot processes behind a load balancer would be,
    each with its own connection pool."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes + 1), context.Queue()
    shares = [attempts[n::processes] for n in range(processes)]
    per_process = [workers // processes + (n < workers % processes) for n in range(processes)]
    children = [
        context.Process(target=_process_main, args=(url, share, count, start, results))
        for share, count in zip(shares, per_process, strict=True)
    ]
    for child in children:
        child.start()
    start.wait()
    started = time.perf_counter()
    outcomes: Counter[str] = Counter()
    sent: Counter[str] = Counter()
    cpu = 0.0
    for _ in children:
        their_outcomes, their_sent, their_cpu = results.get()
        outcomes.update(their_outcomes)
        sent.update(their_sent)
        cpu += their_cpu
    seconds = time.perf_counter() - started
    for child in children:
        child.join()
        if child.exitcode:
            raise SystemExit(f"booking: a worker process failed ({child.exitcode})")
    return outcomes, sent, cpu, seconds


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def print_table(runs: list[Run]) -> None:
    print(ROW.format("store", "workers", "processes", "attempts", "booked", "taken", "other",
                     "seconds", "attempts/s", "booked/s", "double", "stmts", "trips",
                     "cpu ms"))  # fmt: skip
    for run in runs:
        print(ROW.format(run.store, run.workers, run.processes, run.attempts, run.booked, run.taken,
                         sum(run.others.values()), f"{run.seconds:.2f}",
                         f"{run.attempts_per_s:.0f}", f"{run.booked_per_s:.0f}",
                         run.double_bookings, f"{run.statements_per_attempt:.2f}",
                         f"{run.trips_per_attempt:.2f}",
                         f"{run.cpu_ms_per_attempt:.2f}"))  # fmt: skip
    for run in runs:
        for name, count in sorted(run.others.items()):
            print(f"  {run.store}: {count} refused with {name}")


def summary(runs: list[Run]) -> str:
    stores = ", ".join(
        f"{run.store} {run.attempts_per_s:.0f} attempts/s ({run.booked_per_s:.0f} booked/s, "
        f"{run.statements_per_attempt:.2f} statements and {run.cpu_ms_per_attempt:.2f} ms CPU "
        "an attempt)"
        for run in runs
    )
    doubles = sum(run.double_bookings for run in runs)
    workers = runs[0].workers if runs else 0
    processes = runs[0].processes if runs else 0
    spread = f" in {processes} processes" if processes > 1 else ""
    return f"booking: {stores} with {workers} workers{spread}; {doubles} double bookings"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=positive, default=8, help="concurrent tasks")
    parser.add_argument(
        "--processes", type=positive, default=1,
        help="processes the workers are spread over, each with its own connections",
    )  # fmt: skip
    parser.add_argument("--attempts", type=positive, default=10_000, help="bookings tried")
    parser.add_argument("--spots", type=positive, default=100, help="spots they compete for")
    parser.add_argument("--drivers", type=positive, default=100, help="drivers who book")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random windows")
    add_store_arguments(parser)
    args = parser.parse_args()
    runs = [asyncio.run(run_store(store, args)) for store in chosen_stores(args)]
    print_table(runs)
    print(summary(runs))
    if any(run.double_bookings for run in runs):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
