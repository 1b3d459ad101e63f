"""Nearby spots on the same pages: upkeep of PostgreSQL's spot table and its free time.

A search reads the spots nearest a point and their free time: a few dozen rows, or hundreds
when a filter passes few spots. Rows kept in the order spots were listed put each of them on a
page of its own (at a million spots about 280 pages a search). Kept in the order of their
places' geohash, neighbours share pages. PostgreSQL keeps a table in an order only when it
rewrites the table so (``CLUSTER``), which holds the table's lock while it runs, so this is
upkeep for a quiet hour (``parkshare db cluster``), not something done on every write. Between
runs a spot's rewritten free time stays on its page while the page has room (the table's fill
factor, migration 0027), and new spots go where there is room.

SQLite keeps rows in the order of their ids and has no such rewrite; there this does nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db.uow import Database

# The order's key: a geohash of 8 characters, cells of about 38 × 19 m.
_PLACE_KEY = 'ST_GeoHash(spot.place::geometry, 8) COLLATE "C"'

_STATEMENTS = (
    "CLUSTER spot USING ix_spot_place_order",
    # The free time learns its spot's key (new spots', moved spots'), then takes its order.
    f"UPDATE spot_free_time SET place_order = {_PLACE_KEY} FROM spot "
    f"WHERE spot.id = spot_free_time.spot_id AND place_order IS DISTINCT FROM {_PLACE_KEY}",
    "CLUSTER spot_free_time USING ix_spot_free_time_place_order",
    "ANALYZE spot, spot_free_time",
)


@dataclass(frozen=True, slots=True)
class Ordered:
    # False on SQLite, which has nothing to do.
    done: bool
    seconds: float


async def order_by_place(database: Database) -> Ordered:
    """Rewrites ``spot`` and ``spot_free_time`` in the order of the spots' places. Each table is
    locked, reads included, for its own rewrite (seconds at a million spots)."""
    began = time.perf_counter()
    if database.dialect != "postgresql":
        return Ordered(done=False, seconds=0.0)
    if isinstance(database.bind, AsyncEngine):
        async with database.bind.connect() as connection:
            # One transaction a statement, so that no lock outlives its rewrite.
            await _run(await connection.execution_options(isolation_level="AUTOCOMMIT"))
    else:
        await _run(database.bind)
    return Ordered(done=True, seconds=time.perf_counter() - began)


async def _run(connection: AsyncConnection) -> None:
    for statement in _STATEMENTS:
        await connection.execute(text(statement))
