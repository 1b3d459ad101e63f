"""Owners manage their listed spots."""

from datetime import UTC, datetime, timedelta

import pytest

from core.availability import Interval, WeeklyRule
from core.availability_text import ParsedAvailability
from core.errors import InvalidPrice, SpotHasBookings, SpotNotFound
from core.money import Money
from core.services import bookings, spots
from core.status import SpotStatus
from tests.integration.builders import a_person, an_approved_spot


@pytest.fixture
async def owned(db, clock):
    owner = await a_person(db, clock, "Olga")
    return owner, await an_approved_spot(db, clock, owner)


async def test_an_owner_pauses_and_resumes_a_spot(db, clock, owned):
    owner, spot = owned
    async with db.unit_of_work() as uow:
        paused = await spots.set_owner_status(
            uow, clock, spot_id=spot.id, owner_id=owner.id, status=SpotStatus.PAUSED
        )
        assert paused.status == SpotStatus.PAUSED
        resumed = await spots.set_owner_status(
            uow, clock, spot_id=spot.id, owner_id=owner.id, status=SpotStatus.APPROVED
        )
    assert resumed.status == SpotStatus.APPROVED


async def test_another_person_cannot_pause_a_spot(db, clock, owned):
    _, spot = owned
    stranger = await a_person(db, clock, "Mallory")
    async with db.unit_of_work() as uow:
        with pytest.raises(SpotNotFound):
            await spots.set_owner_status(
                uow, clock, spot_id=spot.id, owner_id=stranger.id, status=SpotStatus.PAUSED
            )


async def test_a_spot_with_bookings_to_come_cannot_be_deleted(db, clock, owned):
    owner, spot = owned
    driver = await a_person(db, clock, "Dana")
    start = clock.now() + timedelta(days=1)
    async with db.unit_of_work() as uow:
        await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
    async with db.unit_of_work() as uow:
        with pytest.raises(SpotHasBookings):
            await spots.set_owner_status(
                uow, clock, spot_id=spot.id, owner_id=owner.id, status=SpotStatus.DELETED
            )


async def test_a_deleted_spot_leaves_the_owners_list(db, clock, owned):
    owner, spot = owned
    async with db.unit_of_work() as uow:
        await spots.set_owner_status(
            uow, clock, spot_id=spot.id, owner_id=owner.id, status=SpotStatus.DELETED
        )
        assert await spots.owned(uow, owner.id) == []


async def test_new_prices_apply_and_must_keep_the_currency(db, clock, owned):
    owner, spot = owned
    async with db.unit_of_work() as uow:
        changed = await spots.change_prices(
            uow, spot_id=spot.id, owner_id=owner.id, hourly=Money(450, "EUR"),
            daily=Money(2500, "EUR"),
        )  # fmt: skip
        assert (changed.hourly_price_minor, changed.daily_price_minor) == (450, 2500)
        with pytest.raises(InvalidPrice):
            await spots.change_prices(
                uow, spot_id=spot.id, owner_id=owner.id, hourly=Money(450, "USD"), daily=None
            )


async def test_an_availability_change_can_be_undone_exactly(db, clock, owned):
    owner, spot = owned
    evening = Interval(datetime(2026, 6, 2, 18, tzinfo=UTC), datetime(2026, 6, 2, 22, tzinfo=UTC))
    async with db.unit_of_work() as uow:
        before = len(await uow.spots.weekly_rules(spot.id))
        change = await spots.add_availability(
            uow, spot_id=spot.id, owner_id=owner.id,
            parsed=ParsedAvailability(weekly=(WeeklyRule(0, 0, 60),), windows=(evening,)),
        )  # fmt: skip
        await spots.undo_availability(uow, owner_id=owner.id, change=change)
        assert len(await uow.spots.weekly_rules(spot.id)) == before
        assert await uow.spots.windows_touching(spot.id, evening.start, evening.end) == []


async def test_new_regular_hours_replace_the_old_ones(db, clock, owned):
    owner, spot = owned
    async with db.unit_of_work() as uow:
        await spots.replace_weekly_hours(
            uow, spot_id=spot.id, owner_id=owner.id,
            parsed=ParsedAvailability(weekly=tuple(WeeklyRule(day, 480, 1080) for day in range(5))),
        )  # fmt: skip
        rules = await uow.spots.weekly_rules(spot.id)
    assert sorted((r.weekday, r.start_minute, r.end_minute) for r in rules) == [
        (day, 480, 1080) for day in range(5)
    ]
