"""The sweep rolls every spot's free time forward as the days pass, so that it always reaches
past the bookable horizon, keeping what bookings hold; a spot not yet rolled waits its day."""

from datetime import timedelta

from sqlalchemy import delete

from core import free_time
from core.db.models import SpotFreeTime
from core.services import free_times
from tests.integration.builders import a_person, a_stay, an_approved_spot


async def written_until(db, spot_id: int) -> int | None:
    async with db.reading() as uow:
        stored = await uow.free_times.of(spot_id)
    return None if stored is None else stored.written_until


async def test_free_time_written_today_waits_until_it_is_a_day_short_of_enough(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    listed_at = clock.now()
    clock.advance(hours=23)
    assert await free_times.roll_forward(db, clock) == 0
    assert await written_until(db, spot.id) == free_time.epoch_seconds(
        free_time.span_for(listed_at)[1]
    )


async def test_each_day_the_sweep_rolls_every_spot_to_past_the_horizon(db, clock):
    owner = await a_person(db, clock, "Olga")
    listed = [await an_approved_spot(db, clock, owner) for _ in range(3)]
    for _day in range(3):
        clock.advance(days=1, minutes=1)
        # One spot a transaction: the batches go on until none is due.
        assert await free_times.roll_forward(db, clock, batch=1) >= len(listed)
        for spot in listed:
            until = await written_until(db, spot.id)
            assert until == free_time.epoch_seconds(free_time.span_for(clock.now())[1])
            assert until > free_time.epoch_seconds(
                free_time.horizon(clock.now()) + timedelta(days=1)
            )


async def test_rolling_forward_keeps_what_bookings_hold(db, clock):
    stay = await a_stay(db, clock, start_in=timedelta(days=3), length=timedelta(hours=2))
    clock.advance(days=2)
    assert await free_times.roll_forward(db, clock) == 1
    async with db.reading() as uow:
        stored = await uow.free_times.of(stay.spot.id)
    start = free_time.epoch_seconds(stay.booking.start_at)
    end = free_time.epoch_seconds(stay.booking.end_at)
    assert not free_time.covers(stored.free, start, start + 60)
    assert free_time.covers(stored.free, end, end + 3600)
    assert free_time.covers(stored.free, start - 3600, start)


async def test_a_spot_without_free_time_gets_it_from_the_sweep(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        await uow.session.execute(delete(SpotFreeTime).where(SpotFreeTime.spot_id == spot.id))
    assert await written_until(db, spot.id) is None
    assert await free_times.roll_forward(db, clock) == 1
    assert await written_until(db, spot.id) == free_time.epoch_seconds(
        free_time.span_for(clock.now())[1]
    )
