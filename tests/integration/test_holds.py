"""Card holds: taken before they lapse, whatever becomes of the booking meanwhile, and never
paid out once the gateway has let them go."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.money import Money
from core.services import booking_payments, bookings
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


@pytest.fixture
async def week(db, clock):
    """A week's stay from tomorrow, paid with a card hold on Stripe's page."""
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    start = clock.now() + timedelta(days=1)
    async with db.unit_of_work() as uow:
        booking = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(days=8), commission_basis_points=1500,
        )  # fmt: skip
        await booking_payments.record_gateway_payment(
            uow, clock, gateway="stripe", payload=booking_payments.payload_for(booking),
            amount=eur(booking.price_minor), external_id="pi_held", provider_charge_id="ch_held",
            held=True,
        )  # fmt: skip
    return booking


async def test_a_disputed_bookings_hold_is_taken_before_it_lapses(db, clock, week):
    clock.advance(days=2)
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)  # the stay is under way
        await bookings.transition(uow, clock, week.id, BookingStatus.DISPUTED)
    clock.advance(days=4, minutes=1)  # the hold has about a day left

    async with db.reading() as uow:
        due = await booking_payments.holds_to_capture(uow, clock)

    assert [(payment.external_id, b.status) for payment, b in due] == [
        ("pi_held", BookingStatus.DISPUTED)
    ]
