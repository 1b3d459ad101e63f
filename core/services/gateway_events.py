"""What a payment gateway's webhooks mean for bookings: a hold placed or a charge made confirms
the booking, a capture settles the hold, a chargeback opens a dispute, an owner's account
becomes able to receive payouts. The gateway's adapter turns its own event into one of the
plain facts below; each event id is processed once, in the same transaction as its effects."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from core.clock import Clock
from core.db.models import Checkout, Payment, PaymentStatus
from core.db.sole_runner import sole_runner
from core.db.uow import Database, UnitOfWork, WrittenMeanwhile
from core.errors import DomainError
from core.money import Money
from core.ports import (
    GatewayPaymentStatus,
    GatewayRefused,
    HostedCheckoutGateway,
    PaymentLookup,
    PaymentState,
)
from core.services import (
    booking_payments,
    bookings,
    chargebacks,
    disputes,
    holds,
    passes,
    people,
)
from core.services.booking_payments import PaymentOutcome
from core.services.chargebacks import ChargebackMoved
from core.services.holds import HoldLapsed
from core.status import BookingStatus

log = logging.getLogger(__name__)

# --- the facts a gateway reports -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckoutCompleted:
    """A payment page was paid on; the payment's own state says whether it is held or taken."""

    checkout_reference: str
    payload: str | None
    payment_reference: str | None


@dataclass(frozen=True, slots=True)
class PaymentChanged:
    """A payment was held, taken or let go."""

    payment_reference: str
    payload: str | None
    state: PaymentState


@dataclass(frozen=True, slots=True)
class PaymentFailed:
    payload: str | None
    message: str


@dataclass(frozen=True, slots=True)
class CheckoutExpired:
    checkout_reference: str


@dataclass(frozen=True, slots=True)
class ChargebackOpened:
    """The driver's bank disputes a payment, named by the payment, or by its card charge (a
    Telegram invoice's payment is known by its charge only)."""

    dispute_reference: str
    payment_reference: str | None
    reason: str
    charge_reference: str | None = None


@dataclass(frozen=True, slots=True)
class ChargebackMoney:
    """The bank took a disputed payment's money back (``taken_back``) or returned it; ``final``
    when the dispute is closed with it (lost: the money stays with the bank; won: it is back)."""

    dispute_reference: str
    payment_reference: str | None
    charge_reference: str | None
    amount: Money
    taken_back: bool
    final: bool = False


@dataclass(frozen=True, slots=True)
class PayoutAccountChanged:
    account_reference: str
    payouts_enabled: bool


@dataclass(frozen=True, slots=True)
class Unhandled:
    """An event with nothing to do here (our own refunds are recorded when we make them)."""


Fact = (
    CheckoutCompleted
    | PaymentChanged
    | PaymentFailed
    | CheckoutExpired
    | ChargebackOpened
    | ChargebackMoney
    | PayoutAccountChanged
    | Unhandled
)


@dataclass(frozen=True, slots=True)
class GatewayNotice:
    """One webhook event: its id (processed once), its gateway's name for it, and its fact."""

    event_id: str
    kind: str
    fact: Fact


# --- what it comes to --------------------------------------------------------------------


class OutcomeKind(StrEnum):
    """What came of a gateway's event; the value is what the webhook answers with."""

    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    DISPUTE = "dispute"
    CHARGEBACK_FUNDS = "chargeback_funds"
    CHARGEBACK_CLOSED = "chargeback_closed"
    HOLD_LAPSED = "hold_lapsed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """What the bot should tell people about an event."""

    kind: OutcomeKind
    payment: PaymentOutcome | None = None
    booking_id: int | None = None
    detail: str = ""
    lapsed: HoldLapsed | None = None
    chargeback: ChargebackMoved | None = None


async def apply_notice(
    db: Database, clock: Clock, gateway: PaymentLookup, notice: GatewayNotice
) -> EventOutcome:
    """``gateway`` is asked about a paid page's payment, which the page's event does not
    describe. It is asked before anything is written: when it cannot answer
    (``GatewayUnavailable``), the event is left unrecorded, for the gateway to send again."""
    fact = notice.fact
    state = None
    if isinstance(fact, CheckoutCompleted) and fact.payment_reference:
        # The page does not say whether the money is held or taken; the payment does.
        state = await gateway.payment_state(fact.payment_reference)
    elif (
        isinstance(fact, PaymentChanged)
        and fact.state.status == GatewayPaymentStatus.HELD
        and fact.state.capture_before is None
    ):
        # The event names the charge without its details: when the hold lapses is there.
        fact = replace(fact, state=await gateway.payment_state(fact.payment_reference))
    try:
        async with db.unit_of_work() as uow:
            if not await booking_payments.first_time_event(
                uow, clock, gateway=gateway.name, event_id=notice.event_id, kind=notice.kind
            ):
                return EventOutcome(OutcomeKind.DUPLICATE)
            try:
                return await _apply(uow, clock, gateway.name, fact, state)
            except DomainError as error:
                # A payment for something we do not know is kept as processed and reported.
                return EventOutcome(OutcomeKind.IGNORED, detail=error.code)
    except WrittenMeanwhile:
        # The same event delivered twice at once: the other delivery recorded it.
        return EventOutcome(OutcomeKind.DUPLICATE)


async def _apply(
    uow: UnitOfWork, clock: Clock, gateway: str, fact: Fact, state: PaymentState | None
) -> EventOutcome:
    if isinstance(fact, CheckoutCompleted):
        if state is None or fact.payload is None or fact.payment_reference is None:
            return EventOutcome(OutcomeKind.IGNORED, detail="no payment on the session")
        return await _paid(uow, clock, gateway, fact.payload, fact.payment_reference, state)
    if isinstance(fact, PaymentChanged):
        if fact.state.status == GatewayPaymentStatus.CANCELED:
            # Let go before it was taken (by us, or lapsed at the issuer): no money came.
            lapsed = await holds.hold_let_go(uow, clock, fact.payment_reference)
            if lapsed is None or not lapsed.needs_manager:
                return EventOutcome(OutcomeKind.IGNORED, detail="hold released")
            return EventOutcome(
                OutcomeKind.HOLD_LAPSED, booking_id=lapsed.booking_id, lapsed=lapsed
            )
        if fact.payload is None:
            return EventOutcome(OutcomeKind.IGNORED, detail="no booking on the intent")
        existing = await uow.payments.by_external_id(fact.payment_reference)
        if existing is not None:
            if fact.state.status == GatewayPaymentStatus.CHARGED:
                await booking_payments.payment_captured(uow, fact.payment_reference)
            return EventOutcome(OutcomeKind.DUPLICATE, booking_id=existing.booking_id)
        return await _paid(uow, clock, gateway, fact.payload, fact.payment_reference, fact.state)
    if isinstance(fact, PaymentFailed):
        return EventOutcome(
            OutcomeKind.PAYMENT_FAILED,
            booking_id=booking_payments.booking_id_of(fact.payload) if fact.payload else None,
            detail=fact.message,
        )
    if isinstance(fact, CheckoutExpired):
        await booking_payments.close_checkout(uow, fact.checkout_reference)
        return EventOutcome(OutcomeKind.IGNORED, detail="page expired")
    if isinstance(fact, ChargebackOpened):
        payment = await _disputed_payment(uow, fact.payment_reference, fact.charge_reference)
        if payment is None:
            return EventOutcome(OutcomeKind.IGNORED, detail="dispute on an unknown payment")
        dispute = await disputes.open_dispute(
            uow, clock, booking_id=payment.booking_id, kind="chargeback",
            description=f"Chargeback {fact.dispute_reference} ({gateway}): {fact.reason}",
        )  # fmt: skip
        return EventOutcome(
            OutcomeKind.DISPUTE, booking_id=dispute.booking_id, detail=fact.dispute_reference
        )
    if isinstance(fact, ChargebackMoney):
        return await _chargeback_money(uow, clock, fact)
    if isinstance(fact, PayoutAccountChanged):
        await people.payout_account_changed(
            uow, fact.account_reference, payouts_enabled=fact.payouts_enabled
        )
        return EventOutcome(OutcomeKind.IGNORED, detail="payout account updated")
    return EventOutcome(OutcomeKind.IGNORED, detail="nothing to do")


async def _disputed_payment(
    uow: UnitOfWork, payment_reference: str | None, charge_reference: str | None
) -> Payment | None:
    payment = await uow.payments.by_external_id(payment_reference) if payment_reference else None
    if payment is None and charge_reference:
        payment = await uow.payments.by_charge_id(charge_reference)
    return payment


async def _chargeback_money(uow: UnitOfWork, clock: Clock, fact: ChargebackMoney) -> EventOutcome:
    payment = await _disputed_payment(uow, fact.payment_reference, fact.charge_reference)
    if payment is None:
        return EventOutcome(OutcomeKind.IGNORED, detail="dispute on an unknown payment")
    move = chargebacks.funds_withdrawn if fact.taken_back else chargebacks.funds_reinstated
    moved = await move(
        uow, clock, payment, dispute_reference=fact.dispute_reference, amount=fact.amount
    )
    return EventOutcome(
        OutcomeKind.CHARGEBACK_CLOSED if fact.final else OutcomeKind.CHARGEBACK_FUNDS,
        booking_id=moved.booking_id, detail=fact.dispute_reference, chargeback=moved,
    )  # fmt: skip


async def _paid(
    uow: UnitOfWork, clock: Clock, gateway: str, payload: str, reference: str,
    state: PaymentState,
) -> EventOutcome:  # fmt: skip
    if state.status not in (GatewayPaymentStatus.HELD, GatewayPaymentStatus.CHARGED):
        return EventOutcome(OutcomeKind.IGNORED, detail=f"payment {state.status}")
    outcome = await booking_payments.record_gateway_payment(
        uow, clock, gateway=gateway, payload=payload, amount=state.amount, external_id=reference,
        provider_charge_id=state.charge_id, held=state.status == GatewayPaymentStatus.HELD,
        capture_before=state.capture_before, hold_extra=state.hold_extra,
    )  # fmt: skip
    # Also on a duplicate: the event that first recorded the payment may not have named the card.
    if state.saved_card is not None and outcome.payment.status == PaymentStatus.SUCCEEDED:
        await passes.card_saved(uow, outcome.booking, state.saved_card)
    kind = OutcomeKind.DUPLICATE if outcome.duplicate else OutcomeKind.PAID
    return EventOutcome(kind, payment=outcome, booking_id=outcome.booking.id)


async def saved_card_charged(
    uow: UnitOfWork, clock: Clock, *, gateway: str, payload: str, reference: str,
    state: PaymentState,
) -> EventOutcome:  # fmt: skip
    """A month of a pass charged to its saved card, recorded as the gateway's webhook would
    record it (which, arriving later, is then a duplicate)."""
    return await _paid(uow, clock, gateway, payload, reference, state)


async def reconcile_quiet_checkouts(
    db: Database, clock: Clock, gateway: HostedCheckoutGateway, *, quiet_for: timedelta
) -> list[EventOutcome]:
    """Every payment page open for ``quiet_for`` with no word from the gateway is asked about;
    in one process at a time (``sole_runner``), each page once a sweep."""
    async with sole_runner(db, "reconcile_checkouts") as alone:
        if not alone:
            return []
        async with db.reading() as uow:
            quiet = await booking_payments.checkouts_to_reconcile(uow, clock, quiet_for=quiet_for)
        outcomes = []
        for checkout in quiet:
            try:
                outcomes.append(await reconcile_checkout(db, clock, gateway, checkout))
            except GatewayRefused as error:
                log.warning("reconciling checkout %s: %s", checkout.reference, error)
        return outcomes


async def reconcile_checkout(
    db: Database, clock: Clock, gateway: HostedCheckoutGateway, checkout: Checkout
) -> EventOutcome:
    """Ask the gateway about a payment page that went quiet: a webhook may never have come."""
    reference = await gateway.payment_of_checkout(checkout.reference)
    async with db.unit_of_work() as uow:
        booking = await uow.bookings.get(checkout.booking_id)
        if reference is None:
            expired = checkout.expires_at is not None and checkout.expires_at <= clock.now()
            if expired or booking is None or booking.status != BookingStatus.AWAITING_PAYMENT:
                await booking_payments.close_checkout(uow, checkout.reference)
            return EventOutcome(OutcomeKind.IGNORED, detail="not paid")
    state = await gateway.payment_state(reference)
    async with db.unit_of_work() as uow:
        if await uow.payments.by_external_id(reference) is not None:
            await booking_payments.close_checkout(uow, checkout.reference)
            return EventOutcome(OutcomeKind.DUPLICATE, booking_id=checkout.booking_id)
        try:
            booking = await bookings.get(uow, checkout.booking_id)
            return await _paid(
                uow, clock, gateway.name, booking_payments.payload_for(booking), reference, state
            )
        except DomainError as error:
            return EventOutcome(OutcomeKind.IGNORED, detail=error.code)


async def expire_lapsed_checkouts(
    db: Database, clock: Clock, gateway: HostedCheckoutGateway
) -> list[EventOutcome]:
    """Payment pages of bookings that stopped waiting for payment (expired, cancelled) are
    closed at the gateway, so a late payment does not happen. One already paid on is
    reconciled now: the payment takes its booking back, or is refunded. In one process at a
    time (``sole_runner``), as the sweep that asks about quiet pages."""
    async with sole_runner(db, "reconcile_checkouts") as alone:
        if not alone:
            return []
        async with db.reading() as uow:
            lapsed = await booking_payments.checkouts_to_expire(uow, gateway=gateway.name)
        return await close_checkouts(db, clock, gateway, lapsed)


async def close_checkouts(
    db: Database, clock: Clock, gateway: HostedCheckoutGateway, lapsed: list[Checkout]
) -> list[EventOutcome]:
    """Close these payment pages at the gateway; one paid on meanwhile is reconciled."""
    outcomes = []
    for checkout in lapsed:
        try:
            closed = await gateway.expire_checkout(
                checkout.reference, f"checkout:{checkout.id}:expire"
            )
            if not closed:
                outcomes.append(await reconcile_checkout(db, clock, gateway, checkout))
                continue
        except GatewayRefused as error:
            log.warning("expiring checkout %s: %s", checkout.reference, error)
            continue
        async with db.after_gateway() as uow:
            await booking_payments.close_checkout(uow, checkout.reference)
    return outcomes
