"""Fresh, migrated databases for a benchmark: an SQLite file in a temporary folder, and a new
database on a PostgreSQL server (``--postgres-url``, or ``PARKSHARE_TEST_POSTGRES_URL`` as the
tests use), dropped afterwards."""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.db.uow import Database

STORES = ("sqlite", "postgresql")


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stores", default=",".join(STORES), help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PARKSHARE_TEST_POSTGRES_URL"),
        help="a PostgreSQL server to create the benchmark's database on",
    )


def chosen_stores(args: argparse.Namespace) -> list[str]:
    """The stores asked for; PostgreSQL is left out, with a word, when no server is named."""
    chosen = [name.strip() for name in args.stores.split(",") if name.strip()]
    unknown = set(chosen) - set(STORES)
    if unknown:
        raise SystemExit(f"unknown store(s): {', '.join(sorted(unknown))}")
    if "postgresql" in chosen and not args.postgres_url:
        print("(no PostgreSQL server: pass --postgres-url or set PARKSHARE_TEST_POSTGRES_URL)")
        chosen.remove("postgresql")
    return chosen


@asynccontextmanager
async def fresh_url(store: str, postgres_url: str | None) -> AsyncIterator[str]:
    """The URL of an empty, migrated database, removed when the block ends."""
    if store == "sqlite":
        with tempfile.TemporaryDirectory(prefix="parkshare-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            await _migrate(url)
            yield url
        return
    assert postgres_url is not None
    name = f"parkshare_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        await _migrate(url)
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@asynccontextmanager
async def fresh_database(store: str, postgres_url: str | None) -> AsyncIterator[Database]:
    async with fresh_url(store, postgres_url) as url:
        database = Database.from_url(url)
        try:
            yield database
        finally:
            await database.close()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
