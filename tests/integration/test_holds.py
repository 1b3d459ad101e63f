"""Card holds: taken before they lapse, whatever becomes of the booking meanwhile, and never
paid out once the gateway has let them go."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import tests.support.localstripe as localstripe_shim
from core.db.models import PaymentStatus
from core.money import Money
from core.services import (
    booking_payments,
    bookings,
    gateway_events,
    ledger,
    money_movement,
    settlement,
)
from core.services.gateway_events import GatewayNotice
from core.services.ledger import ESCROW, PLATFORM_REVENUE, owner_payable_account
from core.settings import Settings
from core.status import BookingStatus
from payments.registry import Gateways
from payments.stripe_events import notice_of
from payments.stripe_gateway import StripeGateway
from tests.integration.builders import a_person, an_approved_spot
from tests.support.stripe_side import SECRET_KEY, WEBHOOK_SECRET


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


# --- a hold let go before it was taken ---------------------------------------------------


@pytest.fixture
def stripe_gateway(stripe_server, recorded) -> StripeGateway:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_server.url,
    )  # fmt: skip
    return StripeGateway(settings, http_client=recorded)


def canceled(external_id: str, booking) -> GatewayNotice:
    """Stripe's payment_intent.canceled: we let the hold go, or its issuer did."""
    intent = {
        "id": external_id, "object": "payment_intent", "status": "canceled",
        "amount": booking.price_minor, "currency": "eur", "latest_charge": "ch_held",
        "cancellation_reason": "automatic",
        "metadata": {"payload": booking_payments.payload_for(booking)},
    }  # fmt: skip
    return notice_of({"id": f"evt_{external_id}", "type": "payment_intent.canceled",
                      "data": {"object": intent}})  # fmt: skip


async def owed(db, account: str) -> int:
    async with db.reading() as uow:
        return (await ledger.balance(uow, account, "EUR")).minor


async def test_a_hold_let_go_after_the_stay_is_never_paid_out(db, clock, week, stripe_gateway):
    clock.current = week.end_at + timedelta(minutes=1)
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)
        await bookings.advance(uow, clock)  # completed: the owner's share is queued
        owner_id = (await uow.spots.get(week.spot_id)).owner_id

    outcome = await gateway_events.apply_notice(
        db, clock, stripe_gateway, canceled("pi_held", week)
    )

    assert (outcome.kind, outcome.booking_id) == ("hold_lapsed", week.id)
    clock.advance(hours=2)
    async with db.reading() as uow:
        assert (await settlement.due_transfers(uow, clock)).payouts == []
        (payment,) = await uow.payments.of_booking(week.id)
    assert (payment.status, payment.held) == (PaymentStatus.LAPSED, False)
    assert await owed(db, owner_payable_account(owner_id)) == 0
    assert await owed(db, PLATFORM_REVENUE) == 0


async def test_a_hold_let_go_before_the_stay_leaves_nothing_in_escrow(
    db, clock, week, stripe_gateway
):
    outcome = await gateway_events.apply_notice(
        db, clock, stripe_gateway, canceled("pi_held", week)
    )

    assert outcome.kind == "hold_lapsed"
    assert outcome.lapsed is not None
    assert outcome.lapsed.amount == eur(week.price_minor)
    assert await owed(db, ESCROW) == 0
    again = await gateway_events.apply_notice(
        db, clock, stripe_gateway, replace(canceled("pi_held", week), event_id="evt_again")
    )
    assert again.kind == "ignored"  # told once


async def test_a_hold_is_taken_by_the_issuers_own_deadline(
    db, clock, stripe_gateway, at_stripe, monkeypatch
):
    monkeypatch.setattr(localstripe_shim, "CARD_HOLD_S", 3 * 24 * 3600)  # a 3-day hold
    clock.current = datetime.now(UTC)  # localstripe dates charges by the real clock
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        booking = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(days=5), commission_basis_points=1500,
        )  # fmt: skip
    intent = await at_stripe.pays(
        booking.price_minor, payload=booking_payments.payload_for(booking)
    )
    held = {**intent.to_dict(), "latest_charge": intent.latest_charge.id}  # as in an event
    event = {"id": "evt_held", "type": "payment_intent.amount_capturable_updated",
             "data": {"object": held}}  # fmt: skip

    assert (
        await gateway_events.apply_notice(db, clock, stripe_gateway, notice_of(event))
    ).kind == "paid"

    clock.advance(days=2, hours=1)  # a day before the issuer lets it go
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)
        due = await booking_payments.holds_to_capture(uow, clock)
    assert [payment.external_id for payment, _ in due] == [intent.id]


async def test_a_hold_found_lapsed_by_the_sweep_is_told_to_the_managers(
    db, clock, week, stripe_gateway
):
    gateways = Gateways(checkout=stripe_gateway, payouts=None, by_name={"stripe": stripe_gateway})
    clock.advance(days=7, minutes=1)  # past its lapse, and the capture is refused

    moved = await money_movement.move_money(db, clock, gateways)

    assert [(type(m).__name__, m.booking_id) for m in moved] == [("HoldLapsed", week.id)]
    assert await owed(db, ESCROW) == 0
