"""A booking and its extensions read as one stay: one number, the whole window, the price of
the paid parts, and an unpaid extension kept apart; the rows themselves stay as they are."""

from datetime import timedelta

from core.money import Money
from core.services import bookings, stays
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot


async def _paid_booking(db, clock, driver, spot):
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        booking = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
        return await bookings.transition(uow, clock, booking.id, BookingStatus.CONFIRMED)


async def _extend(db, clock, driver, booking, minutes, *, to=BookingStatus.CONFIRMED):
    async with db.unit_of_work() as uow:
        extension = await bookings.extend(
            uow, clock, booking_id=booking.id, driver_id=driver.id, minutes=minutes,
            commission_basis_points=1500,
        )  # fmt: skip
        if to != BookingStatus.AWAITING_PAYMENT:
            extension = await bookings.transition(uow, clock, extension.id, to)
        return extension


async def test_an_extension_of_an_extension_is_one_stay_with_the_time_added(db, clock):
    owner, driver = await a_person(db, clock, "Olga"), await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    booking = await _paid_booking(db, clock, driver, spot)
    first = await _extend(db, clock, driver, booking, 60)
    lapsed = await _extend(db, clock, driver, first, 30, to=BookingStatus.EXPIRED)
    second = await _extend(db, clock, driver, first, 120)
    unpaid = await _extend(db, clock, driver, second, 30, to=BookingStatus.AWAITING_PAYMENT)

    async with db.reading() as uow:
        from_the_end = await stays.stay_of(uow, await uow.bookings.get(second.id))
        listed = await stays.stays_of(
            uow, [(await uow.bookings.get(b.id), spot) for b in (unpaid, booking, lapsed, first)]
        )
    assert [extension.id for extension in from_the_end.extensions] == [first.id, second.id]
    assert lapsed.id not in [extension.id for extension in from_the_end.extensions]
    assert from_the_end.id == booking.id
    assert from_the_end.start_at == booking.start_at
    assert from_the_end.end_at == booking.end_at + timedelta(hours=3)
    assert from_the_end.added == timedelta(hours=3)
    assert from_the_end.price == Money(600 + 300 + 600, "EUR")
    assert from_the_end.unpaid_extension.id == unpaid.id
    assert from_the_end.last.id == second.id
    (only,) = listed  # four rows, one stay
    assert only[0].id == booking.id
