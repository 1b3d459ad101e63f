"""Paying on Stripe's page, end to end: the sandbox's Telegram and the real bot, the real
``stripe`` SDK against localstripe (Checkout and Connect from recorded answers), and Stripe's
webhooks signed and posted over HTTP to the bot's own endpoint (`parkshare serve`)."""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from bot.http_server import EmbeddedServer
from bot.web import build_web_app
from core.db.models import Checkout, Dispute, GatewayEvent, MonthlyPass, Payment
from core.services.booking_payments import payload_for
from core.status import BookingStatus
from payments.stripe_gateway import StripeGateway
from tests.end_to_end.test_bookings import _book, _bookings_of, _owner_and_spot
from tests.end_to_end.test_monthly_passes import _offer_nights, _take_pass
from tests.support.stripe_side import SECRET_KEY, WEBHOOK_SECRET

OWNER_SHARE_MINOR = 510


@pytest.fixture
def settings_overrides(stripe_server) -> dict[str, object]:
    return {
        "payment_gateway": "stripe", "stripe_secret_key": SECRET_KEY,
        "stripe_webhook_secret": WEBHOOK_SECRET, "stripe_api_base": stripe_server.url,
    }  # fmt: skip


@dataclass
class StripeWebhooks:
    url: str

    async def deliver(self, kind: str, obj: dict[str, Any], *, event_id: str | None = None,
                      secret: str = WEBHOOK_SECRET) -> httpx.Response:  # fmt: skip
        body = json.dumps({
            "id": event_id or f"evt_{secrets.token_hex(8)}", "object": "event", "type": kind,
            "data": {"object": obj},
        })  # fmt: skip
        signature = stripe.WebhookSignature.generate_signature_header(body, secret)
        async with httpx.AsyncClient() as client:
            return await client.post(
                f"{self.url}/stripe/webhook", content=body,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            )  # fmt: skip


@pytest.fixture
async def webhooks(sandbox, recorded) -> AsyncIterator[StripeWebhooks]:
    """The bot pays through Stripe (Checkout and Connect answered from recordings), and its
    webhook endpoint listens on loopback."""
    application = sandbox.runtime.application
    gateway = StripeGateway(sandbox.runtime.settings, http_client=recorded)
    gateways = application.bot_data.gateways
    gateways.checkout = gateways.payouts = gateways.by_name["stripe"] = gateways.stripe = gateway
    async with EmbeddedServer(build_web_app(application)) as server:
        yield StripeWebhooks(server.url)


async def _one(sandbox, model):
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(model).order_by(model.id)))


async def _pay_on_the_page(sandbox, recorded, at_stripe, dana, spot, *, when: str):
    await _book(dana, spot, when=when)
    (booking,) = await _bookings_of(sandbox, spot)
    (checkout,) = await _one(sandbox, Checkout)
    intent = await at_stripe.pays(booking.price_minor, payload=payload_for(booking))
    recorded.paid_sessions[checkout.reference] = intent.id
    return booking, checkout, intent


def _session(checkout, intent) -> dict[str, Any]:
    return {"id": checkout.reference, "object": "checkout.session", "payment_intent": intent.id,
            "metadata": {"payload": f"booking:{checkout.booking_id}:1"}}  # fmt: skip


async def test_a_stay_paid_on_stripes_page_is_held_captured_and_paid_out(
    sandbox, webhooks, recorded, at_stripe
):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")
    link = dana.last_message()
    assert "secure page" in link.text
    (button,) = link.raw["reply_markup"]["inline_keyboard"][0]
    assert button["url"].startswith("https://checkout.stripe.com/")
    await dana.send("/bookings")
    await dana.press("Pay")  # again: the same page, not a second one
    assert dana.last_message().raw["reply_markup"]["inline_keyboard"][0][0]["url"] == button["url"]
    assert len(recorded.calls_to("POST", "/v1/checkout/sessions")) == 1  # the page is reused

    (booking,) = await _bookings_of(sandbox, spot)
    (checkout,) = await _one(sandbox, Checkout)
    # The page holds the price and an hour of overstay (€4.50), as its intent says.
    intent = await at_stripe.pays(
        600 + 450, payload=payload_for(booking), metadata={"hold_extra_minor": "450"}
    )
    recorded.paid_sessions[checkout.reference] = intent.id
    paid = await webhooks.deliver("checkout.session.completed", _session(checkout, intent),
                                  event_id="evt_paid")  # fmt: skip
    assert paid.json()["outcome"] == "paid"
    assert "is confirmed" in dana.last_message().text
    assert "How to get in: Gate code 4711" in dana.last_message().text
    assert "✅ Booking #1 is paid" in owner.last_message().text  # paid on the page, heard too
    for _ in range(2):  # Stripe retries: the same event twice more
        again = await webhooks.deliver("checkout.session.completed", _session(checkout, intent),
                                       event_id="evt_paid")  # fmt: skip
        assert again.json()["outcome"] == "duplicate"
    (payment,) = await _one(sandbox, Payment)
    assert (payment.gateway, payment.external_id, payment.held) == ("stripe", intent.id, True)
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.CONFIRMED

    sandbox.clock.advance(hours=3, minutes=1)  # 14:01: the stay started and ended
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("move_money")
    assert (await at_stripe.intent(intent.id)).status == "requires_capture"  # for an overstay
    sandbox.clock.advance(minutes=30)  # 14:31: no car reported still there
    await sandbox.runtime.run_job("move_money")
    taken = await at_stripe.intent(intent.id)
    assert (taken.status, taken.amount_received) == ("succeeded", 600)  # the price, no more
    sandbox.clock.advance(minutes=30)  # the owner's share waits an hour for problems found late
    await sandbox.runtime.run_job("move_money")
    assert recorded.calls_to("POST", "/v1/transfers") == []  # no payout account yet

    await owner.send("/payouts")
    setup = owner.last_message()
    assert setup.raw["reply_markup"]["inline_keyboard"][0][0]["url"].startswith(
        "https://connect.stripe.com/"
    )
    async with sandbox.database.reading() as uow:
        account = (await uow.people.by_telegram_id(owner.id)).payout_account_id
    recorded.onboarded_accounts.add(account)
    await webhooks.deliver("account.updated", {"id": account, "object": "account",
                                               "payouts_enabled": True})  # fmt: skip
    await sandbox.runtime.run_job("move_money")
    (transfer,) = recorded.calls_to("POST", "/v1/transfers")
    assert (transfer.form["amount"], transfer.form["destination"]) == (
        str(OWNER_SHARE_MINOR), account,
    )  # fmt: skip
    # Made from the driver's charge, in the booking's group like its PaymentIntent.
    assert transfer.form["source_transaction"] == (await at_stripe.charge_of(intent.id)).id
    assert transfer.form["transfer_group"] == f"booking:{booking.id}"
    assert "Paid out €5.10" in owner.last_message().text


@pytest.mark.parametrize(
    ("fields", "secret"),
    [({}, "whsec_not_ours"), ({"id": 42}, WEBHOOK_SECRET)],
    ids=["forged", "signed but not as Stripe sends it"],
)
async def test_a_webhook_not_to_act_on_is_refused_and_changes_nothing(
    sandbox, webhooks, recorded, at_stripe, fields, secret
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    _, checkout, intent = await _pay_on_the_page(
        sandbox, recorded, at_stripe, dana, spot, when="tomorrow 10-12"
    )
    refused = await webhooks.deliver(
        "checkout.session.completed", {**_session(checkout, intent), **fields}, secret=secret
    )
    assert refused.status_code == 400
    assert await _one(sandbox, Payment) == []
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.AWAITING_PAYMENT


@pytest.fixture
async def failing_stripe(request) -> AsyncIterator[str]:
    """Where Stripe's API fails for a reason that passes: nothing listens there, or it answers
    with the status ``request.param``."""
    if request.param == "unreachable":
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        yield f"http://127.0.0.1:{port}"
        return

    async def fail(_request) -> Response:
        return Response('{"error": {"message": "try again"}}', status_code=request.param)

    routes = [Route("/{path:path}", fail, methods=["GET", "POST"])]
    async with EmbeddedServer(Starlette(routes=routes)) as server:
        yield server.url


@pytest.mark.parametrize(
    "failing_stripe", ["unreachable", 500, 503, 429], indirect=True,
    ids=["unreachable", "stripe's 500", "stripe's 503", "rate limited"],
)  # fmt: skip
async def test_a_paid_page_whose_payment_stripe_cannot_tell_now_is_applied_when_resent(
    sandbox, webhooks, recorded, at_stripe, failing_stripe
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    booking, checkout, intent = await _pay_on_the_page(
        sandbox, recorded, at_stripe, dana, spot, when="tomorrow 10-12"
    )
    gateways = sandbox.runtime.application.bot_data.gateways
    working = gateways.stripe
    gateways.stripe = StripeGateway(
        sandbox.runtime.settings.model_copy(update={"stripe_api_base": failing_stripe})
    )

    answer = await webhooks.deliver("checkout.session.completed", _session(checkout, intent),
                                    event_id="evt_paid")  # fmt: skip

    assert answer.status_code == 503  # Stripe sends it again
    assert await _one(sandbox, GatewayEvent) == []  # not taken as processed
    assert await _one(sandbox, Payment) == []
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.AWAITING_PAYMENT
    gateways.stripe = working
    again = await webhooks.deliver("checkout.session.completed", _session(checkout, intent),
                                   event_id="evt_paid")  # fmt: skip
    assert again.json()["outcome"] == "paid"
    assert "is confirmed" in dana.last_message().text
    (payment,) = await _one(sandbox, Payment)
    assert (payment.booking_id, payment.external_id) == (booking.id, intent.id)


async def test_a_payment_whose_webhook_never_came_is_found_and_confirmed(
    sandbox, webhooks, recorded, at_stripe
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _pay_on_the_page(sandbox, recorded, at_stripe, dana, spot, when="today 12-14")
    await sandbox.runtime.run_job("reconcile_payments")  # too soon to ask
    assert await _one(sandbox, Payment) == []
    sandbox.clock.advance(minutes=11)
    await sandbox.runtime.run_job("reconcile_payments")
    assert "is confirmed" in dana.last_message().text
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.CONFIRMED
    (checkout,) = await _one(sandbox, Checkout)
    assert not checkout.open


async def test_cancelling_a_held_booking_lets_the_hold_go(sandbox, webhooks, recorded, at_stripe):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    _, checkout, intent = await _pay_on_the_page(
        sandbox, recorded, at_stripe, dana, spot, when="tomorrow 10-12"
    )
    await webhooks.deliver("checkout.session.completed", _session(checkout, intent))
    await dana.send("/bookings")
    await dana.press("Cancel")
    await dana.press("Yes, cancel")
    await sandbox.runtime.run_job("move_money")
    assert (await at_stripe.intent(intent.id)).status == "canceled"
    assert "Refunded €6.00 for booking #1" in dana.last_message().text


async def test_a_failed_card_and_a_chargeback_are_told(sandbox, webhooks, recorded, at_stripe):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    booking, checkout, intent = await _pay_on_the_page(
        sandbox, recorded, at_stripe, dana, spot, when="tomorrow 10-12"
    )
    await webhooks.deliver("payment_intent.payment_failed", {
        "id": "pi_declined", "object": "payment_intent", "status": "requires_payment_method",
        "metadata": {"payload": payload_for(booking)},
        "last_payment_error": {"message": "Your card was declined."},
    })  # fmt: skip
    assert "did not go through" in dana.last_message().text

    await webhooks.deliver("checkout.session.completed", _session(checkout, intent))
    await webhooks.deliver("charge.dispute.created", {
        "id": "dp_1", "object": "dispute", "payment_intent": intent.id, "reason": "fraudulent",
    })  # fmt: skip
    (dispute,) = await _one(sandbox, Dispute)
    assert (dispute.booking_id, dispute.kind) == (booking.id, "chargeback")
    alert = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "disputes the payment for booking #1" in alert.text


async def test_the_managers_hear_when_the_bank_takes_a_payment_back_and_when_it_is_decided(
    sandbox, webhooks, recorded, at_stripe
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    _, checkout, intent = await _pay_on_the_page(
        sandbox, recorded, at_stripe, dana, spot, when="tomorrow 10-12"
    )
    await webhooks.deliver("checkout.session.completed", _session(checkout, intent))
    charge = (await at_stripe.charge_of(intent.id)).id
    dispute = {"id": "dp_1", "object": "dispute", "amount": 600, "currency": "eur",
               "charge": charge, "payment_intent": intent.id, "reason": "fraudulent"}  # fmt: skip

    await webhooks.deliver("charge.dispute.funds_withdrawn", {**dispute, "status": "lost"})
    alert = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "bank took back €6.00 for booking #1 (dp_1)" in alert.text
    await webhooks.deliver("charge.dispute.closed", {**dispute, "status": "lost"})
    alert = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "dp_1 on booking #1 is lost: the bank keeps €6.00" in alert.text


async def test_a_hold_stripe_let_go_is_never_paid_out_and_the_managers_are_told(
    sandbox, webhooks, recorded, at_stripe
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    _, checkout, intent = await _pay_on_the_page(
        sandbox, recorded, at_stripe, dana, spot, when="today 12-14"
    )
    await webhooks.deliver("checkout.session.completed", _session(checkout, intent))
    lapsed = {**(await at_stripe.intent(intent.id)).to_dict(), "status": "canceled",
              "latest_charge": (await at_stripe.charge_of(intent.id)).id}  # fmt: skip

    answer = await webhooks.deliver("payment_intent.canceled", lapsed)

    assert answer.json()["outcome"] == "hold_lapsed"
    alert = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "booking #1 was let go before it was taken" in alert.text
    sandbox.clock.advance(hours=4)  # the stay is over, and the owner's hour has passed
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("move_money")
    await sandbox.runtime.run_job("move_money")
    assert recorded.calls_to("POST", "/v1/transfers") == []
    (payment,) = await _one(sandbox, Payment)
    assert payment.status == "lapsed"


async def test_an_unpaid_page_is_closed_at_stripe_when_its_booking_expires(
    sandbox, webhooks, recorded
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    (checkout,) = await _one(sandbox, Checkout)
    (created,) = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert "expires_at" in created.form

    sandbox.clock.advance(minutes=16)  # the 15 minutes to pay are over
    await sandbox.runtime.run_job("expire_overdue")

    (expired,) = recorded.calls_to("POST", f"/v1/checkout/sessions/{checkout.reference}/expire")
    assert expired.headers["Idempotency-Key"] == f"checkout:{checkout.id}:expire"
    (checkout,) = await _one(sandbox, Checkout)
    assert not checkout.open
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.EXPIRED


async def test_a_page_paid_on_as_its_booking_expired_takes_the_booking_back(
    sandbox, webhooks, recorded, at_stripe
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _pay_on_the_page(sandbox, recorded, at_stripe, dana, spot, when="tomorrow 10-12")

    sandbox.clock.advance(minutes=16)  # paid, but the webhook has not come yet
    await sandbox.runtime.run_job("expire_overdue")

    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.CONFIRMED
    (payment,) = await _one(sandbox, Payment)
    assert payment.status == "succeeded"
    (checkout,) = await _one(sandbox, Checkout)
    assert not checkout.open


async def test_cancelling_an_unpaid_booking_closes_its_page_at_once(sandbox, webhooks, recorded):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    (checkout,) = await _one(sandbox, Checkout)

    await dana.send("/bookings")
    await dana.press("Cancel")
    await dana.press("Yes, cancel")

    assert recorded.calls_to("POST", f"/v1/checkout/sessions/{checkout.reference}/expire")
    (checkout,) = await _one(sandbox, Checkout)
    assert not checkout.open


async def test_an_overstay_is_taken_from_the_buffer_held_on_the_card(
    sandbox, webhooks, recorded, at_stripe
):
    """The page holds the price and an hour of overstay at its first rate (€6.00 + €4.50); a
    car gone 40 minutes late pays €3.38 of the buffer, and the hold is taken for €9.38."""
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")
    (page,) = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert page.form["line_items[1][price_data][unit_amount]"] == "450"
    assert page.form["payment_intent_data[metadata][hold_extra_minor]"] == "450"
    assert "overstay" in page.form["line_items[1][price_data][product_data][name]"]
    (booking,) = await _bookings_of(sandbox, spot)
    (checkout,) = await _one(sandbox, Checkout)
    intent = await at_stripe.pays(
        600 + 450, payload=payload_for(booking), metadata={"hold_extra_minor": "450"}
    )
    recorded.paid_sessions[checkout.reference] = intent.id
    paid = await webhooks.deliver("checkout.session.completed", _session(checkout, intent))
    assert paid.json()["outcome"] == "paid"
    (payment,) = await _one(sandbox, Payment)
    assert (payment.amount_minor, payment.authorized_minor, payment.held) == (600, 1050, True)

    sandbox.clock.advance(hours=3, minutes=1)  # 14:01: the stay is over
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("move_money")
    assert (await at_stripe.intent(intent.id)).status == "requires_capture"  # buffer kept
    sandbox.clock.advance(minutes=14)  # 14:15: the owner finds the car still there
    await sandbox.runtime.run_job("advance_bookings")
    await owner.press("The car is still there")
    sandbox.clock.advance(minutes=25)  # 14:40: gone
    await dana.press("I've left")
    assert "€3.38, is taken from the amount held on your card" in dana.last_message().text
    assert not any(message.invoice for message in dana.messages())  # no invoice at all
    assert "paid €3.38 for staying on. Your share, €2.88" in owner.last_message().text

    await sandbox.runtime.run_job("move_money")
    taken = await at_stripe.intent(intent.id)
    assert (taken.status, taken.amount_received) == ("succeeded", 938)
    (payment,) = await _one(sandbox, Payment)
    assert (payment.amount_minor, payment.held) == (938, False)


async def _pass_paid_on_the_page(sandbox, recorded, at_stripe, webhooks, *, number: str):
    """Olga offers nights by the month; Dana takes a pass and pays its first month on Stripe's
    page, which saves her card."""
    olga, spot = await _owner_and_spot(sandbox)
    await _offer_nights(olga)
    dana = sandbox.person("Dana")
    await _take_pass(sandbox, dana, spot)
    assert "secure page" in dana.last_message().text
    (checkout,) = await _one(sandbox, Checkout)
    first = (await _bookings_of(sandbox, spot))[0]
    customer, method = await at_stripe.saves_card(number=number)
    intent = await at_stripe.pays_with_saved_card(
        12000, customer, method, payload=payload_for(first)
    )
    recorded.paid_sessions[checkout.reference] = intent.id
    paid = await webhooks.deliver("checkout.session.completed", _session(checkout, intent))
    assert paid.json()["outcome"] == "paid"
    assert "Your monthly pass is on" in dana.last_message().text
    (monthly_pass,) = await _one(sandbox, MonthlyPass)
    assert (monthly_pass.card_customer_ref, monthly_pass.card_method_ref) == (customer, method)
    return olga, spot, dana


async def test_a_pass_paid_on_stripes_page_renews_on_the_saved_card(
    sandbox, webhooks, recorded, at_stripe
):
    olga, spot, dana = await _pass_paid_on_the_page(
        sandbox, recorded, at_stripe, webhooks, number="4242424242424242"
    )
    sandbox.clock.advance(days=25, hours=1)  # 26 June: July is billed to the saved card
    await sandbox.runtime.run_job("keep_passes")
    assert any("charged to the driver's saved card" in m.text for m in olga.messages()[-3:])
    assert any("charged to your saved card" in m.text for m in dana.messages()[-3:])
    assert "Your monthly pass is on: its month's 31 stays are confirmed" in dana.last_message().text
    first, second = await _one(sandbox, Payment)
    assert (second.amount_minor, second.held, second.status) == (12000, False, "succeeded")
    charged = await at_stripe.intent(second.external_id)
    assert (charged.status, charged.amount_received) == ("succeeded", 12000)
    assert charged.payment_method == first_card(await at_stripe.intent(first.external_id))
    july = [b for b in await _bookings_of(sandbox, spot) if b.start_at.month == 7]
    assert len(july) == 31
    assert {b.status for b in july} == {BookingStatus.CONFIRMED}
    # Stripe's own word of that charge, when it comes, changes nothing.
    again = await webhooks.deliver("payment_intent.succeeded", charged.to_dict())
    assert again.json()["outcome"] == "duplicate", again.text

    # Then notice: July is paid, so the pass ends with it, and August is never charged.
    await dana.send("/passes")
    await dana.press("End the pass")
    await dana.press("Yes, give notice")
    assert "ends on Sat, Aug 1 11:00" in dana.last_message().text
    sandbox.clock.advance(days=36)  # 1 August, after the last night
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("keep_passes")
    assert "has ended" in dana.last_message().text
    assert len(await _one(sandbox, Payment)) == 2


def first_card(intent) -> str:
    return (
        intent.payment_method
        if isinstance(intent.payment_method, str)
        else intent.payment_method.id
    )


async def test_a_renewal_the_bank_wants_confirmed_sends_the_driver_to_the_page(
    sandbox, webhooks, recorded, at_stripe
):
    _olga, spot, dana = await _pass_paid_on_the_page(
        sandbox, recorded, at_stripe, webhooks, number="4000002760003184"
    )
    sandbox.clock.advance(days=25, hours=1)
    await sandbox.runtime.run_job("keep_passes")
    asked = [m.text for m in dana.messages()[-3:]]
    assert any("Your bank asks you to confirm this payment" in text for text in asked)
    assert "secure page" in dana.last_message().text
    assert len(await _one(sandbox, Payment)) == 1  # nothing taken
    july = [b for b in await _bookings_of(sandbox, spot) if b.start_at.month == 7]
    assert {b.status for b in july} == {BookingStatus.AWAITING_PAYMENT}

    # The page lasts a day at Stripe; the month can be paid until it begins, on a new page.
    (page,) = [c for c in await _one(sandbox, Checkout) if c.open]
    sandbox.clock.advance(days=1, minutes=1)
    await sandbox.runtime.run_job("reconcile_payments")
    await dana.send("/bookings")
    await dana.press("Pay")
    assert "secure page" in dana.last_message().text
    first_try, second_try = recorded.calls_to("POST", "/v1/checkout/sessions")[-2:]
    first_key, second_key = (c.headers["Idempotency-Key"] for c in (first_try, second_try))
    assert second_key.startswith(first_key.rsplit(":", 1)[0] + ":2:")
    pages = await _one(sandbox, Checkout)
    assert [(c.reference, c.open) for c in pages if c.booking_id == page.booking_id] == [
        (page.reference, False),
        (pages[-1].reference, True),
    ]
    assert pages[-1].reference != page.reference


async def test_a_page_in_its_last_minutes_is_closed_at_stripe_before_a_new_one_opens(
    sandbox, webhooks, recorded, at_stripe
):
    _olga, _spot, dana = await _pass_paid_on_the_page(
        sandbox, recorded, at_stripe, webhooks, number="4000002760003184"
    )
    sandbox.clock.advance(days=25, hours=1)
    await sandbox.runtime.run_job("keep_passes")
    (page,) = [c for c in await _one(sandbox, Checkout) if c.open]
    assert page.expires_at is not None
    left = page.expires_at - sandbox.clock.now() - timedelta(minutes=5)
    sandbox.clock.advance(seconds=left.total_seconds())

    await dana.send("/bookings")
    await dana.press("Pay")

    assert "secure page" in dana.last_message().text
    (expired,) = recorded.calls_to("POST", f"/v1/checkout/sessions/{page.reference}/expire")
    assert expired.headers["Idempotency-Key"] == f"checkout:{page.id}:expire"
    pages = [c for c in await _one(sandbox, Checkout) if c.booking_id == page.booking_id]
    assert [c.open for c in pages] == [False, True]
