"""Stripe's webhook events turned into what they mean for bookings: a hold placed or a charge
made confirms the booking, a capture settles the hold, a chargeback opens a dispute, an owner's
account becomes able to receive payouts. Each event id is processed once, in the same
transaction as its effects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.db.uow import Database, UnitOfWork
from core.errors import DomainError
from core.money import Money
from core.services import booking_payments, disputes, people
from core.services.booking_payments import PaymentOutcome
from core.status import BookingStatus

GATEWAY = "stripe"
HOLD_PLACED = "requires_capture"
CHARGED = "succeeded"


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """What the bot should tell people about an event."""

    kind: str  # "paid", "payment_failed", "dispute", "duplicate", "ignored"
    payment: PaymentOutcome | None = None
    booking_id: int | None = None
    detail: str = ""


def _field(obj: Any, name: str, default: Any = None) -> Any:
    return obj[name] if name in obj and obj[name] is not None else default


def _payload(obj: Any) -> str | None:
    metadata = _field(obj, "metadata", {})
    return _field(metadata, "payload")


def _charge_id(intent: Any) -> str | None:
    charge = _field(intent, "latest_charge")
    return charge if isinstance(charge, str) or charge is None else charge["id"]


async def apply_event(db: Database, clock: Clock, gateway: Any, event: Any) -> EventOutcome:
    """``gateway`` is the StripeGateway, asked about a checkout's payment when needed."""
    obj = event["data"]["object"]
    intent_state = None
    if event["type"] == "checkout.session.completed" and _field(obj, "payment_intent"):
        # The session does not say whether the money is held or taken; the intent does.
        intent_state = await gateway.intent_state(obj["payment_intent"])
    try:
        async with db.unit_of_work() as uow:
            if not await booking_payments.first_time_event(
                uow, clock, gateway=GATEWAY, event_id=event["id"], kind=event["type"]
            ):
                return EventOutcome("duplicate")
            try:
                return await _apply(uow, clock, event["type"], obj, intent_state)
            except DomainError as error:
                # A payment for something we do not know is kept as processed and reported.
                return EventOutcome("ignored", detail=error.code)
    except IntegrityError:
        # The same event delivered twice at once: the other delivery recorded it.
        return EventOutcome("duplicate")


async def _apply(
    uow: UnitOfWork, clock: Clock, kind: str, obj: Any, intent_state: Any
) -> EventOutcome:
    if kind == "checkout.session.completed":
        payload = _payload(obj)
        if intent_state is None or payload is None:
            return EventOutcome("ignored", detail="no payment on the session")
        return await _paid(
            uow, clock, payload, intent_id=obj["payment_intent"], status=intent_state.status,
            amount=intent_state.amount, charge_id=intent_state.charge_id,
        )  # fmt: skip
    if kind in ("payment_intent.amount_capturable_updated", "payment_intent.succeeded"):
        payload = _payload(obj)
        if payload is None:
            return EventOutcome("ignored", detail="no booking on the intent")
        existing = await uow.payments.by_external_id(obj["id"])
        if existing is not None:
            if obj["status"] == CHARGED:
                await booking_payments.payment_captured(uow, obj["id"])
            return EventOutcome("duplicate", booking_id=existing.booking_id)
        return await _paid(
            uow, clock, payload, intent_id=obj["id"], status=obj["status"],
            amount=Money(obj["amount"], obj["currency"].upper()), charge_id=_charge_id(obj),
        )  # fmt: skip
    if kind == "payment_intent.canceled":
        await booking_payments.payment_captured(uow, obj["id"])  # nothing is held any more
        return EventOutcome("ignored", detail="hold released")
    if kind == "payment_intent.payment_failed":
        payload = _payload(obj)
        error = _field(obj, "last_payment_error", {})
        return EventOutcome(
            "payment_failed",
            booking_id=booking_payments.booking_id_of(payload) if payload else None,
            detail=_field(error, "message", ""),
        )
    if kind == "checkout.session.expired":
        await booking_payments.close_checkout(uow, obj["id"])
        return EventOutcome("ignored", detail="page expired")
    if kind == "charge.dispute.created":
        payment = await uow.payments.by_external_id(_field(obj, "payment_intent") or "")
        if payment is None:
            return EventOutcome("ignored", detail="dispute on an unknown payment")
        dispute = await disputes.open_dispute(
            uow, clock, booking_id=payment.booking_id, kind="chargeback",
            description=f"Stripe dispute {obj['id']}: {_field(obj, 'reason', '')}",
        )  # fmt: skip
        return EventOutcome("dispute", booking_id=dispute.booking_id, detail=obj["id"])
    if kind == "account.updated":
        await people.payout_account_changed(
            uow, obj["id"], payouts_enabled=bool(_field(obj, "payouts_enabled", False))
        )
        return EventOutcome("ignored", detail="payout account updated")
    # charge.refunded and the rest: our own refunds are recorded when we make them.
    return EventOutcome("ignored", detail=kind)


async def _paid(
    uow: UnitOfWork, clock: Clock, payload: str, *, intent_id: str, status: str,
    amount: Money, charge_id: str | None,
) -> EventOutcome:  # fmt: skip
    if status not in (HOLD_PLACED, CHARGED):
        return EventOutcome("ignored", detail=f"intent {status}")
    outcome = await booking_payments.record_gateway_payment(
        uow, clock, gateway=GATEWAY, payload=payload, amount=amount, external_id=intent_id,
        provider_charge_id=charge_id, held=status == HOLD_PLACED,
    )  # fmt: skip
    kind = "duplicate" if outcome.duplicate else "paid"
    return EventOutcome(kind, payment=outcome, booking_id=outcome.booking.id)


async def reconcile_checkout(
    db: Database, clock: Clock, gateway: Any, checkout: Any
) -> EventOutcome:
    """Ask Stripe about a payment page that went quiet: a webhook may never have come."""
    intent_id = await gateway.intent_of_session(checkout.reference)
    async with db.unit_of_work() as uow:
        booking = await uow.bookings.get(checkout.booking_id)
        if intent_id is None:
            if booking is None or booking.status != BookingStatus.AWAITING_PAYMENT:
                await booking_payments.close_checkout(uow, checkout.reference)
            return EventOutcome("ignored", detail="not paid")
    state = await gateway.intent_state(intent_id)
    async with db.unit_of_work() as uow:
        if await uow.payments.by_external_id(intent_id) is not None:
            await booking_payments.close_checkout(uow, checkout.reference)
            return EventOutcome("duplicate", booking_id=checkout.booking_id)
        booking = await uow.bookings.get(checkout.booking_id)
        try:
            return await _paid(
                uow, clock, booking_payments.payload_for(booking), intent_id=intent_id,
                status=state.status, amount=state.amount, charge_id=state.charge_id,
            )  # fmt: skip
        except DomainError as error:
            return EventOutcome("ignored", detail=error.code)
