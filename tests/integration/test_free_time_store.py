"""The free-time store on both engines: written from hours and bookings, and tested in SQL by
the store's own operators (PostgreSQL's multiranges, SQLite's registered functions)."""

from datetime import timedelta

from sqlalchemy import select, update

from core import free_time
from core.db.free_time import CoversWindow, WithoutWindow
from core.db.models import SpotFreeTime
from tests.integration.builders import a_person, an_approved_spot


async def test_a_spot_open_all_week_is_free_for_any_window_until_the_horizon(db, clock):
    owner = await a_person(db, clock)
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        await uow.free_times.refresh([spot.id], clock.now())
    async with db.unit_of_work() as uow:
        stored = await uow.free_times.of(spot.id)
    first, last = free_time.span_for(clock.now())
    assert stored.free == [(free_time.epoch_seconds(first), free_time.epoch_seconds(last))]


async def test_the_store_tests_and_takes_a_window_in_sql(db, clock):
    owner = await a_person(db, clock)
    spot = await an_approved_spot(db, clock, owner)
    now = free_time.epoch_seconds(clock.now())
    hour = 3600
    async with db.unit_of_work() as uow:
        await uow.free_times.refresh([spot.id], clock.now())
        await uow.session.execute(
            update(SpotFreeTime)
            .where(SpotFreeTime.spot_id == spot.id)
            .values(free=WithoutWindow(SpotFreeTime.free, now + hour, now + 3 * hour))
        )

    async def free_for(start: int, end: int) -> bool:
        async with db.reading() as uow:
            return await uow.session.scalar(
                select(CoversWindow(SpotFreeTime.free, start, end)).where(
                    SpotFreeTime.spot_id == spot.id
                )
            )

    assert await free_for(now, now + hour)
    assert not await free_for(now, now + hour + 1)
    assert not await free_for(now + 2 * hour, now + 4 * hour)
    assert await free_for(now + 3 * hour, now + 4 * hour)
    horizon = free_time.epoch_seconds(free_time.horizon(clock.now()))
    assert await free_for(horizon - hour, horizon)
    assert not await free_for(horizon, horizon + int(timedelta(days=3).total_seconds()))
    # No booking holds the window taken above: the row goes back to what the spot's hours make
    # of it, as the audit after every test expects.
    async with db.unit_of_work() as uow:
        await uow.free_times.refresh([spot.id])
