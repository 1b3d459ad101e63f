"""The database itself stops double booking: many drivers, one window, one winner."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.db.models import Booking
from core.errors import WindowTaken
from core.services import bookings
from core.status import LIVE_BOOKING_STATUSES, BookingStatus
from tests.integration.builders import a_person, an_approved_spot

ATTEMPTS = 24


async def test_exactly_one_of_many_simultaneous_bookings_of_a_window_wins(committing_db, clock):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    drivers = [await a_person(db, clock, f"Driver {n}") for n in range(ATTEMPTS)]
    start = clock.now() + timedelta(hours=1)

    async def attempt(driver_id: int, offset_minutes: int) -> str:
        # Every window overlaps every other: they all contain [start+30min, start+1h).
        window_start = start + timedelta(minutes=offset_minutes)
        try:
            async with db.unit_of_work() as uow:
                await bookings.request(
                    uow, clock, driver_id=driver_id, spot_id=spot.id, start=window_start,
                    end=window_start + timedelta(hours=1), commission_basis_points=1500,
                )  # fmt: skip
        except WindowTaken:
            return "taken"
        return "won"

    outcomes = await asyncio.gather(
        *(attempt(driver.id, n % 30) for n, driver in enumerate(drivers))
    )
    assert outcomes.count("won") == 1
    assert outcomes.count("taken") == ATTEMPTS - 1
    async with db.reading() as uow:
        live = await uow.session.scalar(
            select(func.count()).select_from(Booking).where(
                Booking.spot_id == spot.id, Booking.status.in_(LIVE_BOOKING_STATUSES)
            )
        )  # fmt: skip
    assert live == 1


@pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)
async def test_postgres_refuses_an_overlapping_live_booking_even_past_the_service(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner)
    start = clock.now() + timedelta(hours=1)

    def row(status: BookingStatus) -> Booking:
        return Booking(
            spot_id=spot.id, driver_id=driver.id, start_at=start, end_at=start + timedelta(hours=1),
            currency="EUR", price_minor=300, commission_minor=45, status=status, version=1,
            created_at=clock.now(), updated_at=clock.now(),
        )  # fmt: skip

    async with db.unit_of_work() as uow:
        uow.bookings.add(row(BookingStatus.CANCELLED), row(BookingStatus.CONFIRMED))
        await uow.bookings.flush()
    async with db.unit_of_work() as uow:
        uow.bookings.add(row(BookingStatus.AWAITING_PAYMENT))
        with pytest.raises(IntegrityError, match="ex_booking_no_overlap"):
            await uow.bookings.flush()
        await uow.session.rollback()
