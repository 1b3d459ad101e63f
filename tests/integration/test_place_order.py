"""`parkshare db cluster`: spots and their free time rewritten in the order of their places."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.db.place_order import TableBusy, order_by_place
from tests.integration.builders import a_person
from tests.integration.test_search import DRIVER_AT, a_spot, metres_east, search

ON_POSTGRESQL = pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)
# Listed alternately here and five kilometres east, each in a cell of its own: neighbours far
# apart in listing order.
LISTED_AT_METRES = (0, 5_000, 100, 5_100, 200, 5_200)


async def _listed_alternately(db, clock):
    owner = await a_person(db, clock, "Olga")
    return [
        await a_spot(db, clock, owner, 0, point=metres_east(metres)) for metres in LISTED_AT_METRES
    ]


async def _physical_order(db, table: str, key: str) -> list[tuple[int, str]]:
    """(spot id, its place's key) as the table's pages hold them, first page first."""
    async with db.reading() as uow:
        rows = await uow.session.execute(
            text(
                f"SELECT kept.{key}, ST_GeoHash(spot.place::geometry, 8) FROM {table} AS kept "
                f"JOIN spot ON spot.id = kept.{key} ORDER BY kept.ctid"
            )
        )
        return [(spot_id, place_key) for spot_id, place_key in rows]


async def _keys_in_order(db, table: str, key: str) -> bool:
    keys = [place_key for _id, place_key in await _physical_order(db, table, key)]
    return keys == sorted(keys)


@ON_POSTGRESQL
async def test_spots_and_their_free_time_are_rewritten_in_the_order_of_their_places(
    committing_db, clock
):
    db = committing_db  # on the engine, as `parkshare db cluster` runs
    await _listed_alternately(db, clock)
    assert not await _keys_in_order(db, "spot", "id")

    assert (await order_by_place(db)).done

    assert await _keys_in_order(db, "spot", "id")
    spots_order = [spot_id for spot_id, _key in await _physical_order(db, "spot", "id")]
    free_order = await _physical_order(db, "spot_free_time", "spot_id")
    assert [spot_id for spot_id, _key in free_order] == spots_order


@ON_POSTGRESQL
async def test_a_table_held_by_another_transaction_stops_the_rewrite_till_it_is_free(
    committing_db, clock
):
    db = committing_db
    await _listed_alternately(db, clock)
    async with db.unit_of_work() as reader:
        await reader.session.execute(text("SELECT count(*) FROM spot_free_time"))

        with pytest.raises(TableBusy, match="spot_free_time"):
            await order_by_place(db, lock_wait="200ms")

    assert await _keys_in_order(db, "spot", "id")  # rewritten before the wait
    assert (await order_by_place(db)).done  # the lock's wait was given back with the connection
    assert await _keys_in_order(db, "spot_free_time", "spot_id")


@ON_POSTGRESQL
async def test_a_spot_listed_after_the_rewrite_joins_its_neighbours_at_the_next(db, clock):
    first, *_ = await _listed_alternately(db, clock)
    await order_by_place(db)
    owner = await a_person(db, clock, "Ines")
    newcomer = await a_spot(db, clock, owner, 0, point=metres_east(50))

    await order_by_place(db)

    free_time = await _physical_order(db, "spot_free_time", "spot_id")
    free_order = [spot_id for spot_id, _key in free_time]
    assert abs(free_order.index(newcomer.id) - free_order.index(first.id)) == 1
    assert await _keys_in_order(db, "spot_free_time", "spot_id")


async def test_a_search_finds_the_same_spots_after_the_rewrite(db, clock):
    await _listed_alternately(db, clock)
    before = await search(db, clock)

    await order_by_place(db)

    after = await search(db, clock)
    assert [hit.spot_id for hit in after.hits] == [hit.spot_id for hit in before.hits]
    assert len(after.hits) == len(LISTED_AT_METRES)
    assert after.hits[0].point == DRIVER_AT


@pytest.mark.parametrize("database_factory", ["sqlite"], indirect=True)
async def test_sqlite_has_nothing_to_rewrite(db):
    assert not (await order_by_place(db)).done
