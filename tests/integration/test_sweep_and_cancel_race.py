"""The stay sweep and a driver's cancellation at once, on real concurrent PostgreSQL
connections. The cancellation locks the booking, then settles it under the owner's money lock;
the sweep takes owners' money locks, then claims reminders. A reminder's claim only refers to
the booking, so it must not wait for the cancellation's lock: if it did, a sweep holding the
owner's money lock would wait for the cancellation, which waits for that lock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.services import bookings
from core.status import BookingStatus
from tests.integration.builders import a_payment, a_stay

pytestmark = pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)

POLICY = {"free_hours": 24, "late_percent": 50}


async def test_the_sweep_claims_a_reminder_while_a_cancellation_holds_the_booking(
    committing_db, clock
):
    db = committing_db
    stay = await a_stay(db, clock, start_in=timedelta(minutes=10))
    await a_payment(db, clock, stay.booking)
    async with db.unit_of_work() as cancelling:
        booking = await bookings.locked(cancelling, stay.booking.id)
        # Bounded, so that a sweep that waits for the cancellation fails instead of hanging.
        async with asyncio.timeout(10), db.unit_of_work() as sweeping:
            notices = await bookings.advance(sweeping, clock)
        assert [(notice.kind, notice.booking.id) for notice in notices] == [
            (bookings.NoticeKind.STARTS_SOON, booking.id)
        ]
        await bookings.cancel_by_driver(
            cancelling, clock, booking_id=booking.id, driver_id=stay.driver.id,
            expected_version=booking.version, **POLICY,
        )  # fmt: skip
    async with db.reading() as uow:
        assert (await uow.bookings.get(booking.id)).status == BookingStatus.CANCELLED
