"""Stripe's webhook events read into the domain's facts: Stripe's words and units stay here."""

from __future__ import annotations

from typing import Any

import pytest

from core.money import Money
from core.ports import GatewayPaymentStatus
from core.services.gateway_events import ChargebackMoney, ChargebackOpened, PaymentChanged
from payments.stripe_events import MalformedEvent, notice_of

PAYLOAD = "booking:42:1"


def an_event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": "evt_1", "object": "event", "type": kind, "data": {"object": obj}}


def a_held_intent(amount: int, currency: str) -> dict[str, Any]:
    return {
        "id": "pi_1", "object": "payment_intent", "status": "requires_capture",
        "amount": amount, "currency": currency, "latest_charge": "ch_1",
        "metadata": {"booking_id": "42", "payload": PAYLOAD},
    }  # fmt: skip


def test_an_intents_amount_is_read_in_stripes_units():
    # ISK has no minor unit in ISO 4217, but Stripe's API counts it in hundredths.
    notice = notice_of(an_event("payment_intent.amount_capturable_updated",
                                a_held_intent(50000, "isk")))  # fmt: skip

    assert isinstance(notice.fact, PaymentChanged)
    assert notice.fact.state.amount == Money(500, "ISK")
    assert notice.fact.state.status == GatewayPaymentStatus.HELD
    assert notice.fact.state.charge_id == "ch_1"


def test_a_euro_intent_reads_back_in_cents():
    notice = notice_of(an_event("payment_intent.succeeded",
                                {**a_held_intent(600, "eur"), "status": "succeeded"}))  # fmt: skip

    assert isinstance(notice.fact, PaymentChanged)
    assert notice.fact.state.amount == Money(600, "EUR")
    assert notice.fact.state.status == GatewayPaymentStatus.CHARGED


def a_dispute(status: str = "needs_response") -> dict[str, Any]:
    return {
        "id": "dp_1", "object": "dispute", "amount": 50000, "currency": "isk", "charge": "ch_1",
        "payment_intent": None, "reason": "fraudulent", "status": status,
    }  # fmt: skip


def test_a_dispute_names_its_charge_for_a_payment_without_an_intent():
    notice = notice_of(an_event("charge.dispute.created", a_dispute()))

    assert isinstance(notice.fact, ChargebackOpened)
    assert (notice.fact.payment_reference, notice.fact.charge_reference) == (None, "ch_1")


def test_money_a_bank_takes_back_is_read_in_stripes_units():
    notice = notice_of(an_event("charge.dispute.funds_withdrawn", a_dispute()))

    assert isinstance(notice.fact, ChargebackMoney)
    assert (notice.fact.amount, notice.fact.taken_back, notice.fact.final) == (
        Money(500, "ISK"), True, False,
    )  # fmt: skip


@pytest.mark.parametrize(("status", "taken_back"), [("won", False), ("lost", True)])
def test_a_closed_dispute_says_whether_the_money_stays_with_the_bank(status, taken_back):
    notice = notice_of(an_event("charge.dispute.closed", a_dispute(status)))

    assert isinstance(notice.fact, ChargebackMoney)
    assert (notice.fact.taken_back, notice.fact.final) == (taken_back, True)


@pytest.mark.parametrize(
    "event",
    [
        an_event("payment_intent.succeeded", {**a_held_intent(600, "eur"), "amount": None}),
        an_event("payment_intent.succeeded",
                 {k: v for k, v in a_held_intent(600, "eur").items() if k != "amount"}),
        an_event("payment_intent.succeeded", {**a_held_intent(600, "eur"), "id": 17}),
        an_event("checkout.session.expired", {"id": None}),
        {**an_event("payment_intent.succeeded", a_held_intent(600, "eur")), "id": ["evt_1"]},
        {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "data": None},
        an_event("charge.dispute.created", {"id": "dp_1", "payment_intent": {"id": 5}}),
    ],
    ids=["null amount", "no amount", "numeric id", "null id", "list event id", "no data",
         "expanded intent without a string id"],
)  # fmt: skip
def test_a_signed_event_not_shaped_as_stripe_sends_it_is_malformed(event):
    with pytest.raises(MalformedEvent):
        notice_of(event)
