"""Cancelling, extending, and stays that start and end on time with their reminders."""

import asyncio
from datetime import timedelta

import pytest

from core.errors import BookingNotCancellable, BookingNotExtendable, BookingNotFound, WindowTaken
from core.services import bookings
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot

POLICY = {"free_hours": 2, "late_percent": 50}


@pytest.fixture
async def stay(db, clock):
    """Dana's paid booking at Olga's spot, tomorrow 10:00-12:00 (EUR 6.00)."""
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner)
    start = clock.now() + timedelta(days=1)
    async with db.unit_of_work() as uow:
        booking = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
        booking = await bookings.transition(uow, clock, booking.id, BookingStatus.CONFIRMED)
    return driver, spot, booking


async def _cancel(db, clock, driver, booking):
    async with db.unit_of_work() as uow:
        return await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=driver.id,
            expected_version=booking.version, **POLICY,
        )  # fmt: skip


async def test_cancelling_early_refunds_everything(db, clock, stay):
    driver, _, booking = stay
    cancelled, terms = await _cancel(db, clock, driver, booking)
    assert cancelled.status == BookingStatus.CANCELLED
    assert (terms.refund.minor, terms.kept.minor, terms.free) == (600, 0, True)


async def test_cancelling_late_keeps_the_late_share(db, clock, stay):
    driver, _, booking = stay
    clock.advance(hours=23)
    _, terms = await _cancel(db, clock, driver, booking)
    assert (terms.refund.minor, terms.kept.minor) == (300, 300)


async def test_another_driver_cannot_cancel(db, clock, stay):
    _, _, booking = stay
    mallory = await a_person(db, clock, "Mallory")
    with pytest.raises(BookingNotFound):
        await _cancel(db, clock, mallory, booking)


async def test_a_stay_under_way_cannot_be_cancelled(db, clock, stay):
    driver, _, booking = stay
    clock.advance(days=1, minutes=1)
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)
    async with db.unit_of_work() as uow:
        current = await bookings.get(uow, booking.id)
    with pytest.raises(BookingNotCancellable):
        await _cancel(db, clock, driver, current)


async def test_an_extension_is_a_booking_right_after_awaiting_payment(db, clock, stay):
    driver, _, booking = stay
    async with db.unit_of_work() as uow:
        extension = await bookings.extend(
            uow, clock, booking_id=booking.id, driver_id=driver.id, minutes=60,
            commission_basis_points=1500,
        )  # fmt: skip
    assert extension.start_at == booking.end_at
    assert extension.end_at == booking.end_at + timedelta(hours=1)
    assert extension.status == BookingStatus.AWAITING_PAYMENT
    assert (extension.extends_id, extension.price_minor) == (booking.id, 300)


async def test_an_extension_into_someone_elses_time_is_refused(db, clock, stay):
    driver, spot, booking = stay
    other = await a_person(db, clock, "Eve")
    async with db.unit_of_work() as uow:
        await bookings.request(
            uow, clock, driver_id=other.id, spot_id=spot.id, start=booking.end_at,
            end=booking.end_at + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
    with pytest.raises(WindowTaken):
        async with db.unit_of_work() as uow:
            await bookings.extend(
                uow, clock, booking_id=booking.id, driver_id=driver.id, minutes=30,
                commission_basis_points=1500,
            )  # fmt: skip


async def test_an_unpaid_booking_cannot_be_extended(db, clock, stay):
    driver, spot, _ = stay
    start = clock.now() + timedelta(days=3)
    async with db.unit_of_work() as uow:
        unpaid = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
    with pytest.raises(BookingNotExtendable):
        async with db.unit_of_work() as uow:
            await bookings.extend(
                uow, clock, booking_id=unpaid.id, driver_id=driver.id, minutes=30,
                commission_basis_points=1500,
            )  # fmt: skip


async def _advance(db, clock):
    async with db.unit_of_work() as uow:
        return [(notice.kind, notice.booking.id) for notice in await bookings.advance(uow, clock)]


async def test_a_stay_starts_and_ends_on_time_with_each_reminder_once(db, clock, stay):
    _, _, booking = stay
    assert await _advance(db, clock) == []
    clock.advance(days=1, minutes=-14)
    assert await _advance(db, clock) == [("starts_soon", booking.id)]
    assert await _advance(db, clock) == []
    clock.advance(minutes=14)
    assert await _advance(db, clock) == []
    async with db.unit_of_work() as uow:
        assert (await bookings.get(uow, booking.id)).status == BookingStatus.ACTIVE
    clock.advance(hours=1, minutes=51)
    assert await _advance(db, clock) == [("ends_soon", booking.id)]
    clock.advance(minutes=9)
    assert await _advance(db, clock) == [("ended", booking.id)]
    assert await _advance(db, clock) == []
    async with db.unit_of_work() as uow:
        assert (await bookings.get(uow, booking.id)).status == BookingStatus.COMPLETED


async def test_a_stay_with_a_live_extension_is_not_told_it_ends(db, clock, stay):
    driver, _, booking = stay
    async with db.unit_of_work() as uow:
        await bookings.extend(
            uow, clock, booking_id=booking.id, driver_id=driver.id, minutes=60,
            commission_basis_points=1500,
        )  # fmt: skip
    clock.advance(days=1, hours=1, minutes=55)
    assert ("ends_soon", booking.id) not in await _advance(db, clock)


@pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)
async def test_sweeps_of_several_processes_at_once_start_stays_and_remind_once(
    committing_db, clock
):
    """Every bot process runs the sweeps; on PostgreSQL they really run at once, and take turns
    instead of deadlocking over the reminders they claim."""
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spots = [await an_approved_spot(db, clock, owner) for _ in range(6)]
    drivers = [await a_person(db, clock, f"Driver {n}") for n in range(6)]
    claimed = []
    for _round in range(5):
        start = clock.now() + timedelta(minutes=10)
        for driver, spot in zip(drivers, spots, strict=True):
            async with db.unit_of_work() as uow:
                booking = await bookings.request(
                    uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
                    end=start + timedelta(minutes=30), commission_basis_points=1500,
                )  # fmt: skip
                await bookings.transition(uow, clock, booking.id, BookingStatus.CONFIRMED)

        async def sweep():
            async with db.unit_of_work() as uow:
                return await bookings.advance(uow, clock)

        for _step in range(4):
            for notices in await asyncio.gather(sweep(), sweep(), sweep()):
                claimed += [(n.kind, n.booking.id) for n in notices]
            clock.advance(minutes=12)
    assert len(claimed) == len(set(claimed))
    assert {kind for kind, _ in claimed} == {"starts_soon", "ends_soon", "ended"}
