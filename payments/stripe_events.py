"""Stripe's webhook events read into the plain facts the domain acts on
(``core.services.gateway_events``): only Stripe's shapes and words are known here."""

from __future__ import annotations

from typing import Any

from core.ports import PaymentState
from core.services.gateway_events import (
    ChargebackMoney,
    ChargebackOpened,
    CheckoutCompleted,
    CheckoutExpired,
    Fact,
    GatewayNotice,
    PaymentChanged,
    PaymentFailed,
    PayoutAccountChanged,
    Unhandled,
)
from payments.stripe_gateway import from_stripe_amount, hold_extra_of, payment_status

PAYMENT_CHANGES = (
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.canceled",
)

# Whether the bank took the disputed money back (True) or returned it.
DISPUTE_FUNDS = {"charge.dispute.funds_withdrawn": True, "charge.dispute.funds_reinstated": False}
# A dispute closed lost leaves the money with the bank; won, it is back. (An inquiry closes as
# warning_closed with no money moved.)
CLOSED = {"lost": True, "won": False}


def _field(obj: Any, name: str, default: Any = None) -> Any:
    return obj[name] if name in obj and obj[name] is not None else default


def _payload(obj: Any) -> str | None:
    metadata = _field(obj, "metadata", {})
    payload: str | None = _field(metadata, "payload")
    return payload


def _id_of(field: Any) -> str | None:
    """A related object is its id unless it was expanded."""
    return field if isinstance(field, str) or field is None else _text(field["id"])


class MalformedEvent(ValueError):
    """A signed event whose fields are not what Stripe sends (a missing amount, an id that is
    not a string, no object): nothing can be done with it, and nothing is."""


def notice_of(event: Any) -> GatewayNotice:
    """``event`` is a verified stripe.Event (or its JSON as a dict)."""
    try:
        kind = _text(event["type"])
        return GatewayNotice(_text(event["id"]), kind, _fact(kind, event["data"]["object"]))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise MalformedEvent(f"{type(error).__name__}: {error}") from error


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"not an id: {value!r}")
    return value


def _fact(kind: str, obj: Any) -> Fact:
    if kind == "checkout.session.completed":
        return CheckoutCompleted(
            checkout_reference=_text(obj["id"]), payload=_payload(obj),
            payment_reference=_id_of(_field(obj, "payment_intent")),
        )  # fmt: skip
    if kind in PAYMENT_CHANGES:
        return PaymentChanged(
            payment_reference=_text(obj["id"]),
            payload=_payload(obj),
            state=PaymentState(
                status=payment_status(obj["status"]),
                amount=from_stripe_amount(obj["amount"], obj["currency"]),
                charge_id=_id_of(_field(obj, "latest_charge")),
                hold_extra=hold_extra_of(_field(obj, "metadata", {}), obj["currency"]),
            ),
        )
    if kind == "payment_intent.payment_failed":
        error = _field(obj, "last_payment_error", {})
        return PaymentFailed(payload=_payload(obj), message=_field(error, "message", ""))
    if kind == "checkout.session.expired":
        return CheckoutExpired(_text(obj["id"]))
    if kind == "charge.dispute.created":
        return ChargebackOpened(
            dispute_reference=_text(obj["id"]),
            payment_reference=_id_of(_field(obj, "payment_intent")),
            reason=_field(obj, "reason", ""), charge_reference=_id_of(_field(obj, "charge")),
        )  # fmt: skip
    if kind in DISPUTE_FUNDS or (kind == "charge.dispute.closed" and obj["status"] in CLOSED):
        return ChargebackMoney(
            dispute_reference=_text(obj["id"]),
            payment_reference=_id_of(_field(obj, "payment_intent")),
            charge_reference=_id_of(_field(obj, "charge")),
            amount=from_stripe_amount(obj["amount"], obj["currency"]),
            taken_back=DISPUTE_FUNDS[kind] if kind in DISPUTE_FUNDS else CLOSED[obj["status"]],
            final=kind == "charge.dispute.closed",
        )  # fmt: skip
    if kind == "account.updated":
        return PayoutAccountChanged(_text(obj["id"]), bool(_field(obj, "payouts_enabled", False)))
    return Unhandled()
