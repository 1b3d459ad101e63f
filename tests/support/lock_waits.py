"""Waiting, in a concurrency test, until PostgreSQL shows one backend waiting for another's lock:
the moment two actors really contend. Polled, since no event says so."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from core.db.uow import Database

# Only this database: the server's other databases may be busy with other tests' locks.
_WAITING_HERE = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def wait_until_a_lock_is_waited_for(db: Database, *, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.01)):
        async with db.reading() as uow:
            if await uow.session.scalar(_WAITING_HERE):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("nobody waited for a lock")
