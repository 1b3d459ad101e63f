"""The `parkshare` command as a newcomer meets it."""

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import httpx
import sqlalchemy

from core.db.engine import create_engine


def parkshare(*args, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKSHARE_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=False,
    )  # fmt: skip


async def an_empty_postgres_database(server_url: str, prefix: str) -> str:
    """The URL, password included, of a new database with nothing in it."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = sqlalchemy.make_url(server_url).set(database=name)
    return url.render_as_string(hide_password=False)


def test_help_lists_the_commands():
    result = parkshare("--help")
    assert result.returncode == 0
    assert "run" in result.stdout
    assert "db" in result.stdout


def test_a_malformed_setting_is_one_line_naming_the_variable(tmp_path):
    result = parkshare("run", env_extra={"PARKSHARE_COMMISSION_PERCENT": "lots"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PARKSHARE_COMMISSION_PERCENT" in lines[0]
    assert "Traceback" not in result.stderr


def test_run_without_a_token_says_how_to_set_one(tmp_path):
    result = parkshare("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "PARKSHARE_BOT_TOKEN" in result.stderr


def test_db_upgrade_creates_the_embedded_database(tmp_path):
    result = parkshare("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "parkshare.db").exists()


def test_db_cluster_has_nothing_to_do_on_the_embedded_database(tmp_path):
    result = parkshare("db", "cluster", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stdout


async def test_db_cluster_rewrites_a_postgres_store_in_the_order_of_places(
    postgres_server_url, tmp_path
):
    url = await an_empty_postgres_database(postgres_server_url, "parkshare_cluster")
    env = {"PARKSHARE_DATABASE_URL": url}
    assert parkshare("db", "upgrade", cwd=tmp_path, env_extra=env).returncode == 0

    result = parkshare("db", "cluster", cwd=tmp_path, env_extra=env)

    assert result.returncode == 0, result.stderr
    assert "in the order of their places" in result.stdout


def test_without_a_token_parkshare_serves_the_sandbox_and_stops_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKSHARE_")}
    env["PARKSHARE_SANDBOX_PORT"] = "0"
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli"], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        ready = server.stdout.readline()
        url = re.search(r"ready at (http://\S+?)/? ", ready).group(1)
        with httpx.Client(base_url=url, timeout=20) as client:
            person = client.post("/sandbox/api/people/new/create", json={"name": "Ann"}).json()
            client.post(f"/sandbox/api/people/{person['id']}/send", json={"text": "/start"})
            assert "What brings you here?" in _first_answer(client, person["id"])["text"]
            assert "ParkShare sandbox" in client.get("/").text
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    finally:
        server.kill()
    assert server.returncode == 0, err
    assert "sandbox stopped" in out
    assert "Traceback" not in err
    # The embedded database was closed cleanly: SQLite folds its write-ahead log back in.
    assert (tmp_path / "parkshare.db").exists()
    assert not (tmp_path / "parkshare.db-wal").exists()


def _first_answer(client: httpx.Client, chat_id: int, wait_s: float = 20.0) -> dict:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        events = client.get(f"/sandbox/api/chats/{chat_id}/events").json()["events"]
        answers = [event["message"] for event in events if event["kind"] == "message"]
        if answers:
            return answers[0]
        time.sleep(0.05)
    raise AssertionError("the bot did not answer /start")


def test_ledger_check_passes_a_sound_ledger_and_names_an_unbalanced_transaction(tmp_path):
    assert parkshare("db", "upgrade", cwd=tmp_path).returncode == 0
    sound = parkshare("ledger", "check", cwd=tmp_path)
    assert sound.returncode == 0, sound.stderr
    assert "ledger balanced" in sound.stdout
    with sqlite3.connect(tmp_path / "parkshare.db") as connection:
        connection.execute(
            "INSERT INTO ledger_transaction (id, kind, idempotency_key, created_at) "
            "VALUES (7, 'payment', 'k', '2026-06-01 09:00:00.000000')"
        )
        connection.execute(
            "INSERT INTO ledger_entry (transaction_id, account, currency, amount_minor) "
            "VALUES (7, 'escrow', 'EUR', 100)"
        )
    broken = parkshare("ledger", "check", cwd=tmp_path)
    assert broken.returncode == 1
    assert "unbalanced transactions: 7" in broken.stderr


def test_audit_names_a_booking_whose_money_is_held_after_it_expired(tmp_path):
    assert parkshare("db", "upgrade", cwd=tmp_path).returncode == 0
    booking_id = asyncio.run(_a_paid_booking(tmp_path / "parkshare.db"))
    assert parkshare("audit", cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "parkshare.db") as connection:
        # What a lost race used to leave: the payment in escrow, the booking expired.
        connection.execute("UPDATE booking SET status = 'expired' WHERE id = ?", (booking_id,))
    for command in (("audit",), ("ledger", "check")):
        broken = parkshare(*command, cwd=tmp_path)
        assert broken.returncode == 1
        assert f"booking #{booking_id}: money still held for a booking that is over" in (
            broken.stderr
        )
        assert "audit failed" in broken.stderr


async def _a_paid_booking(path) -> int:
    from core.db.uow import Database
    from tests.fakes import FrozenClock
    from tests.integration.builders import a_payment, a_stay

    db, clock = Database.from_url(f"sqlite:///{path}"), FrozenClock()
    try:
        booking = (await a_stay(db, clock)).booking
        await a_payment(db, clock, booking)
        return booking.id
    finally:
        await db.close()


def test_audit_in_a_fresh_directory_checks_an_empty_embedded_database(tmp_path):
    fresh = parkshare("audit", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert "every booking's money agrees with its state" in fresh.stdout
    assert "Traceback" not in fresh.stderr


def test_an_unreachable_database_is_one_line_naming_it_without_its_password(tmp_path):
    url = "postgresql://parkshare:secret@127.0.0.1:1/parkshare"
    result = parkshare("audit", cwd=tmp_path, env_extra={"PARKSHARE_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "cannot open the database postgresql://parkshare:***@127.0.0.1:1/parkshare" in (
        result.stderr
    )
    assert "secret" not in result.stderr


def test_an_embedded_database_in_a_missing_folder_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/folder/parkshare.db"
    result = parkshare("db", "upgrade", cwd=tmp_path, env_extra={"PARKSHARE_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"parkshare: cannot open the database {url}: "
        f"the folder {tmp_path}/no/such/folder does not exist"
    )


def test_a_database_of_an_unsupported_kind_is_a_configuration_error(tmp_path):
    result = parkshare("audit", cwd=tmp_path, env_extra={"PARKSHARE_DATABASE_URL": "mysql://x/y"})
    assert result.returncode == 2
    assert "PARKSHARE_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "parkshare.db").exists()


async def test_audit_refuses_a_postgres_database_the_bot_would_refuse(
    postgres_server_url, tmp_path
):
    # An old schema on the production store is upgraded deliberately, never by a check.
    url = await an_empty_postgres_database(postgres_server_url, "parkshare_unmigrated")
    result = parkshare("audit", cwd=tmp_path, env_extra={"PARKSHARE_DATABASE_URL": url})
    assert result.returncode == 2
    assert "run `parkshare db upgrade`" in result.stderr


def test_run_with_a_token_but_no_way_to_telegram_is_one_line(tmp_path):
    result = parkshare("run", cwd=tmp_path, env_extra={
        "PARKSHARE_BOT_TOKEN": "1:abc", "PARKSHARE_DATABASE_URL": "sqlite:///x.db",
        "HTTPS_PROXY": "http://127.0.0.1:1", "https_proxy": "http://127.0.0.1:1"})  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "parkshare: cannot reach Telegram" in result.stderr.strip().splitlines()[-1]
