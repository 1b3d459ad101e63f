"""Money a driver's bank takes back from the platform on a disputed payment (a chargeback),
and gives back if the platform wins. The bank takes it at once, whatever the booking's state:
from what escrow still holds for the booking, then from the owner's share and the platform's
commission in proportion (an owner paid out already owes it back from their next payouts).
The money then sits on ``chargeback:DRIVER``, which the audit counts as refunded. Each movement
is posted once per dispute, however many of the gateway's events report it."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock
from core.db.models import Booking, Payment
from core.db.uow import UnitOfWork
from core.money import Money
from core.services import bookings, ledger, settlement
from core.services.ledger import (
    ESCROW,
    PLATFORM_REVENUE,
    Posting,
    chargeback_account,
    owner_payable_account,
)
from core.status import BookingStatus

# Bookings whose money is still in escrow: what the bank returns goes back there.
HOLDING = frozenset({BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.DISPUTED})


@dataclass(frozen=True, slots=True)
class ChargebackMoved:
    """Tell the managers what the bank did with a booking's money."""

    booking_id: int
    asked: Money  # what the bank took or returned
    moved: Money  # what that moved in the ledger (less where the booking had less to give)
    taken_back: bool  # True: taken from the platform; False: returned to it


def _withdrawn_key(dispute_reference: str) -> str:
    return f"chargeback:{dispute_reference}:withdrawn"


async def _owner_of(uow: UnitOfWork, booking: Booking) -> int:
    spot = await uow.spots.get(booking.spot_id)
    assert spot is not None
    return spot.owner_id


def _postings(*pairs: tuple[str, int], currency: str) -> list[Posting]:
    return [Posting(account, Money(minor, currency)) for account, minor in pairs if minor]


async def _with_moves(uow: UnitOfWork, booking: Booking) -> list[Booking]:
    """The booking, then each booking its money moved to (the other stays of a weekly series it
    paid for, and a stay moved from a spot found occupied), all locked in id order, as sweeps
    lock: where a payment's money is now."""
    order = [booking.id]
    for booking_id in order:
        moved = await uow.bookings.moved_to(booking_id)
        if moved is not None:
            order.append(moved)
        order += [other.id for other in await uow.bookings.paid_with(booking_id)]
    locked = {booking_id: await bookings.locked(uow, booking_id) for booking_id in sorted(order)}
    return [locked[booking_id] for booking_id in order]


def _part_key(key: str, index: int, booking: Booking) -> str:
    return key if index == 0 else f"{key}:{booking.id}"


async def funds_withdrawn(
    uow: UnitOfWork, clock: Clock, payment: Payment, *, dispute_reference: str, amount: Money
) -> ChargebackMoved:
    """The bank took ``amount`` of ``payment`` back: from the money of the booking it paid for,
    then from that of the bookings its money moved to."""
    booking = await bookings.locked(uow, payment.booking_id)
    nothing = Money(0, amount.currency)
    if await uow.ledger.by_idempotency_key(_withdrawn_key(dispute_reference)) is not None:
        return ChargebackMoved(booking.id, amount, nothing, taken_back=True)
    left, taken = max(amount.minor, 0), 0
    for index, part in enumerate(await _with_moves(uow, booking)):
        key = _part_key(_withdrawn_key(dispute_reference), index, part)
        took = await _take_back(uow, clock, part, Money(left, amount.currency), key)
        taken, left = taken + took, left - took
        if left <= 0:
            break
    await uow.payments.flush()
    return ChargebackMoved(booking.id, amount, Money(taken, amount.currency), taken_back=True)


async def _take_back(
    uow: UnitOfWork, clock: Clock, booking: Booking, amount: Money, key: str
) -> int:
    """Up to ``amount`` of one booking's money, from escrow first, then from the owner's share
    and the commission in proportion; what it took."""
    owner_id = await _owner_of(uow, booking)
    balances = await uow.ledger.balances_of_booking(booking.id, amount.currency)
    held = max(balances.get(ESCROW, 0), 0)
    commission = max(balances.get(PLATFORM_REVENUE, 0), 0)
    owner_share = sum(v for a, v in balances.items() if a.startswith("owner_"))
    divided = max(owner_share + commission, 0)
    from_escrow = min(max(amount.minor, 0), held)
    from_divided = min(amount.minor - from_escrow, divided)
    commission_back = from_divided * commission // divided if divided else 0
    owner_back = from_divided - commission_back
    taken = from_escrow + from_divided
    if taken > 0:
        await ledger.post(
            uow, clock, kind="chargeback", idempotency_key=key, booking_id=booking.id,
            postings=_postings(
                (ESCROW, -from_escrow), (owner_payable_account(owner_id), -owner_back),
                (PLATFORM_REVENUE, -commission_back),
                (chargeback_account(booking.driver_id), taken), currency=amount.currency,
            ),
        )  # fmt: skip
    if owner_back > 0:
        await settlement.trim_payouts_to_what_is_owed(uow, owner_id, booking)
    return taken


async def funds_reinstated(
    uow: UnitOfWork, clock: Clock, payment: Payment, *, dispute_reference: str, amount: Money
) -> ChargebackMoved:
    """The bank returned ``amount`` (the dispute was won): back to escrow while the booking
    still holds its money, otherwise to the owner's share and the platform's commission, as a
    completed stay divides it, with the owner's payout grown to match. Never more than this
    dispute took, from each booking its money had moved to."""
    booking = await bookings.locked(uow, payment.booking_id)
    left, returned = max(amount.minor, 0), 0
    for index, part in enumerate(await _with_moves(uow, booking)):
        withdrawn = _part_key(_withdrawn_key(dispute_reference), index, part)
        key = _part_key(f"chargeback:{dispute_reference}:reinstated", index, part)
        back = await _give_back(uow, clock, part, Money(left, amount.currency), withdrawn, key)
        returned, left = returned + back, left - back
        if left <= 0:
            break
    await uow.payments.flush()
    return ChargebackMoved(booking.id, amount, Money(returned, amount.currency), taken_back=False)


async def _give_back(
    uow: UnitOfWork, clock: Clock, booking: Booking, amount: Money, withdrawn: str, key: str
) -> int:
    taken_tx = await uow.ledger.by_idempotency_key(withdrawn)
    if taken_tx is None or await uow.ledger.by_idempotency_key(key) is not None:
        return 0
    balances = await uow.ledger.balances_of_booking(booking.id, amount.currency)
    back = min(max(amount.minor, 0), balances.get(chargeback_account(booking.driver_id), 0))
    if back <= 0:
        return 0
    returned = Money(back, amount.currency)
    account = chargeback_account(booking.driver_id)
    if booking.status in HOLDING:
        pairs: tuple[tuple[str, int], ...] = ((ESCROW, back), (account, -back))
        owner_id = None
    else:
        commission = settlement.commission_on(booking, returned).minor
        owner_id = await _owner_of(uow, booking)
        pairs = (
            (owner_payable_account(owner_id), back - commission), (PLATFORM_REVENUE, commission),
            (account, -back),
        )  # fmt: skip
    await ledger.post(
        uow, clock, kind="chargeback_reversed", idempotency_key=key, booking_id=booking.id,
        postings=_postings(*pairs, currency=amount.currency),
    )  # fmt: skip
    if owner_id is not None:
        await settlement.top_up_payout(uow, clock, booking, owner_id)
    return back
