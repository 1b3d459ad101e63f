"""The connection pool on PostgreSQL: a connection the server dropped is never handed out."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db.engine import create_engine
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
