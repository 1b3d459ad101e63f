"""Nearby spots on the same pages: upkeep of PostgreSQL's spot table and its free time.

A search reads the spots nearest a point and their free time: a few dozen rows, or hundreds
when a filter passes few spots. Rows kept in the order spots were listed put each of them on a
page of its own (at a million spots about 280 pages a search). Kept in the order of their
places' geohash, neighbours share pages. PostgreSQL keeps a table in an order only when it
rewrites the table so (``CLUSTER``), which holds the table's lock while it runs, so this is
upkeep for a quiet hour (``parkshare db cluster``), not something done on every write. Between
runs a row rewritten in place stays on its page while the page has room (both tables' fill
factor, migration 0027), and new spots go where there is room.

SQLite keeps rows in the order of their ids and has no such rewrite; there this does nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db.uow import Database

# The order's key: a geohash of 8 characters, cells of about 38 × 19 m.
_PLACE_KEY = 'ST_GeoHash(spot.place::geometry, 8) COLLATE "C"'
# A rewrite waits this long for its table's lock, then gives up: while it waits, every reader
# of the table queues behind it.
LOCK_WAIT = "5s"
_LOCK_NOT_AVAILABLE = "55P03"
# Free-time rows given their spot's key in one transaction (a range of ids).
_KEY_BATCH = 10_000

# By ranges of ids: the free time's and the spots' primary keys walk them side by side.
_GIVE_KEYS = text(
    f"UPDATE spot_free_time SET place_order = {_PLACE_KEY} FROM spot "
    f"WHERE spot.id = spot_free_time.spot_id "
    f"AND spot_free_time.spot_id > :after AND spot_free_time.spot_id <= :until "
    f"AND spot.id > :after AND spot.id <= :until "
    f"AND spot_free_time.place_order IS DISTINCT FROM {_PLACE_KEY}"
)


class TableBusy(Exception):
    """A table's lock was held past ``LOCK_WAIT`` by another transaction."""


@dataclass(frozen=True, slots=True)
class Ordered:
    # False on SQLite, which has nothing to do.
    done: bool
    seconds: float


async def order_by_place(database: Database, *, lock_wait: str = LOCK_WAIT) -> Ordered:
    """Rewrites ``spot`` and ``spot_free_time`` in the order of the spots' places. Each table is
    locked, reads included, for its own rewrite (under a minute in all at a million spots);
    ``TableBusy`` when another transaction holds one past ``lock_wait``."""
    began = time.perf_counter()
    if database.dialect != "postgresql":
        return Ordered(done=False, seconds=0.0)
    if isinstance(database.bind, AsyncEngine):
        async with database.bind.connect() as connection:
            # One transaction a statement, so that no lock outlives its own work.
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await _run(autocommit, lock_wait, pooled=True)
    else:
        await _run(database.bind, lock_wait, pooled=False)
    return Ordered(done=True, seconds=time.perf_counter() - began)


async def _run(connection: AsyncConnection, lock_wait: str, *, pooled: bool) -> None:
    """On a pooled connection the wait is set for the session and reset before it goes back;
    within a caller's transaction, for that transaction."""
    await connection.execute(
        text("SELECT set_config('lock_timeout', :wait, :local)"),
        {"wait": lock_wait, "local": not pooled},
    )
    try:
        await _cluster(connection, "spot", "ix_spot_place_order", lock_wait)
        # The free time learns its spot's key (new spots', moved spots'), then takes its order.
        last = await connection.scalar(text("SELECT max(spot_id) FROM spot_free_time")) or 0
        for after in range(0, last, _KEY_BATCH):
            await connection.execute(_GIVE_KEYS, {"after": after, "until": after + _KEY_BATCH})
        await _cluster(connection, "spot_free_time", "ix_spot_free_time_place_order", lock_wait)
        await connection.execute(text("ANALYZE spot, spot_free_time"))
    finally:
        if pooled:
            await connection.execute(text("RESET lock_timeout"))


async def _cluster(connection: AsyncConnection, table: str, index: str, lock_wait: str) -> None:
    try:
        await connection.execute(text(f"CLUSTER {table} USING {index}"))
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise TableBusy(f"{table} was held by another transaction past {lock_wait}") from error
        raise
