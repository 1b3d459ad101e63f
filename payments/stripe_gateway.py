"""Stripe: the driver pays on a hosted Checkout page that holds the card (manual capture) or
charges it; the hold is later captured, released or refunded, and owners are paid out by
transfers to their Connect Express accounts. The SDK is synchronous, so every call runs in a
worker thread, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

import stripe
from stripe.params import RefundCreateParams, RefundListParams, TransferCreateParams
from stripe.params.checkout import SessionCreateParams, SessionCreateParamsLineItem

from core.money import Money, minor_digits
from core.ports import (
    CollectOrder,
    GatewayPaymentStatus,
    GatewayRefused,
    GatewayUnavailable,
    HostedCheckoutGateway,
    LinkCollection,
    PayerNeeded,
    PaymentState,
    PayoutAccountMissing,
    PayoutGateway,
    PayoutOrder,
    RefundOrder,
    ReversalOrder,
    SavedCard,
    SavedCardCharge,
)
from core.settings import Settings

HELD = "requires_capture"
CANCELED = "canceled"
# The metadata key under which a refund (or a capture that refunds) names its idempotency key.
REFUND_MARK = "parkshare_refund"
# The intent's metadata naming the overstay buffer its hold carries, in minor units.
HOLD_EXTRA_KEY = "hold_extra_minor"
# The description names the spot and what happens to the money; a user-typed spot title
# could make it longer than a payment page shows or Stripe accepts.
PRODUCT_NAME_MAX = 250
# Every mutating call carries an idempotency key, so retrying a lost connection is safe.
NETWORK_RETRIES = 2
# A Checkout Session's expires_at "must be between 30 minutes and 24 hours after the current
# time" (Stripe's clock, hence the real one here); a minute's margin for the request's way
# there. A page that would close later than its booking's payment window is expired by us.
CHECKOUT_OPEN_AT_LEAST = timedelta(minutes=31)
CHECKOUT_OPEN_AT_MOST = timedelta(hours=24) - timedelta(minutes=1)
CHECKOUT_STRETCH = timedelta(minutes=5)

# Stripe's rules for amounts (docs.stripe.com/currencies: "Minor units in API amounts" and
# "Special cases"). Amounts have two decimals unless listed here, whatever CLDR's exponent,
# which Money follows: ISK, HUF, IDR and others have none in CLDR and two in Stripe's API.
STRIPE_ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "VND", "VUV", "XAF", "XOF", "XPF",
})  # fmt: skip
# ISK and UGX "transitioned to a zero-decimal currency, but backward compatibility requires you
# to represent it as a two-decimal value, where the decimal amount is always 00" (5 ISK is 500,
# and a fraction of a krona cannot be charged). UGX is also in Stripe's zero-decimal list; for
# amounts in the API this special case is the rule.
STRIPE_WHOLE_UNITS_ONLY = frozenset({"ISK", "UGX"})
# Three decimals, and the last digit must be 0 "to ensure compatibility with Stripe's payments
# partners": 5.124 KWD cannot be charged, 5.120 can. (HUF and TWD are charged with two
# decimals; their whole-unit rule is for payouts to a bank, which this platform does not make.)
STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# The presentment currencies Stripe lists (docs.stripe.com/currencies as quoted in 2026), with
# ALL, BGN, SOS, STD and TOP from its earlier lists and the three-decimal ones, which Stripe
# enables per account: a currency outside this set is refused when the bot starts.
STRIPE_CURRENCIES = STRIPE_THREE_DECIMAL | frozenset({
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CLP", "CNY", "COP", "CRC", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "ISK", "JMD", "JPY", "KES", "KGS", "KHR", "KMF", "KRW", "KYD", "KZT",
    "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MUR",
    "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "STD", "SZL", "THB", "TJS", "TOP", "TRY", "TTD",
    "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VND", "VUV", "WST", "XAF", "XCD", "XCG",
    "XOF", "XPF", "YER", "ZAR", "ZMW",
})  # fmt: skip

_P = ParamSpec("_P")
_T = TypeVar("_T")


# How a refund names the payment it is of: a charge (``ch_``) or a PaymentIntent (``pi_``).
_PaymentField = Literal["charge", "payment_intent"]


class ForgedWebhook(ValueError):
    """A webhook request that Stripe did not sign with our secret, or that is not an event."""


def stripe_refuses_currency(currency: str) -> str | None:
    """Why Stripe cannot take payments in ``currency``, or None when it can."""
    if currency.upper() in STRIPE_CURRENCIES:
        return None
    return f"Stripe does not take payments in {currency} (docs.stripe.com/currencies)"


def _stripe_digits(currency: str) -> int:
    if currency in STRIPE_ZERO_DECIMAL:
        return 0
    if currency in STRIPE_THREE_DECIMAL:
        return 3
    return 2


def _rescale(value: int, shift: int) -> int | None:
    """``value`` times 10**shift, or None when that leaves a fraction."""
    unit: int = 10 ** abs(shift)  # int ** int is typed Any: the exponent could be negative
    if shift >= 0:
        return value * unit
    whole, rest = divmod(value, unit)
    return None if rest else whole


def to_stripe_amount(amount: Money) -> int:
    """An amount as Stripe's API takes it; refused, never rounded, where Stripe's rules for the
    currency cannot carry it exactly."""
    currency = amount.currency
    value = _rescale(amount.minor, _stripe_digits(currency) - minor_digits(currency))
    if value is None:
        raise GatewayRefused(f"{amount} is finer than Stripe's unit for {currency}")
    if currency in STRIPE_THREE_DECIMAL and value % 10:
        raise GatewayRefused(
            f"Stripe takes {currency} amounts in steps of 0.010 only, not {amount.to_decimal()}"
        )
    if currency in STRIPE_WHOLE_UNITS_ONLY and value % 100:
        raise GatewayRefused(
            f"Stripe takes whole {currency} amounts only, not {amount.to_decimal()}"
        )
    return value


def from_stripe_amount(value: int, currency: str) -> Money:
    """An amount from Stripe's API (an object, a webhook's event) as ``Money``; refused where
    it holds a fraction of Money's unit for the currency, never rounded."""
    currency = currency.upper()
    minor = _rescale(value, minor_digits(currency) - _stripe_digits(currency))
    if minor is None:
        raise GatewayRefused(f"Stripe amount {value} {currency} has a fraction of a minor unit")
    return Money(minor, currency)


def _id_of(
    field: str
    | stripe.PaymentIntent
    | stripe.Charge
    | stripe.Customer
    | stripe.PaymentMethod
    | None,
) -> str | None:
    """Stripe returns a related object as its id unless it was expanded (localstripe always
    embeds ``latest_charge``)."""
    if field is None or isinstance(field, str):
        return field
    return str(field.id)


# A PaymentIntent's status in the domain's words; the others wait for the driver.
_PAYMENT_STATUS = {
    HELD: GatewayPaymentStatus.HELD,
    "succeeded": GatewayPaymentStatus.CHARGED,
    CANCELED: GatewayPaymentStatus.CANCELED,
}


def payment_status(intent_status: str) -> GatewayPaymentStatus:
    return _PAYMENT_STATUS.get(intent_status, GatewayPaymentStatus.PENDING)


def capture_before_of(charge: str | stripe.Charge | None) -> datetime | None:
    """When the card's issuer lets the hold go untaken: the charge's
    payment_method_details.card.capture_before, a Unix time (only on an expanded charge)."""
    if charge is None or isinstance(charge, str):
        return None
    try:  # the SDK's objects are no dicts: no .get()
        moment = charge["payment_method_details"]["card"]["capture_before"]
    except (KeyError, TypeError):
        return None
    return datetime.fromtimestamp(moment, UTC) if moment else None


def _line(amount: Money, name: str) -> SessionCreateParamsLineItem:
    return {
        "quantity": 1,
        "price_data": {
            "currency": amount.currency.lower(),
            "unit_amount": to_stripe_amount(amount),
            "product_data": {"name": name[:PRODUCT_NAME_MAX]},
        },
    }


def hold_extra_of(metadata: Any, currency: str) -> Money | None:
    """The overstay buffer a payment page put on the hold, from its intent's metadata."""
    try:
        value = metadata[HOLD_EXTRA_KEY] if metadata else None
    except KeyError:
        return None
    if not isinstance(value, str) or not value.isdigit():
        return None
    return Money(int(value), currency.upper())


def _state_of(intent: stripe.PaymentIntent) -> PaymentState:
    customer, method = _id_of(intent.customer), _id_of(intent.payment_method)
    return PaymentState(
        status=payment_status(intent.status),
        amount=from_stripe_amount(intent.amount, intent.currency),
        charge_id=_id_of(intent.latest_charge),
        capture_before=capture_before_of(intent.latest_charge),
        hold_extra=hold_extra_of(intent.metadata, intent.currency),
        saved_card=SavedCard(customer, method) if customer and method else None,
    )


def transfer_group_of(booking_id: int) -> str:
    return f"booking:{booking_id}"


def checkout_expiry(pay_by: datetime, now: datetime) -> tuple[int, int]:
    """The Unix time a Checkout Session for a booking payable until ``pay_by`` expires at,
    within what Stripe accepts ``now``, and the stretch of time it was worked out for. The same
    for every ``now`` of one stretch: a retry of the same request carries the same parameters,
    as its idempotency key requires."""
    stretch = int(now.timestamp()) // int(CHECKOUT_STRETCH.total_seconds())
    begun = datetime.fromtimestamp(stretch * CHECKOUT_STRETCH.total_seconds(), UTC)
    moment = min(
        max(pay_by, begun + CHECKOUT_STRETCH + CHECKOUT_OPEN_AT_LEAST),
        begun + CHECKOUT_OPEN_AT_MOST,
    )
    return int(moment.timestamp()), stretch


def _mark_of(obj: stripe.PaymentIntent | stripe.Refund) -> str | None:
    """The refund key an object's metadata names, if any (the SDK's objects are no dicts)."""
    metadata = obj.metadata.to_dict() if obj.metadata is not None else {}
    return metadata.get(REFUND_MARK)


def _looks_like_event(event: stripe.Event) -> bool:
    return (
        all(key in event for key in ("id", "type", "data"))
        and "object" in event["data"]
        and event["data"]["object"] is not None
    )


def _signed_at(signature: str) -> int:
    """The ``t=`` of a Stripe-Signature header (verified by then, so it has one)."""
    for item in signature.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    raise ForgedWebhook("no timestamp in the signature")


def _retry_may_help(error: stripe.StripeError) -> bool:
    """Stripe not reached or timed out, failing on its side (5xx), busy with the same request
    (409) or rate limiting (429): the SDK's own retries ran out, later ones may not. Anything
    else is a refusal of what was asked (4xx), the same however often it is asked."""
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    status = error.http_status
    return status is not None and (status >= 500 or status == 409)


class StripeGateway:
    name = "stripe"
    simulated = False
    bills_in_chat = False

    def __init__(self, settings: Settings, *, http_client: stripe.HTTPClient | None = None) -> None:
        if not settings.stripe_secret_key:
            raise ValueError("StripeGateway needs PARKSHARE_STRIPE_SECRET_KEY")
        self._webhook_secret = settings.stripe_webhook_secret
        self._client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else {},
            http_client=http_client,
            max_network_retries=NETWORK_RETRIES,
        )
        self._api = self._client.v1

    async def _call(self, method: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return await asyncio.to_thread(method, *args, **kwargs)
        except stripe.StripeError as error:
            failure = GatewayUnavailable if _retry_may_help(error) else GatewayRefused
            raise failure(f"{type(error).__name__}: {error}") from error

    async def collect(self, order: CollectOrder) -> LinkCollection:
        metadata = {"booking_id": str(order.booking_id), "payload": order.payload}
        line_items: list[SessionCreateParamsLineItem] = [_line(order.amount, order.description)]
        if order.hold and order.hold_extra is not None and order.hold_extra.minor > 0:
            # Held with the price, and taken only as far as an overstay uses it.
            metadata[HOLD_EXTRA_KEY] = str(order.hold_extra.minor)
            line_items.append(_line(order.hold_extra, order.hold_extra_description))
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": line_items,
            "payment_intent_data": {
                "capture_method": "manual" if order.hold else "automatic",
                "metadata": metadata,
                # The owner's payout carries the same group, and is made from this payment.
                "transfer_group": transfer_group_of(order.booking_id),
            },
            "metadata": metadata,
            "client_reference_id": order.payload,
        }
        if order.save_card:
            # The months after the first are charged to this card, off session.
            params["payment_intent_data"]["setup_future_usage"] = "off_session"
            params["customer_creation"] = "always"
        if order.return_url:
            params["success_url"] = order.return_url
            params["cancel_url"] = order.return_url
        open_for, key = None, order.idempotency_key
        if order.pay_by is not None:
            now = datetime.now(UTC)
            params["expires_at"], stretch = checkout_expiry(order.pay_by, now)
            open_for = datetime.fromtimestamp(params["expires_at"], UTC) - now
            # A retry later than this stretch asks for another expiry: a request of its own.
            key = f"{key}:{stretch}"
        session = await self._call(
            self._api.checkout.sessions.create,
            params=params,
            options={"idempotency_key": key},
        )
        if not session.url:
            raise GatewayRefused(f"checkout session {session.id} has no payment page")
        return LinkCollection(url=session.url, reference=session.id, open_for=open_for)

    async def capture(self, reference: str, amount: Money, idempotency_key: str) -> None:
        await self._call(
            self._api.payment_intents.capture,
            reference,
            params={"amount_to_capture": to_stripe_amount(amount)},
            options={"idempotency_key": idempotency_key},
        )

    async def release(self, reference: str, idempotency_key: str) -> None:
        await self._call(
            self._api.payment_intents.cancel,
            reference,
            options={"idempotency_key": idempotency_key},
        )

    async def refund(self, order: RefundOrder) -> str:
        """A payment made on our Checkout page is a PaymentIntent (``pi_``); one made through
        Telegram's invoice is a charge (``ch_``) on the same Stripe account.

        A refund can take two calls (look, then let the hold go, take part of it or refund);
        each call has its own idempotency key, ``{key}:{step}``, and each step leaves a mark
        at Stripe (the refund's or the capture's metadata), so a retry after a crash or a
        timeout finds the step done and counts it as done: it neither refunds twice nor fails."""
        key = order.idempotency_key
        amount = to_stripe_amount(order.amount)
        if not order.payment_reference.startswith("pi_"):
            return await self._refund_once(key, amount, "charge", order.payment_reference)
        intent = await self._call(self._api.payment_intents.retrieve, order.payment_reference)
        if intent.currency.upper() != order.amount.currency:
            raise GatewayRefused(f"refund in {order.amount.currency} of a {intent.currency} intent")
        if intent.status == CANCELED:
            return intent.id  # the hold was released or lapsed: the driver was never charged
        if intent.status == HELD:
            # Only held, never taken: give the driver their money back by not taking it. A hold
            # with an overstay buffer owes less than it holds; the buffer is never taken here.
            owed = to_stripe_amount(order.held_owed) if order.held_owed else intent.amount
            if amount >= owed:
                await self._call(
                    self._api.payment_intents.cancel,
                    intent.id,
                    options={"idempotency_key": f"{key}:cancel"},
                )
            else:
                await self._call(
                    self._api.payment_intents.capture,
                    intent.id,
                    params={
                        "amount_to_capture": owed - amount,
                        "metadata": {REFUND_MARK: key},
                    },
                    options={"idempotency_key": f"{key}:capture"},
                )
            return intent.id
        if _mark_of(intent) == key:
            return intent.id  # this refund was the part of the hold left untaken, already
        return await self._refund_once(key, amount, "payment_intent", intent.id)

    async def _refund_once(self, key: str, amount: int, field: _PaymentField, payment: str) -> str:
        """One refund per key: the one made before (by a try whose answer was lost), or now,
        and never more than what was taken and is not refunded yet."""
        listing: RefundListParams = {"limit": 100}
        listing[field] = payment
        listed = await self._call(self._api.refunds.list, params=listing)
        for earlier in listed.data:
            if _mark_of(earlier) == key:
                return earlier.id
        left = await self._refundable(field, payment)
        if amount > left:
            raise GatewayRefused(f"refund of {amount} asked, {left} left to refund")
        creation: RefundCreateParams = {"amount": amount, "metadata": {REFUND_MARK: key}}
        creation[field] = payment
        refund = await self._call(
            self._api.refunds.create,
            params=creation,
            options={"idempotency_key": f"{key}:refund"},
        )
        return refund.id

    async def _refundable(self, field: _PaymentField, payment: str) -> int:
        """What was taken less what was refunded since. Stripe counts the part of a hold that
        was never taken as refunded (the charge's amount_refunded includes it), so it is left
        out of both sides."""
        if field == "payment_intent":
            intent = await self._call(
                self._api.payment_intents.retrieve,
                payment,
                params={"expand": ["latest_charge"]},
            )
            taken, found = intent.amount_received, intent.latest_charge
        else:
            found = await self._call(self._api.charges.retrieve, payment)
            taken = found.amount_captured
        if found is None or isinstance(found, str):
            return 0
        untaken = found.amount - taken
        return taken - max(found.amount_refunded - untaken, 0)

    async def pay_out(self, order: PayoutOrder) -> str:
        if order.destination is None:
            raise PayoutAccountMissing(f"owner {order.owner_id} has no payout account")
        params: TransferCreateParams = {
            "amount": to_stripe_amount(order.amount),
            "currency": order.amount.currency.lower(),
            "destination": order.destination,
            "metadata": {"owner_id": str(order.owner_id)},
        }
        if order.booking_id is not None:
            # Groups the transfer with its booking's payment, which carries the same group.
            params["transfer_group"] = transfer_group_of(order.booking_id)
        if order.source_charge and order.source_charge.startswith("ch_"):
            # Made from the payment's charge: it leaves once that charge's money is available,
            # however much the platform's balance holds meanwhile. (A payment made elsewhere
            # has no charge at this Stripe account.)
            params["source_transaction"] = order.source_charge
        transfer = await self._call(
            self._api.transfers.create,
            params=params,
            options={"idempotency_key": order.idempotency_key},
        )
        return transfer.id

    async def reverse_payout(self, order: ReversalOrder) -> str:
        """Stripe refuses a reversal larger than what is left of the transfer, or than the
        connected account holds: the owner then owes it from their next payouts."""
        reversal = await self._call(
            self._api.transfers.reversals.create,
            order.payout_reference,
            params={"amount": to_stripe_amount(order.amount)},
            options={"idempotency_key": order.idempotency_key},
        )
        return reversal.id

    async def create_payout_account(self, owner_id: int, *, country: str) -> str:
        account = await self._call(
            self._api.accounts.create,
            params={
                "type": "express",
                "country": country,
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"owner_id": str(owner_id)},
            },
            # One account per owner even if they press the button twice.
            options={"idempotency_key": f"owner:{owner_id}:account"},
        )
        return account.id

    async def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        # No idempotency key: a link works once, so each request needs a fresh one.
        link = await self._call(
            self._api.account_links.create,
            params={
                "account": account_id,
                "type": "account_onboarding",
                "refresh_url": refresh_url,
                "return_url": return_url,
            },
        )
        return link.url

    async def payouts_enabled(self, account_id: str) -> bool:
        account = await self._call(self._api.accounts.retrieve, account_id)
        return bool(account.payouts_enabled)

    async def payment_of_checkout(self, reference: str) -> str | None:
        """The PaymentIntent a Checkout page produced; None while nobody has paid on it."""
        session = await self._call(self._api.checkout.sessions.retrieve, reference)
        return _id_of(session.payment_intent)

    async def expire_checkout(self, reference: str, idempotency_key: str) -> bool:
        """Stripe expires only an open session and refuses any other; whether it was paid on
        or had expired already is read from the session then."""
        try:
            await self._call(
                self._api.checkout.sessions.expire,
                reference,
                options={"idempotency_key": idempotency_key},
            )
        except GatewayRefused:
            session = await self._call(self._api.checkout.sessions.retrieve, reference)
            if session.status == "complete":
                return False
            if session.status == "expired":
                return True
            raise
        return True

    async def payment_state(self, reference: str) -> PaymentState:
        intent = await self._call(
            self._api.payment_intents.retrieve, reference, params={"expand": ["latest_charge"]}
        )
        return _state_of(intent)

    async def charge_saved(self, order: SavedCardCharge) -> tuple[str, PaymentState]:
        """Charge a saved card off session. Stripe refuses with ``authentication_required``
        when the bank wants the cardholder (3-D Secure), or leaves the intent waiting for an
        action: either way the driver pays on a page, and this intent is let go."""
        try:
            intent = await self._call(
                self._api.payment_intents.create,
                params={
                    "amount": to_stripe_amount(order.amount),
                    "currency": order.amount.currency.lower(),
                    "customer": order.card.customer,
                    "payment_method": order.card.method,
                    "confirm": True,
                    "off_session": True,
                    # The owner's payout is made from this charge (``source_transaction``),
                    # which ties the two together as a page's transfer group does.
                    "metadata": {
                        "booking_id": str(order.booking_id),
                        "payload": order.payload,
                        "description": order.description,
                    },
                    "expand": ["latest_charge"],
                },
                options={"idempotency_key": order.idempotency_key},
            )
        except GatewayRefused as refused:
            if isinstance(refused.__cause__, stripe.CardError):
                raise PayerNeeded(str(refused)) from refused
            raise
        if intent.status != "succeeded":
            with contextlib.suppress(GatewayRefused):
                await self._call(self._api.payment_intents.cancel, intent.id)
            raise PayerNeeded(f"payment intent {intent.id} is {intent.status}")
        return intent.id, _state_of(intent)

    async def parse_event(self, payload: bytes, signature: str | None) -> stripe.Event:
        if not signature:
            raise ForgedWebhook("no Stripe-Signature header")
        if not self._webhook_secret:
            raise ForgedWebhook("PARKSHARE_STRIPE_WEBHOOK_SECRET is not set: cannot verify")
        try:
            event = self._client.construct_event(payload, signature, self._webhook_secret)
        except stripe.SignatureVerificationError as error:
            raise ForgedWebhook(f"bad signature: {error}") from error
        except (ValueError, AttributeError, TypeError) as error:
            # Signed, yet not a JSON object: not an event we can act on.
            raise ForgedWebhook(f"unreadable payload: {error}") from error
        # Stripe's check refuses only old timestamps; one ahead of the clock is as suspect.
        if _signed_at(signature) > time.time() + stripe.Webhook.DEFAULT_TOLERANCE:
            raise ForgedWebhook("signed in the future")
        if not _looks_like_event(event):
            raise ForgedWebhook("payload is not a Stripe event")
        return event


if TYPE_CHECKING:  # the ports this adapter is, checked where it is defined
    _hosted: type[HostedCheckoutGateway] = StripeGateway
    _payouts: type[PayoutGateway] = StripeGateway
