"""Engines for both stores. SQLite takes its write lock at BEGIN so that check-then-insert
(no double booking) is serialised; PostgreSQL relies on its exclusion constraint instead."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.db.free_time import register_sqlite_functions

SQLITE_BUSY_TIMEOUT_S = 30
SQLITE_BEGIN_OPTION = "sqlite_begin"
READ_CACHE_KIB = 32 * 1024
READ_CONNECTIONS = 2
# Updates one worker handles at once on each store (``bot.workers``), and the pools sized for
# them: every update holds at most one pooled connection at a time, and the sweeps, the
# webhook receiver and the other units of work of the process need a few more.
UPDATES_AT_ONCE = {"sqlite": 8, "postgresql": 16}
SPARE_CONNECTIONS = 4
# A pooled PostgreSQL connection is tested before use only after lying idle this long: that is
# when a server restart or a dropped link goes unnoticed. One in use proves itself with every
# statement, and testing each checkout costs asyncpg three round trips (BEGIN, ";", ROLLBACK).
PING_IDLE_AFTER_S = 10.0


def async_url(url: str | URL) -> URL:
    """Accept the URLs people write (``sqlite:///x.db``, ``postgresql://``); pick async drivers."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")


def create_engine(
    url: str | URL, *, ping_idle_after_s: float = PING_IDLE_AFTER_S, **options: Any
) -> AsyncEngine:
    target = async_url(url)
    pooled = "poolclass" not in options
    if target.get_backend_name() == "sqlite":
        if pooled and target.database not in (None, "", ":memory:"):
            options.setdefault("pool_size", UPDATES_AT_ONCE["sqlite"] + SPARE_CONNECTIONS)
            options.setdefault("max_overflow", SPARE_CONNECTIONS)
        engine = create_async_engine(
            target, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **options
        )
        _serialise_sqlite_writes(engine, in_memory=target.database in (None, "", ":memory:"))
        return engine
    if pooled:
        # And the one ``Database`` holds between reads (``core.db.uow._HeldConnection``).
        options.setdefault("pool_size", UPDATES_AT_ONCE["postgresql"] + SPARE_CONNECTIONS + 1)
        options.setdefault("max_overflow", SPARE_CONNECTIONS)
    # JIT compiles a plan whose estimate is large, as a bounded search's is (it may read ten
    # thousand spots, and mostly reads fifteen): hundreds of milliseconds to save none.
    options.setdefault("connect_args", {"server_settings": {"jit": "off"}})
    engine = create_async_engine(target, **options)
    _ping_when_idle(engine, ping_idle_after_s)
    return engine


# Set on a connection given back after lying idle outside the pool (``Database`` holds one
# between reads): when it began to lie idle, which the pool then counts its idleness from.
IDLE_SINCE = "idle_since"


def _ping_when_idle(engine: AsyncEngine, idle_after_s: float) -> None:
    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = record.info.pop(IDLE_SINCE, None) or time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_after_s:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:
            # The pool drops this connection and checks out another, or opens a new one.
            raise DisconnectionError(str(error)) from error


def _serialise_sqlite_writes(engine: AsyncEngine, *, in_memory: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        register_sqlite_functions(dbapi_connection)
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, but SQLite transactions begin without the write lock (searches, reports)."""
    return engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})


def create_sync_engine(url: str | URL) -> Engine:
    """A synchronous engine on the same SQLite file, for read-only work in a worker thread."""
    target = make_url(url).set(drivername="sqlite+pysqlite")
    # Two connections, as many as there are cores: more searches at once only take turns at
    # the interpreter, and each connection keeps a page cache of its own.
    engine = sa_create_engine(
        target,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
        pool_size=READ_CONNECTIONS,
        max_overflow=0,
        # The connection used last has the warmest page cache.
        pool_use_lifo=True,
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA query_only=ON")
        register_sqlite_functions(dbapi_connection)
        # Searches probe rules and bookings at hundreds of spots: with SQLite's 2 MiB default
        # cache a city of a million spots is read from the OS on every search, twice as slow.
        dbapi_connection.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN DEFERRED")

    return engine


def create_sync_writer(url: str | URL) -> Engine:
    """A synchronous engine on the same SQLite file for the inbox's short writes (kept, claimed,
    ended: ``Database.end_update``): one hop to a thread for the whole transaction, where
    aiosqlite hops once a statement, each run through its sqlite3 connection (``uow``'s
    ``_in_transaction``, which begins it: the engine has no transaction of its own, and a
    connection taken from it is in autocommit)."""
    target = make_url(url).set(drivername="sqlite+pysqlite")
    engine = sa_create_engine(
        target,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        pool_size=1,
        max_overflow=0,
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        # As the store's other writers commit (``_serialise_sqlite_writes``), unless a
        # transaction asks to wait for the disk (``uow._in_transaction``): SQLite's default,
        # FULL, waited at every update's end, most of what ending one cost.
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        register_sqlite_functions(dbapi_connection)

    return engine
