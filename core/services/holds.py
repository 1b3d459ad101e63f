"""A card hold the gateway let go before it was taken (cancelled, or past the issuer's
``capture_before``): no money came, so none may leave. The booking's money is taken back out of
the ledger (nobody is paid from it, nothing is refunded from it) and the managers are told, to
settle with the driver and the owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from core.db.models import Payment, PaymentStatus
from core.db.uow import UnitOfWork
from core.money import Money
from core.pricing import owner_share
from core.services import bookings, ledger, settlement
from core.services.ledger import (
    ESCROW,
    PLATFORM_REVENUE,
    Posting,
    driver_account,
    owner_payable_account,
)
from core.status import BookingStatus

# How long a hold lasts when the gateway does not say (a card's, online: about seven days),
# and how long before it lapses it is taken.
HOLD_LASTS = timedelta(days=7)
CAPTURE_AHEAD = timedelta(days=1)
# A booking over before any money was owed: its hold letting go loses nobody anything.
NOTHING_OWED = (BookingStatus.CANCELLED, BookingStatus.EXPIRED)


def lapses_at(payment: Payment) -> datetime:
    return payment.capture_before or payment.created_at + HOLD_LASTS


def take_by(payment: Payment) -> datetime:
    """When the hold must be taken at the latest, to be sure it is still there."""
    return lapses_at(payment) - CAPTURE_AHEAD


@dataclass(frozen=True, slots=True)
class HoldLapsed:
    """Tell the managers: the hold on a booking's payment is gone, and no money came."""

    booking_id: int
    amount: Money
    booking_status: BookingStatus
    # False when the booking was already over without anything owed: nothing to settle.
    needs_manager: bool


async def hold_let_go(uow: UnitOfWork, clock: Clock, external_id: str) -> HoldLapsed | None:
    """Recorded once: a payment no longer held (taken, refunded or already let go) is left."""
    payment = await uow.payments.by_external_id_for_update(external_id)
    if payment is None or not payment.held:
        return None
    payment.held = False
    payment.status = PaymentStatus.LAPSED
    # Locked too: the stay's end divides the same money, and must not do so at the same time.
    booking = await bookings.locked(uow, payment.booking_id)
    amount = payment.amount
    key = f"payment:{payment.id}:lapsed"
    escrow = await uow.ledger.escrow_of_booking(booking.id)
    held = Money(min(escrow.get(amount.currency, 0), amount.minor), amount.currency)
    if held.minor > 0:
        # Still in escrow: it goes back to where it never left.
        await ledger.post(
            uow, clock, kind="hold_lapsed", idempotency_key=key, booking_id=booking.id,
            postings=[Posting(ESCROW, -held), Posting(driver_account(booking.driver_id), held)],
        )  # fmt: skip
    elif booking.status == BookingStatus.COMPLETED:
        # Already divided at the end of the stay: the owner's share and the commission were
        # never received: the owner's payouts waiting to leave shrink to what they are owed.
        spot = await uow.spots.get(booking.spot_id)
        assert spot is not None
        # An overstay taken from the hold's buffer was divided on its own: undone as divided.
        overstay_part = Money(max(amount.minor - booking.price.minor, 0), amount.currency)
        base = amount - overstay_part
        commission = booking.commission
        share = owner_share(base, commission)
        undone: dict[str, int] = {
            owner_payable_account(spot.owner_id): -share.minor,
            PLATFORM_REVENUE: -commission.minor,
        }
        if overstay_part.minor:
            for account, currency, total in await uow.ledger.divided_by(booking.id, "overstay"):
                if currency == amount.currency and account != ESCROW:
                    undone[account] = undone.get(account, 0) - total
        undone[driver_account(booking.driver_id)] = amount.minor
        await ledger.post(
            uow, clock, kind="hold_lapsed", idempotency_key=key, booking_id=booking.id,
            postings=[
                Posting(account, Money(value, amount.currency))
                for account, value in undone.items() if value != 0
            ],
        )  # fmt: skip
        await settlement.trim_payouts_to_what_is_owed(uow, spot.owner_id, booking)
    await uow.payments.flush()
    return HoldLapsed(
        booking_id=booking.id, amount=amount, booking_status=booking.status,
        needs_manager=booking.status not in NOTHING_OWED,
    )  # fmt: skip


async def lapsed_holds(uow: UnitOfWork, clock: Clock, *, limit: int = 50) -> list[Payment]:
    """Holds still recorded as held although their issuer has let them go by now."""
    now = clock.now()
    return [
        payment
        for payment, _booking in await uow.payments.held_with_bookings(limit=limit)
        if lapses_at(payment) <= now
    ]
