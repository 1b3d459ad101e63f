"""One process at a time for a sweep whose work outlives a transaction: one that calls a
payment gateway between its units of work, so that no row may stay locked while it waits.

On PostgreSQL the sweep holds a session-level advisory lock for its whole run, on a connection
of its own outside any transaction; a process that dies loses that connection, and the lock
with it, so the next sweep in any process takes over. Every process runs the sweep; the ones
that find it running leave it to that one. (SQLite serves one process.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db.uow import Database

# Apart from the names ``UnitOfWork.one_at_a_time`` locks within a transaction.
_PREFIX = "sole_runner:"
_TAKE = text("SELECT pg_try_advisory_lock(hashtext(:name))")
_RELEASE = text("SELECT pg_advisory_unlock(hashtext(:name))")


@asynccontextmanager
async def sole_runner(db: Database, name: str) -> AsyncIterator[bool]:
    """True inside while this process alone runs ``name``; False while another one runs it
    (what that one leaves, the next sweep does)."""
    bind = db.bind
    if db.dialect != "postgresql" or not isinstance(bind, AsyncEngine):
        yield True  # SQLite's one process, or a test's own connection
        return
    key = {"name": _PREFIX + name}
    async with bind.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        if not await connection.scalar(_TAKE, key):
            yield False
            return
        try:
            yield True
        finally:
            await _release(connection, key)


async def _release(connection: AsyncConnection, key: dict[str, str]) -> None:
    try:
        await connection.execute(_RELEASE, key)
    except BaseException as error:
        # The connection is gone (and the lock with it), or this was cut short: closed, it
        # releases the lock, which a connection back in the pool must not keep.
        await connection.invalidate()
        if not isinstance(error, DBAPIError):
            raise
