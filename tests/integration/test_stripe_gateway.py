"""The Stripe gateway through the real ``stripe`` SDK over HTTP: PaymentIntents, refunds and
webhooks against localstripe on loopback; Checkout and Connect, which localstripe lacks, from
Stripe's documented responses (tests/support/recorded_stripe.py)."""

from __future__ import annotations

import asyncio
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from core.money import Money
from core.ports import (
    CollectOrder,
    GatewayPaymentStatus,
    GatewayRefused,
    GatewayUnavailable,
    PayerNeeded,
    PaymentState,
    PayoutAccountMissing,
    PayoutOrder,
    RefundOrder,
    ReversalOrder,
    SavedCard,
    SavedCardCharge,
)
from core.settings import Settings
from payments.stripe_gateway import CHECKOUT_STRETCH, ForgedWebhook, StripeGateway
from payments.telegram_invoice import TelegramInvoiceGateway
from tests.support.localstripe import LocalStripe
from tests.support.recorded_stripe import RecordedStripe
from tests.support.stripe_side import PAYLOAD, SECRET_KEY, WEBHOOK_SECRET

OWNER_ACCOUNT = "acct_1QzTA2PxW8mR4kLd"
# localstripe sends each event a second after the call that caused it.
WEBHOOK_DEADLINE_S = 5


@pytest.fixture
def gateway(stripe_server: LocalStripe, recorded: RecordedStripe) -> StripeGateway:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_server.url,
    )
    return StripeGateway(settings, http_client=recorded)


@pytest.fixture
def webhook_deliveries(stripe_server: LocalStripe) -> Iterator[queue.Queue[tuple[bytes, str]]]:
    """Our webhook endpoint as localstripe sees it: a loopback server keeping each delivery's
    body and Stripe-Signature header, unverified, for the gateway to judge."""
    deliveries: queue.Queue[tuple[bytes, str]] = queue.Queue()

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            deliveries.put((body, self.headers.get("Stripe-Signature", "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    stripe_server.register_webhook(
        f"http://127.0.0.1:{server.server_port}/stripe/webhook", WEBHOOK_SECRET
    )
    yield deliveries
    server.shutdown()
    server.server_close()
    thread.join()


def euros(minor: int) -> Money:
    return Money(minor, "EUR")


def an_order(*, hold: bool = True, amount: Money | None = None) -> CollectOrder:
    return CollectOrder(
        booking_id=42,
        amount=amount or euros(600),
        description="Garage on Elm St. The money is held until your stay is over.",
        payload=PAYLOAD,
        idempotency_key=f"{PAYLOAD}:collect",
        hold=hold,
        return_url="https://t.me/parkshare_bot",
    )


def signed(payload: str, secret: str = WEBHOOK_SECRET, **kwargs: Any) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, **kwargs)


def an_event_payload() -> str:
    intent = {"id": "pi_1", "object": "payment_intent", "status": "canceled", "amount": 600}
    return json.dumps(
        {"id": "evt_1", "object": "event", "type": "payment_intent.canceled",
         "data": {"object": intent}}
    )  # fmt: skip


# Holds, captures and releases


async def test_a_hold_captured_in_full_takes_the_money(gateway, at_stripe):
    intent = await at_stripe.pays(600)
    assert intent.status == "requires_capture"

    await gateway.capture(intent.id, euros(600), "payment:1:capture")

    assert (await at_stripe.intent(intent.id)).status == "succeeded"
    charge = await at_stripe.charge_of(intent.id)
    assert charge.captured is True
    assert charge.amount_refunded == 0


async def test_capturing_less_than_the_hold_leaves_the_rest_on_the_card(gateway, at_stripe):
    intent = await at_stripe.pays(600)

    await gateway.capture(intent.id, euros(450), "payment:1:capture")

    charge = await at_stripe.charge_of(intent.id)
    assert (charge.amount, charge.amount_refunded) == (600, 150)


async def test_a_released_hold_is_canceled(gateway, at_stripe):
    intent = await at_stripe.pays(600)

    await gateway.release(intent.id, "payment:1:release")

    assert (await at_stripe.intent(intent.id)).status == "canceled"


async def test_capturing_an_unknown_intent_is_refused_for_good(gateway):
    with pytest.raises(GatewayRefused, match="InvalidRequestError") as refused:
        await gateway.capture("pi_unknown", euros(600), "payment:1:capture")
    assert not isinstance(refused.value, GatewayUnavailable)  # asking again changes nothing


async def test_stripe_out_of_reach_is_unavailable_for_now():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    settings = Settings(_env_file=None, stripe_secret_key=SECRET_KEY,  # type: ignore[call-arg]
                        stripe_api_base=nowhere)  # fmt: skip

    with pytest.raises(GatewayUnavailable, match="APIConnectionError"):
        await StripeGateway(settings).payment_state("pi_1")


async def test_a_declined_card_leaves_nothing_to_capture(gateway, at_stripe):
    intent_id = await at_stripe.declines(600)

    with pytest.raises(GatewayRefused):
        await gateway.capture(intent_id, euros(600), "payment:1:capture")
    assert (await gateway.payment_state(intent_id)).status == GatewayPaymentStatus.PENDING


# Refunds


async def test_a_captured_payment_is_refunded_in_part(gateway, at_stripe):
    intent = await at_stripe.pays(600, hold=False)
    assert intent.status == "succeeded"

    refund_id = await gateway.refund(
        RefundOrder(euros(200), "booking:42:refund:late:1", intent.id, None)
    )

    assert refund_id.startswith("re_")
    refund = await at_stripe.refund(refund_id)
    assert (refund.amount, refund.currency, refund.payment_intent) == (200, "eur", intent.id)
    assert (await at_stripe.charge_of(intent.id)).amount_refunded == 200


async def test_refunding_all_of_a_hold_cancels_it(gateway, at_stripe):
    intent = await at_stripe.pays(600)

    reference = await gateway.refund(
        RefundOrder(euros(600), "booking:42:refund:cancelled:1", intent.id, None)
    )

    assert reference == intent.id
    assert (await at_stripe.intent(intent.id)).status == "canceled"
    assert await at_stripe.refunds_of(intent.id) == []


async def test_refunding_part_of_a_hold_captures_only_the_rest(gateway, at_stripe):
    intent = await at_stripe.pays(600)

    reference = await gateway.refund(
        RefundOrder(euros(200), "booking:42:refund:late:1", intent.id, None)
    )

    assert reference == intent.id
    assert (await at_stripe.intent(intent.id)).status == "succeeded"
    charge = await at_stripe.charge_of(intent.id)
    # Stripe shows the part of a hold that was never captured as refunded.
    assert charge.amount - charge.amount_refunded == 400


@pytest.mark.parametrize(("refund", "taken"), [(200, 400), (600, 0), (700, 0)])
async def test_a_refund_of_a_hold_with_an_overstay_buffer_never_takes_the_buffer(
    gateway, at_stripe, refund, taken
):
    """€6.00 owed on a €10.50 hold: refunding part takes the rest of what is owed, no more;
    refunding all of it lets the hold go."""
    intent = await at_stripe.pays(1050)

    await gateway.refund(
        RefundOrder(
            euros(refund), "booking:42:refund:late:1", intent.id, None, held_owed=euros(600)
        )
    )

    after = await at_stripe.intent(intent.id)
    if taken:
        assert (after.status, after.amount_received) == ("succeeded", taken)
    else:
        assert after.status == "canceled"


async def test_refunding_a_hold_that_was_already_released_moves_no_money(gateway, at_stripe):
    intent = await at_stripe.pays(600)
    await gateway.release(intent.id, "payment:1:release")

    reference = await gateway.refund(
        RefundOrder(euros(600), "booking:42:refund:cancelled:1", intent.id, None)
    )

    assert reference == intent.id
    assert await at_stripe.refunds_of(intent.id) == []


async def test_a_refund_in_another_currency_is_refused(gateway, at_stripe):
    intent = await at_stripe.pays(600, hold=False)

    with pytest.raises(GatewayRefused, match="USD"):
        await gateway.refund(RefundOrder(Money(600, "USD"), "refund:1", intent.id, None))
    assert await at_stripe.refunds_of(intent.id) == []


async def test_a_telegram_payment_is_refunded_through_stripe_by_its_charge_id(gateway, at_stripe):
    charge = await at_stripe.telegram_charge(600)
    telegram = TelegramInvoiceGateway("provider-token", refunds=gateway)

    refund_id = await telegram.refund(
        RefundOrder(euros(600), "booking:42:refund:cancelled:1", "tg-payment-1", charge.id)
    )

    refund = await at_stripe.refund(refund_id)
    assert (refund.charge, refund.amount) == (charge.id, 600)
    assert (await at_stripe.charge(charge.id)).refunded is True


async def test_every_call_that_moves_money_carries_its_idempotency_key(
    gateway, at_stripe, recorded
):
    captured, released, refunded, cancelled = [await at_stripe.pays(600) for _ in range(4)]
    charged = await at_stripe.pays(600, hold=False)

    await gateway.capture(captured.id, euros(600), "payment:1:capture")
    await gateway.release(released.id, "payment:2:release")
    await gateway.refund(RefundOrder(euros(100), "booking:3:refund:late:3", refunded.id, None))
    await gateway.refund(RefundOrder(euros(600), "booking:4:refund:late:4", cancelled.id, None))
    await gateway.refund(RefundOrder(euros(100), "booking:5:refund:late:5", charged.id, None))

    keys = {
        call.path: call.headers.get("Idempotency-Key")
        for call in recorded.calls
        if call.method == "POST"
    }
    # Each step of a refund has a key of its own, built from the refund's.
    assert keys == {
        f"/v1/payment_intents/{captured.id}/capture": "payment:1:capture",
        f"/v1/payment_intents/{released.id}/cancel": "payment:2:release",
        f"/v1/payment_intents/{refunded.id}/capture": "booking:3:refund:late:3:capture",
        f"/v1/payment_intents/{cancelled.id}/cancel": "booking:4:refund:late:4:cancel",
        "/v1/refunds": "booking:5:refund:late:5:refund",
    }


async def test_a_refund_of_part_of_a_hold_retried_after_the_capture_counts_as_done(
    gateway, at_stripe
):
    intent = await at_stripe.pays(600)
    order = RefundOrder(euros(200), "booking:42:refund:late:1", intent.id, None)
    await gateway.refund(order)

    # The answer was lost (a crash, a timeout): the sweep asks again.
    assert await gateway.refund(order) == intent.id

    charge = await at_stripe.charge_of(intent.id)
    assert charge.amount - charge.amount_refunded == 400


async def test_a_refund_retried_after_stripe_made_it_refunds_once(gateway, at_stripe):
    intent = await at_stripe.pays(600, hold=False)
    order = RefundOrder(euros(200), "booking:42:refund:late:1", intent.id, None)
    first = await gateway.refund(order)

    assert await gateway.refund(order) == first

    assert [refund.amount for refund in await at_stripe.refunds_of(intent.id)] == [200]


async def test_stripe_is_never_asked_to_refund_more_than_is_left(gateway, at_stripe):
    intent = await at_stripe.pays(600, hold=False)
    await gateway.refund(RefundOrder(euros(500), "booking:42:refund:ruling:1", intent.id, None))

    with pytest.raises(GatewayRefused, match="100 left"):
        await gateway.refund(
            RefundOrder(euros(200), "booking:42:refund:dispute:1", intent.id, None)
        )

    assert [refund.amount for refund in await at_stripe.refunds_of(intent.id)] == [500]


async def test_what_is_left_of_a_partly_taken_hold_is_what_was_taken(gateway, at_stripe):
    intent = await at_stripe.pays(600)
    await gateway.refund(RefundOrder(euros(200), "booking:42:refund:late:1", intent.id, None))

    with pytest.raises(GatewayRefused, match="400 left"):
        await gateway.refund(
            RefundOrder(euros(401), "booking:42:refund:dispute:1", intent.id, None)
        )
    await gateway.refund(RefundOrder(euros(400), "booking:42:refund:dispute:1", intent.id, None))

    charge = await at_stripe.charge_of(intent.id)
    assert charge.amount_refunded == 600


async def test_a_telegram_payment_is_never_refunded_beyond_its_charge(gateway, at_stripe):
    charge = await at_stripe.telegram_charge(600)
    telegram = TelegramInvoiceGateway("provider-token", refunds=gateway)
    await telegram.refund(
        RefundOrder(euros(600), "booking:42:refund:cancelled:1", "tg-1", charge.id)
    )

    with pytest.raises(GatewayRefused, match="0 left"):
        await telegram.refund(
            RefundOrder(euros(100), "booking:42:refund:dispute:1", "tg-1", charge.id)
        )
    assert (await at_stripe.charge(charge.id)).amount_refunded == 600


async def test_a_telegram_refund_retried_refunds_once(gateway, at_stripe):
    charge = await at_stripe.telegram_charge(600)
    telegram = TelegramInvoiceGateway("provider-token", refunds=gateway)
    order = RefundOrder(euros(200), "booking:42:refund:cancelled:1", "tg-payment-1", charge.id)

    first = await telegram.refund(order)

    assert await telegram.refund(order) == first
    assert (await at_stripe.charge(charge.id)).amount_refunded == 200


async def test_a_cancelled_hold_retried_counts_as_done(gateway, at_stripe):
    intent = await at_stripe.pays(600)
    order = RefundOrder(euros(600), "booking:42:refund:cancelled:1", intent.id, None)
    await gateway.refund(order)

    assert await gateway.refund(order) == intent.id
    assert (await at_stripe.intent(intent.id)).status == "canceled"


# Checkout


async def test_collecting_opens_a_checkout_page_that_holds_the_card(gateway, recorded):
    collection = await gateway.collect(an_order(hold=True))

    assert collection.url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert collection.reference.startswith("cs_test_")
    [call] = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert call.headers["Idempotency-Key"] == f"{PAYLOAD}:collect"
    assert call.form["mode"] == "payment"
    assert call.form["payment_intent_data[capture_method]"] == "manual"
    booking = {"booking_id": "42", "payload": PAYLOAD}
    assert call.nested("payment_intent_data[metadata]") == booking
    assert call.form["payment_intent_data[transfer_group]"] == "booking:42"
    assert call.nested("metadata") == booking
    assert call.form["client_reference_id"] == PAYLOAD
    assert call.form["line_items[0][quantity]"] == "1"
    assert call.form["line_items[0][price_data][currency]"] == "eur"
    assert call.form["line_items[0][price_data][unit_amount]"] == "600"
    assert call.form["line_items[0][price_data][product_data][name]"].startswith("Garage on Elm")
    assert call.form["success_url"] == call.form["cancel_url"] == "https://t.me/parkshare_bot"


async def test_a_checkout_page_closes_when_its_booking_stops_waiting_for_payment(gateway, recorded):
    pay_by = datetime.now(UTC) + timedelta(minutes=45)

    await gateway.collect(replace(an_order(), pay_by=pay_by))

    [call] = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert call.form["expires_at"] == str(int(pay_by.timestamp()))


@pytest.mark.parametrize("minutes_left", [5, -60])
async def test_a_checkout_page_stays_open_the_half_hour_stripe_requires(
    gateway, recorded, minutes_left
):
    asked_at = datetime.now(UTC)

    await gateway.collect(replace(an_order(), pay_by=asked_at + timedelta(minutes=minutes_left)))

    [call] = recorded.calls_to("POST", "/v1/checkout/sessions")
    expires_at = datetime.fromtimestamp(int(call.form["expires_at"]), UTC)
    # Worked out for the five minutes the request falls in, so a retry asks the same.
    assert asked_at + timedelta(minutes=30) < expires_at < asked_at + timedelta(minutes=37)


async def test_a_page_asked_for_again_at_once_is_the_same_request_and_the_same_page(
    gateway, recorded
):
    order = replace(an_order(), pay_by=datetime.now(UTC) + timedelta(minutes=10))
    into_stretch = time.time() % CHECKOUT_STRETCH.total_seconds()
    if into_stretch > CHECKOUT_STRETCH.total_seconds() - 3:
        await asyncio.sleep(CHECKOUT_STRETCH.total_seconds() - into_stretch + 0.1)

    first = await gateway.collect(order)
    await asyncio.sleep(1.1)  # a retry a moment later: "now" is another second
    again = await gateway.collect(order)

    one, two = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert one.headers["Idempotency-Key"] == two.headers["Idempotency-Key"]
    assert one.headers["Idempotency-Key"].startswith(f"{PAYLOAD}:collect:")
    assert one.form == two.form
    assert again.reference == first.reference


async def test_a_checkout_page_ahead_of_stripes_day_closes_within_it(gateway, recorded):
    asked_at = datetime.now(UTC)

    await gateway.collect(replace(an_order(), pay_by=asked_at + timedelta(days=3)))

    [call] = recorded.calls_to("POST", "/v1/checkout/sessions")
    expires_at = datetime.fromtimestamp(int(call.form["expires_at"]), UTC)
    assert asked_at + timedelta(hours=23) < expires_at < asked_at + timedelta(hours=24)


async def test_an_open_checkout_page_is_expired_once_with_its_idempotency_key(gateway, recorded):
    collection = await gateway.collect(an_order())

    assert await gateway.expire_checkout(collection.reference, "checkout:1:expire") is True
    assert await gateway.expire_checkout(collection.reference, "checkout:1:expire") is True
    [call, _again] = recorded.calls_to(
        "POST", f"/v1/checkout/sessions/{collection.reference}/expire"
    )
    assert call.headers["Idempotency-Key"] == "checkout:1:expire"


async def test_a_checkout_page_already_paid_on_is_not_expired(gateway, at_stripe, recorded):
    collection = await gateway.collect(an_order())
    recorded.paid_sessions[collection.reference] = (await at_stripe.pays(600)).id

    assert await gateway.expire_checkout(collection.reference, "checkout:1:expire") is False


async def test_a_stay_too_far_ahead_for_a_hold_is_charged_at_once(gateway, recorded):
    await gateway.collect(an_order(hold=False))

    [call] = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert call.form["payment_intent_data[capture_method]"] == "automatic"


@pytest.mark.parametrize(
    ("amount", "stripe_amount"),
    [(Money(600, "EUR"), "600"), (Money(500, "JPY"), "500"), (Money(500, "ISK"), "50000")],
    ids=["EUR", "JPY", "ISK"],
)
async def test_amounts_are_sent_in_stripes_units(gateway, recorded, amount, stripe_amount):
    # ISK has no minor unit in ISO 4217, but Stripe's API still counts it in hundredths.
    await gateway.collect(an_order(amount=amount))

    [call] = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert call.form["line_items[0][price_data][unit_amount]"] == stripe_amount


async def test_a_quiet_checkout_is_reconciled_from_its_payment_intent(gateway, at_stripe, recorded):
    collection = await gateway.collect(an_order())
    assert await gateway.payment_of_checkout(collection.reference) is None

    intent = await at_stripe.pays(600)
    recorded.paid_sessions[collection.reference] = intent.id

    assert await gateway.payment_of_checkout(collection.reference) == intent.id
    charge = await at_stripe.charge_of(intent.id)
    assert await gateway.payment_state(intent.id) == PaymentState(
        status=GatewayPaymentStatus.HELD, amount=euros(600), charge_id=charge.id,
        capture_before=datetime.fromtimestamp(
            charge.payment_method_details.card.capture_before, UTC
        ),
    )  # fmt: skip


async def test_a_holds_lapse_is_read_from_its_charge(gateway, at_stripe):
    intent = await at_stripe.pays(600)
    charge = await at_stripe.charge_of(intent.id)

    state = await gateway.payment_state(intent.id)

    # Stripe: payment_method_details.card.capture_before, seven days for an online card.
    assert state.capture_before == datetime.fromtimestamp(charge.created + 7 * 24 * 3600, UTC)


async def test_an_intent_in_isk_reads_back_in_whole_kronur(gateway, at_stripe):
    intent = await at_stripe.pays(50000, currency="isk")

    assert (await gateway.payment_state(intent.id)).amount == Money(500, "ISK")


# Connect payouts


async def test_a_payout_waits_while_the_owner_has_no_account(gateway, recorded):
    with pytest.raises(PayoutAccountMissing):
        await gateway.pay_out(PayoutOrder(7, euros(510), "booking:42:payout", destination=None))

    assert recorded.calls == []


async def test_a_payout_is_a_transfer_to_the_owners_account_from_its_bookings_charge(
    gateway, recorded
):
    transfer_id = await gateway.pay_out(
        PayoutOrder(7, euros(510), "booking:42:payout", destination=OWNER_ACCOUNT,
                    booking_id=42, source_charge="ch_1")
    )  # fmt: skip

    assert transfer_id.startswith("tr_")
    [call] = recorded.calls_to("POST", "/v1/transfers")
    assert call.headers["Idempotency-Key"] == "booking:42:payout"
    assert call.form["amount"] == "510"
    assert call.form["currency"] == "eur"
    assert call.form["destination"] == OWNER_ACCOUNT
    # The same group as the booking's PaymentIntent, and made from its charge.
    assert call.form["transfer_group"] == "booking:42"
    assert call.form["source_transaction"] == "ch_1"
    assert call.nested("metadata") == {"owner_id": "7"}


async def test_a_payout_of_a_payment_made_elsewhere_waits_for_the_platforms_balance(
    gateway, recorded
):
    await gateway.pay_out(
        PayoutOrder(7, euros(510), "booking:42:payout", destination=OWNER_ACCOUNT,
                    booking_id=42, source_charge="sbx_ch_1")
    )  # fmt: skip

    [call] = recorded.calls_to("POST", "/v1/transfers")
    assert "source_transaction" not in call.form


async def test_part_of_a_payout_is_taken_back_with_its_own_idempotency_key(gateway, recorded):
    reversal_id = await gateway.reverse_payout(
        ReversalOrder("tr_1", euros(255), "booking:42:payout:reversal:3")
    )

    assert reversal_id.startswith("trr_")
    [call] = recorded.calls_to("POST", "/v1/transfers/tr_1/reversals")
    assert call.headers["Idempotency-Key"] == "booking:42:payout:reversal:3"
    assert call.form["amount"] == "255"


async def test_a_payout_the_owners_account_cannot_give_back_is_refused(gateway, recorded):
    recorded.unreversible_transfers.add("tr_1")

    with pytest.raises(GatewayRefused, match="Insufficient funds"):
        await gateway.reverse_payout(ReversalOrder("tr_1", euros(255), "key"))


async def test_an_owner_opens_an_express_account_through_an_onboarding_link(gateway, recorded):
    account_id = await gateway.create_payout_account(7, country="DE")
    link = await gateway.onboarding_link(
        account_id, refresh_url="https://t.me/bot?r", return_url="https://t.me/bot"
    )

    assert account_id.startswith("acct_")
    assert link.startswith(f"https://connect.stripe.com/setup/e/{account_id}/")
    [created] = recorded.calls_to("POST", "/v1/accounts")
    assert created.headers["Idempotency-Key"] == "owner:7:account"
    assert created.form["type"] == "express"
    assert created.form["country"] == "DE"
    assert created.form["capabilities[transfers][requested]"] == "true"
    assert created.nested("metadata") == {"owner_id": "7"}
    [linked] = recorded.calls_to("POST", "/v1/account_links")
    assert linked.form == {
        "account": account_id,
        "type": "account_onboarding",
        "refresh_url": "https://t.me/bot?r",
        "return_url": "https://t.me/bot",
    }


async def test_payouts_are_enabled_once_the_owner_finishes_onboarding(gateway, recorded):
    account_id = await gateway.create_payout_account(7, country="DE")
    assert await gateway.payouts_enabled(account_id) is False

    recorded.onboarded_accounts.add(account_id)

    assert await gateway.payouts_enabled(account_id) is True


# Webhooks


async def test_a_webhook_signed_with_our_secret_is_accepted(gateway):
    payload = an_event_payload()

    event = await gateway.parse_event(payload.encode(), signed(payload))

    assert isinstance(event, stripe.Event)
    assert event.type == "payment_intent.canceled"
    assert event.data.object.id == "pi_1"


async def test_a_webhook_signed_with_another_secret_is_refused(gateway):
    payload = an_event_payload()

    with pytest.raises(ForgedWebhook):
        await gateway.parse_event(payload.encode(), signed(payload, "whsec_someone_else"))


async def test_a_webhook_whose_body_was_changed_after_signing_is_refused(gateway):
    header = signed(an_event_payload())
    tampered = an_event_payload().replace('"amount": 600', '"amount": 6')

    with pytest.raises(ForgedWebhook):
        await gateway.parse_event(tampered.encode(), header)


@pytest.mark.parametrize("signature", [None, ""], ids=["no header", "empty header"])
async def test_a_webhook_without_a_signature_is_refused(gateway, signature):
    with pytest.raises(ForgedWebhook):
        await gateway.parse_event(an_event_payload().encode(), signature)


async def test_a_replayed_old_webhook_is_refused(gateway):
    payload = an_event_payload()
    an_hour_ago = int(time.time()) - 3600

    with pytest.raises(ForgedWebhook):
        await gateway.parse_event(payload.encode(), signed(payload, timestamp=an_hour_ago))


async def test_a_webhook_signed_in_the_future_is_refused(gateway):
    payload = an_event_payload()
    in_an_hour = int(time.time()) + 3600

    with pytest.raises(ForgedWebhook):
        await gateway.parse_event(payload.encode(), signed(payload, timestamp=in_an_hour))


NULL_OBJECT = '{"id": "evt_1", "object": "event", "type": "x", "data": {"object": null}}'


@pytest.mark.parametrize(
    "payload", ["not json", "[]", "{}", NULL_OBJECT], ids=["text", "list", "empty", "null object"]
)
async def test_a_signed_body_that_is_not_an_event_is_refused(gateway, payload):
    with pytest.raises(ForgedWebhook):
        await gateway.parse_event(payload.encode(), signed(payload))


async def test_the_event_stripe_sends_on_capture_is_verified(
    gateway, at_stripe, webhook_deliveries
):
    intent = await at_stripe.pays(600)

    await gateway.capture(intent.id, euros(600), "payment:1:capture")

    body, signature = await asyncio.to_thread(webhook_deliveries.get, timeout=WEBHOOK_DEADLINE_S)
    event = await gateway.parse_event(body, signature)
    assert event.type == "payment_intent.succeeded"
    assert (event.data.object.id, event.data.object.status) == (intent.id, "succeeded")
    assert event.data.object.metadata["payload"] == PAYLOAD


# --- a card saved for the months of a pass ---------------------------------------------------


def _month_charge(customer: str, method: str) -> SavedCardCharge:
    return SavedCardCharge(
        card=SavedCard(customer, method), amount=Money(12000, "EUR"), description="Garage",
        payload=PAYLOAD, booking_id=42, idempotency_key="booking:42:1:saved_card",
    )  # fmt: skip


async def test_a_saved_card_is_charged_off_session_and_remembered_on_the_payment(
    gateway, at_stripe
):
    customer, method = await at_stripe.saves_card()
    reference, state = await gateway.charge_saved(_month_charge(customer, method))
    assert state.status == GatewayPaymentStatus.CHARGED
    assert state.amount == Money(12000, "EUR")
    assert state.saved_card == SavedCard(customer, method)
    intent = await at_stripe.intent(reference)
    assert (intent.status, intent.amount_received, intent.customer) == (
        "succeeded",
        12000,
        customer,
    )
    # Asked again (a sweep that restarted), Stripe answers with the same payment.
    again, _state = await gateway.charge_saved(_month_charge(customer, method))
    assert again == reference


async def test_a_card_whose_bank_wants_the_cardholder_needs_the_driver(gateway, at_stripe):
    customer, method = await at_stripe.saves_card(number="4000002760003184")
    with pytest.raises(PayerNeeded):
        await gateway.charge_saved(_month_charge(customer, method))


async def test_a_page_that_saves_the_card_says_so_to_stripe(gateway, recorded):
    order = CollectOrder(
        booking_id=42, amount=Money(12000, "EUR"), description="Garage", payload=PAYLOAD,
        idempotency_key="booking:42:1:collect", hold=False, save_card=True,
    )  # fmt: skip
    await gateway.collect(order)
    (call,) = recorded.calls_to("POST", "/v1/checkout/sessions")
    assert call.form["payment_intent_data[setup_future_usage]"] == "off_session"
    assert call.form["customer_creation"] == "always"
