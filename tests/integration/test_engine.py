"""The connection pool on PostgreSQL: a connection the server dropped is never handed out, and one
given back goes where the pool keeps it, or is closed."""

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from core.db.driver_reads import DriverStatement
from core.db.engine import create_engine
from core.db.uow import Database, _has_room, _pooled_driver
from tests.conftest import DatabaseFactory


@pytest.fixture
async def server_url(postgres_server_url, tmp_path):
    # PostgreSQL only: an SQLite file has no server to drop a connection.
    return await DatabaseFactory("postgresql", postgres_server_url, tmp_path).new_url()


async def _backend_pid(engine) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(text("SELECT pg_backend_pid()"))


async def _drop_on_the_server(admin, pid: int) -> None:
    async with admin.connect() as connection:
        assert await connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    for _ in range(100):  # until the backend has gone; each look in a transaction of its own,
        async with admin.connect() as connection:  # as the view is a snapshot within one
            alive = await connection.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
        if not alive:
            break
        await asyncio.sleep(0.05)
    assert not alive
    await asyncio.sleep(0.1)  # and the client side has read the connection's end


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(server_url):
    engine = create_engine(server_url, ping_idle_after_s=0.05, pool_size=1, max_overflow=0)
    admin = create_engine(server_url)
    try:
        dropped = await _backend_pid(engine)  # back in the pool, idle
        await _drop_on_the_server(admin, dropped)
        assert await _backend_pid(engine) != dropped
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_a_connection_in_steady_use_is_not_tested_first(server_url):
    # Shown by dropping it on the server: without the test, its next user sees the error (and
    # the pool replaces it after that); this is what the saved round trips trade.
    engine = create_engine(server_url, ping_idle_after_s=60, pool_size=1, max_overflow=0)
    admin = create_engine(server_url)
    try:
        await _drop_on_the_server(admin, await _backend_pid(engine))
        with pytest.raises(DBAPIError):
            await _backend_pid(engine)
        assert await _backend_pid(engine) > 0
    finally:
        await engine.dispose()
        await admin.dispose()


_BACKEND_PID = DriverStatement.compile(select(func.pg_backend_pid()), "postgresql")


async def _read_pid(database: Database) -> int:
    rows = await database.read_rows(_BACKEND_PID, {})
    return rows[0][0]


async def test_a_read_holds_its_connection_for_the_next(server_url):
    engine = create_engine(server_url, pool_size=2, max_overflow=0)
    pool = engine.sync_engine.pool
    try:
        database = Database(engine)
        first = await _read_pid(database)
        assert (pool.checkedout(), pool.checkedin()) == (1, 0)  # held, not given back
        assert await _read_pid(database) == first
        assert (pool.checkedout(), pool.checkedin()) == (1, 0)
        await database.close()
        assert pool.checkedout() == 0
    finally:
        await engine.dispose()


async def test_a_connection_held_past_its_time_goes_back_and_is_tested_for_how_long_it_lay_idle(
    server_url,
):
    # Dropped by the server while held: given back as just used, the pool would hand it out
    # untested and the read would fail; given back with its idle time, the pool tests it.
    engine = create_engine(server_url, ping_idle_after_s=0.1, pool_size=2, max_overflow=0)
    admin = create_engine(server_url)
    try:
        database = Database(engine, hold_connection_s=0.05)
        dropped = await _read_pid(database)
        await _drop_on_the_server(admin, dropped)
        await asyncio.sleep(0.1)
        assert await _read_pid(database) != dropped
        await database.close()
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_fresh_connections_after_a_discard_do_not_include_the_held_one(server_url):
    engine = create_engine(server_url, pool_size=2, max_overflow=0)
    try:
        database = Database(engine)
        old_pool = engine.sync_engine.pool
        held = await _read_pid(database)
        assert old_pool.checkedout() == 1
        await database.discard_connections()
        assert old_pool.checkedout() == 0
        assert await _read_pid(database) != held
        await database.close()
    finally:
        await engine.dispose()


async def test_no_connection_is_held_that_the_next_unit_of_work_would_wait_for(server_url):
    # The pool's one connection: held, the unit of work would wait out the pool's timeout.
    engine = create_engine(server_url, pool_size=1, max_overflow=0, pool_timeout=2)
    try:
        database = Database(engine)
        first = await _read_pid(database)
        assert engine.sync_engine.pool.checkedin() == 1
        async with database.unit_of_work() as uow:
            assert await uow.session.scalar(text("SELECT pg_backend_pid()")) == first
        await database.close()
    finally:
        await engine.dispose()


async def test_a_pool_has_room_only_while_it_keeps_fewer_than_its_size(server_url):
    # A lease given back to a pool with room returns in place; otherwise in a task of its own,
    # so that no cancellation leaves a connection the pool closes half closed.
    engine = create_engine(server_url, pool_size=1, max_overflow=1)
    pool = engine.sync_engine.pool
    try:
        async with _pooled_driver(engine), _pooled_driver(engine):
            assert _has_room(pool)
        assert pool.checkedin() == 1
        async with _pooled_driver(engine):
            assert _has_room(pool)  # its one connection is out
            async with _pooled_driver(engine):
                assert _has_room(pool)
            # The inner one went back to the queue: the outer one will be closed.
            assert not _has_room(pool)
        assert pool.checkedin() == 1
    finally:
        await engine.dispose()
    kept_nothing = create_engine(server_url, poolclass=NullPool)
    database = Database(kept_nothing)
    try:
        assert not _has_room(kept_nothing.sync_engine.pool)
        assert await _read_pid(database) > 0
    finally:
        await database.close()


async def test_a_connection_beyond_the_pools_size_is_closed_when_given_back(server_url):
    engine = create_engine(server_url, pool_size=1, max_overflow=1)
    admin = create_engine(server_url)
    try:
        opened: list[int] = []
        async with _pooled_driver(engine) as first, _pooled_driver(engine) as second:
            for lease in (first, second):
                opened.append(await lease.driver.fetchval("SELECT pg_backend_pid()"))
        assert len(set(opened)) == 2
        assert engine.sync_engine.pool.checkedin() == 1
        for _ in range(100):  # the server ends the closed one's backend a moment later
            async with admin.connect() as connection:
                alive = await connection.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                    {"pids": opened},
                )
            if alive == 1:
                break
            await asyncio.sleep(0.05)
        assert alive == 1
        database = Database(engine)
        assert await _read_pid(database) in opened
        await database.close()
    finally:
        await engine.dispose()
        await admin.dispose()
