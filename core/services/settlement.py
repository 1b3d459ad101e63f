"""Where a booking's money goes once its fate is known. The ledger moves at once, in the same
transaction as the booking: escrow to the owner and the platform when the stay completes, back
towards the driver when it is cancelled. What must leave the platform (a refund to a card, an
owner's payout) waits as a row of its own until the gateway has moved it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from core.db.models import (
    Booking,
    Operatorship,
    Payment,
    PaymentStatus,
    Payout,
    PayoutReversal,
    Refund,
    TransferStatus,
)
from core.db.repositories import OwnersMoney
from core.db.uow import UnitOfWork
from core.money import Money
from core.pricing import commission_on_part, operator_cut, owner_share
from core.services import ledger, operators
from core.services.ledger import (
    ESCROW,
    PLATFORM_REVENUE,
    PLATFORM_SUBSIDY,
    Posting,
    driver_account,
    owner_paid_out_account,
    owner_payable_account,
    refund_payable_account,
)

# After this many refusals a transfer is given up on and the managers take it from there.
MAX_TRANSFER_ATTEMPTS = 5
# An owner's share leaves this long after it is owed, so a problem found when the stay ends
# (a car that stays on, damage) can still be settled from it.
PAYOUT_HOLD = timedelta(hours=1)


class RefundExceedsPayment(RuntimeError):
    """A refund larger than what is left of its payment: a bug, never a person's mistake."""


def _postings(*pairs: tuple[str, Money]) -> list[Posting]:
    return [Posting(account, amount) for account, amount in pairs if amount.minor != 0]


async def _held(uow: UnitOfWork, booking: Booking) -> Money:
    held = await uow.ledger.escrow_of_booking(booking.id)
    return Money(held.get(booking.currency, 0), booking.currency)


async def _owner_of(uow: UnitOfWork, booking: Booking) -> int:
    spot = await uow.spots.get(booking.spot_id)
    assert spot is not None
    return spot.owner_id


async def lock_owners_money(uow: UnitOfWork, owner_id: int) -> None:
    """Held by every writer that cuts or grows an owner's payouts to fit what they are owed
    now, so that two of them never both decide on what they read before the other committed.
    Taken after the booking's lock (and after the transfer's, for a payout or reversal the
    gateway answered) and before the payouts it cuts: a writer holding it waits for no booking.

    A writer that moves money without deciding how much may leave does not take it: a payout
    handed to the gateway, or recorded as sent (whose ledger entry waits for its booking,
    which a ruling holds while waiting for this), or a reversal made."""
    await uow.one_at_a_time(f"owner_money:{owner_id}")


async def lock_payees_money(uow: UnitOfWork, owner_ids: Iterable[int]) -> dict[int, Operatorship]:
    """The owners' money locks and those of the operators who manage their spots, in id order,
    for writers that may queue a payout (which pays the operator their share). Returns each
    managed owner's operatorship, as read under the locks' order."""
    owners = set(owner_ids)
    managed: dict[int, Operatorship] = {}
    payees = set(owners)
    for owner_id in owners:
        operatorship = await uow.operators.of_owner(owner_id)
        if operatorship is not None and operatorship.operator_id is not None:
            managed[owner_id] = operatorship
            payees.add(operatorship.operator_id)
    for payee_id in sorted(payees):
        await lock_owners_money(uow, payee_id)
    return managed


async def _owners_money(uow: UnitOfWork, owner_id: int, currency: str) -> OwnersMoney:
    return await uow.payments.owners_money(owner_id, owner_payable_account(owner_id), currency)


async def _queue_payout(
    uow: UnitOfWork, clock: Clock, booking: Booking, owner_id: int, share: Money
) -> Payout | None:
    """The owner's share, just posted to what they are owed, is queued to leave; less what
    they owe back (a refund decided after a payout had left), which it pays off first, and
    less their operator's share (``core.services.operators``), which leaves to the operator.

    Under the owner's money lock (``lock_owners_money``; the stay sweep takes it for every
    owner before any person's row), so what is owed cannot change between reading it and
    queueing."""
    operatorship = (await lock_payees_money(uow, [owner_id])).get(owner_id)
    money = await _owners_money(uow, owner_id, share.currency)
    amount = Money(min(share.minor, money.room - money.due), share.currency)
    if amount.minor <= 0:
        return None
    if operatorship is not None:
        amount -= await _pay_operator(uow, clock, booking, operatorship, amount)
    return await _add_payout(uow, clock, booking, owner_id, amount, f"booking:{booking.id}:payout")


async def _add_payout(
    uow: UnitOfWork, clock: Clock, booking: Booking, payee_id: int, amount: Money, key: str
) -> Payout:
    payout = Payout(
        owner_id=payee_id, booking_id=booking.id, amount=amount, status=TransferStatus.DUE,
        attempts=0, idempotency_key=key, created_at=clock.now(),
    )  # fmt: skip
    uow.payments.add(payout)
    await uow.payments.flush()
    return payout


async def _pay_operator(
    uow: UnitOfWork, clock: Clock, booking: Booking, operatorship: Operatorship, payout: Money
) -> Money:
    """The share of the owner's payout that the operator managing their spots is paid: moved
    from what the owner is owed to what the operator is, and queued to leave to them. Once a
    booking: a payout queued again for it (after a trim) pays no second share."""
    nothing = Money(0, payout.currency)
    owner_id, operator_id = operatorship.owner_id, operatorship.operator_id
    assert operator_id is not None  # an operatorship under way has its operator
    key = operators.share_key(booking.id)
    cut = operator_cut(payout, operatorship.share_bp)
    if cut.minor <= 0 or await uow.ledger.by_idempotency_key(key) is not None:
        return nothing
    await ledger.post(
        uow, clock, kind=ledger.OPERATOR_SHARE, idempotency_key=key, booking_id=booking.id,
        postings=[Posting(owner_payable_account(owner_id), -cut),
                  Posting(owner_payable_account(operator_id), cut)],
    )  # fmt: skip
    # An operator who owns spots too may owe back on their own: that is paid off first. (Their
    # money lock is held already: ``lock_payees_money``.)
    money = await _owners_money(uow, operator_id, cut.currency)
    leaving = min(cut.minor, money.room - money.due)
    if leaving > 0:
        await _add_payout(
            uow, clock, booking, operator_id, Money(leaving, cut.currency),
            f"booking:{booking.id}:payout:operator",
        )  # fmt: skip
    return cut


def commission_on(booking: Booking, kept: Money) -> Money:
    """The platform's share of the part of a booking's price the owner keeps."""
    return commission_on_part(booking.price, booking.commission, kept)


async def settle_completed(uow: UnitOfWork, clock: Clock, booking: Booking) -> Payout | None:
    """The stay is over: the owner is owed the price less commission, the platform keeps the
    commission, and the owner's payout is queued. Nothing held, nothing to do."""
    held = await _held(uow, booking)
    if held.minor <= 0:
        return None
    commission = booking.commission
    owner_id = await _owner_of(uow, booking)
    to_owner = owner_share(held, commission)
    await ledger.post(
        uow, clock, kind="completion", idempotency_key=f"booking:{booking.id}:complete",
        booking_id=booking.id,
        postings=_postings(
            (ESCROW, -held), (owner_payable_account(owner_id), to_owner),
            (PLATFORM_REVENUE, commission),
        ),
    )  # fmt: skip
    if to_owner.minor <= 0:
        return None
    return await _queue_payout(uow, clock, booking, owner_id, to_owner)


async def settle_cancelled(
    uow: UnitOfWork, clock: Clock, booking: Booking, *, kept: Money, reason: str
) -> Refund | None:
    """The booking was cancelled: ``kept`` of what escrow holds goes to the owner (less the
    platform's share of it), the rest is refunded to the driver."""
    return await _divide(
        uow, clock, booking, kept=kept, kind="cancellation", key="cancel", reason=reason
    )


@dataclass(frozen=True, slots=True)
class OverstayDivided:
    owner_share: Money
    commission: Money
    to_displaced: Money


async def settle_overstay(
    uow: UnitOfWork,
    clock: Clock,
    booking: Booking,
    paid: Money,
    *,
    key: str,
    displaced_between: tuple[datetime, datetime],
) -> OverstayDivided:
    """An overstay's payment, in escrow for ``booking``: first what the platform covered to
    move the drivers the car displaced in that time goes back to it, then the owner's share
    less the platform's commission at the booking's rate; the owner's payout grows by it."""
    start, end = displaced_between
    covered = await uow.bookings.covered_for_stays_moved_from(booking.spot_id, start, end)
    to_displaced = Money(min(max(covered, 0), paid.minor), paid.currency)
    rest = paid - to_displaced
    commission = commission_on(booking, rest)
    to_owner = owner_share(rest, commission)
    owner_id = await _owner_of(uow, booking)
    await lock_payees_money(uow, [owner_id])
    await ledger.post(
        uow, clock, kind="overstay", idempotency_key=f"{key}:settle", booking_id=booking.id,
        postings=_postings(
            (ESCROW, -paid), (PLATFORM_SUBSIDY, to_displaced),
            (owner_payable_account(owner_id), to_owner), (PLATFORM_REVENUE, commission),
        ),
    )  # fmt: skip
    await top_up_payout(uow, clock, booking, owner_id)
    return OverstayDivided(to_owner, commission, to_displaced)


async def refund_from_escrow(
    uow: UnitOfWork, clock: Clock, booking: Booking, amount: Money, *, reason: str
) -> Refund:
    """``amount`` of what escrow holds for the booking goes back to the driver now; the rest
    stays held, and the booking's status is left to what decides it."""
    await ledger.post(
        uow, clock, kind="refund_due", idempotency_key=f"booking:{booking.id}:refund:{reason}",
        booking_id=booking.id,
        postings=[Posting(ESCROW, -amount),
                  Posting(refund_payable_account(booking.driver_id), amount)],
    )  # fmt: skip
    return await _queue_refund(
        uow, clock, booking, await _kept_payment(uow, booking), amount, reason
    )


async def settle_ruling(
    uow: UnitOfWork, clock: Clock, booking: Booking, *, refund: Money
) -> Refund | None:
    """A manager's decision on a dispute: ``refund`` goes back to the driver, the rest to the
    owner less the platform's share of it."""
    held = await _held(uow, booking)
    return await _divide(
        uow, clock, booking, kept=held - refund, kind="ruling", key="ruling", reason="dispute"
    )


async def settle_ruling_after_stay(
    uow: UnitOfWork, clock: Clock, booking: Booking, *, refund: Money
) -> Refund | None:
    """A decision on a stay already settled: ``refund`` comes back from the owner's share still
    waiting to leave and from the platform's commission, in proportion. A share that has left
    is taken back from the owner's account (a reversal of the payout); one still on its way,
    or one the gateway will not take back, stays as it is: the owner then owes it back out of
    their next payouts."""
    price = booking.price
    payment = await _kept_payment(uow, booking)
    refund = Money(
        min(refund.minor, (await refundable_after_stay(uow, booking)).minor), refund.currency
    )
    if refund.minor == 0:
        return None
    kept = price - refund
    commission_back = booking.commission - commission_on(booking, kept)
    owner_back = refund - commission_back
    owner_id = await _owner_of(uow, booking)
    await lock_owners_money(uow, owner_id)
    await ledger.post(
        uow, clock, kind="ruling", idempotency_key=f"booking:{booking.id}:ruling",
        booking_id=booking.id,
        postings=_postings(
            (owner_payable_account(owner_id), -owner_back), (PLATFORM_REVENUE, -commission_back),
            (refund_payable_account(booking.driver_id), refund),
        ),
    )  # fmt: skip
    queued = await _queue_refund(uow, clock, booking, payment, refund, "dispute")
    await _reverse_payout_that_left(uow, clock, booking, owner_id, owner_back, queued)
    await trim_payouts_to_what_is_owed(uow, owner_id, booking)
    return queued


async def refundable_after_stay(uow: UnitOfWork, booking: Booking) -> Money:
    """What a ruling on a settled stay can still send back to the driver: the price, at most
    what is left of the payment it kept."""
    payment = await _kept_payment(uow, booking)
    # What the bank already took back is not the platform's to refund again.
    left = (await refundable(uow, payment)).minor - await _charged_back(uow, booking)
    return Money(max(min(booking.price.minor, left), 0), booking.currency)


async def _reverse_payout_that_left(
    uow: UnitOfWork, clock: Clock, booking: Booking, owner_id: int, owner_back: Money,
    refund: Refund,
) -> None:  # fmt: skip
    """The owner's part of a refund is taken back from the booking's payout if it has left:
    as much as is left of that payout."""
    payout = await uow.payments.payout_of_booking(booking.id, owner_id)
    if payout is None or payout.status != TransferStatus.DONE or payout.external_id is None:
        return
    left = payout.amount_minor - await uow.payments.reversed_of_payout(payout.id)
    amount = min(owner_back.minor, left)
    if amount <= 0:
        return
    uow.payments.add(
        PayoutReversal(
            payout_id=payout.id, owner_id=owner_id, booking_id=booking.id,
            amount=Money(amount, owner_back.currency), status=TransferStatus.DUE,
            attempts=0, idempotency_key=f"{payout.idempotency_key}:reversal:{refund.id}",
            created_at=clock.now(),
        )
    )  # fmt: skip
    await uow.payments.flush()


async def trim_payouts_to_what_is_owed(uow: UnitOfWork, owner_id: int, booking: Booking) -> None:
    """After the owner gave money back, their payouts still waiting may add up to more than
    they are owed: they are cut, this booking's own first, then the newest, so that nothing
    leaves that the owner would owe back. A payout already handed to the gateway keeps its
    amount; the owner then owes the difference out of their next payouts. What a reversal under
    way takes back from a payout that left does not come out of them."""
    await lock_owners_money(uow, owner_id)
    # What is owed before the payouts, and again once they are locked, the least of the two:
    # a payout handed to the gateway in between (which takes no lock) counts as leaving. Less
    # leaves, never more.
    before = await _owners_money(uow, owner_id, booking.currency)
    due = await uow.payments.due_payouts_of_owner(owner_id, booking.currency)
    after = await _owners_money(uow, owner_id, booking.currency)
    room = max(min(before.room, after.room), 0)
    due.sort(key=lambda payout: payout.booking_id != booking.id)  # stable: newest next
    excess = sum(payout.amount_minor for payout in due) - room
    for payout in due:
        if excess <= 0:
            break
        cut = min(excess, payout.amount_minor)
        payout.amount_minor -= cut
        excess -= cut
        if payout.amount_minor == 0:
            await uow.payments.delete(payout)


async def top_up_payout(uow: UnitOfWork, clock: Clock, booking: Booking, owner_id: int) -> None:
    """Money came back to what the owner is owed (a chargeback the platform won): the
    booking's payout waiting to leave grows by what no payout covers yet, or one is queued if
    the booking has none. (A booking whose payout has left keeps it in /earnings as pending.)"""
    await lock_payees_money(uow, [owner_id])
    money = await _owners_money(uow, owner_id, booking.currency)
    room = money.room - money.due
    if room <= 0:
        return
    waiting = await uow.payments.waiting_payout_of(booking.id, owner_id)
    if waiting is not None:
        waiting.amount_minor += room
    elif all(p.booking_id != booking.id for p in await uow.payments.payouts_of_owner(owner_id)):
        await _queue_payout(uow, clock, booking, owner_id, Money(room, booking.currency))


async def _divide(
    uow: UnitOfWork,
    clock: Clock,
    booking: Booking,
    *,
    kept: Money,
    kind: str,
    key: str,
    reason: str,
) -> Refund | None:
    held = await _held(uow, booking)
    if held.minor <= 0:
        return None
    kept = Money(min(max(kept.minor, 0), held.minor), held.currency)
    kept_commission = commission_on(booking, kept)
    to_owner = owner_share(kept, kept_commission)
    refund_amount = held - kept
    # What the platform put towards a moved stay is not the driver's to get back.
    covered_back = await _covered_back(uow, booking, refund_amount)
    refund_amount -= covered_back
    owner_id = await _owner_of(uow, booking)
    await ledger.post(
        uow, clock, kind=kind, idempotency_key=f"booking:{booking.id}:{key}",
        booking_id=booking.id,
        postings=_postings(
            (ESCROW, -held), (refund_payable_account(booking.driver_id), refund_amount),
            (owner_payable_account(owner_id), to_owner),
            (PLATFORM_REVENUE, kept_commission), (PLATFORM_SUBSIDY, covered_back),
        ),
    )  # fmt: skip
    if to_owner.minor > 0:
        await _queue_payout(uow, clock, booking, owner_id, to_owner)
    if refund_amount.minor <= 0:
        await uow.payments.flush()
        return None
    return await _queue_refund(
        uow, clock, booking, await _kept_payment(uow, booking), refund_amount, reason
    )


async def refund_unowed_payment(
    uow: UnitOfWork, clock: Clock, booking: Booking, payment: Payment
) -> Refund:
    """Money that came for a booking no longer payable goes straight back."""
    amount = payment.amount
    await ledger.post(
        uow, clock, kind="refund_due", idempotency_key=f"payment:{payment.id}:unowed",
        booking_id=booking.id,
        postings=[Posting(ESCROW, -amount),
                  Posting(refund_payable_account(booking.driver_id), amount)],
    )  # fmt: skip
    return await _queue_refund(uow, clock, booking, payment, amount, "late_payment")


async def _covered_back(uow: UnitOfWork, booking: Booking, refund: Money) -> Money:
    """Of a refund of a stay moved from an occupied spot, the part beyond what the driver
    brought to it (what moved in, less what went back already): the platform's cover,
    returned to it."""
    if booking.rebooked_from_id is None or refund.minor <= 0:
        return Money(0, refund.currency)
    balances = await uow.ledger.balances_of_booking(booking.id, booking.currency)
    brought = -sum(v for account, v in balances.items() if account.startswith("moving:"))
    back = sum(
        v for account, v in balances.items()
        if account.startswith(("refund_payable:", "driver:", "chargeback:"))
    )  # fmt: skip
    return Money(max(refund.minor - max(brought - back, 0), 0), refund.currency)


async def _kept_payment(uow: UnitOfWork, booking: Booking) -> Payment:
    """The payment the booking kept: a booking may also have had money it did not need (a
    wrong amount, a second payment), which is owed back on its own and is not refunded twice.
    A stay moved from an occupied spot kept the payment of the booking it moved from, and a
    stay of a weekly series the payment of the stay that paid for it."""
    payments = await uow.payments.of_booking(booking.id)
    if not payments and (payer_id := _paid_by(booking)) is not None:
        return await _kept_payment(uow, await _booking(uow, payer_id))
    kept = [p for p in payments if p.status == PaymentStatus.SUCCEEDED]
    if kept:
        return kept[0]
    # Refunded in full already, or never kept: the one with most left to refund.
    left = [(await refundable(uow, p)).minor for p in payments]
    return payments[left.index(max(left))]


def _paid_by(booking: Booking) -> int | None:
    """The booking whose payment brought this one's money, when it had none of its own."""
    return booking.rebooked_from_id or booking.paid_with_id


async def _booking(uow: UnitOfWork, booking_id: int) -> Booking:
    booking = await uow.bookings.get(booking_id)
    assert booking is not None, f"booking {booking_id} is referred to and must exist"
    return booking


async def charge_paid_out_from(uow: UnitOfWork, booking_id: int) -> str | None:
    """The gateway's id of the charge the booking kept, which its owner's payout is made from."""
    booking = await uow.bookings.get(booking_id)
    while booking is not None and not await uow.payments.of_booking(booking.id):
        if (payer_id := _paid_by(booking)) is None:
            return None
        booking = await uow.bookings.get(payer_id)
    if booking is None:
        return None
    return (await _kept_payment(uow, booking)).provider_charge_id


async def refundable(uow: UnitOfWork, payment: Payment) -> Money:
    """What may still be refunded of a payment: what was paid less its refunds."""
    refunded = await uow.payments.refunded_of_payment(payment.id)
    return Money(max(payment.amount.minor - refunded, 0), payment.currency)


async def _charged_back(uow: UnitOfWork, booking: Booking) -> int:
    """What the driver's bank has taken back for the booking and kept (chargebacks)."""
    balances = await uow.ledger.balances_of_booking(booking.id, booking.currency)
    return max(sum(v for account, v in balances.items() if account.startswith("chargeback:")), 0)


async def _queue_refund(
    uow: UnitOfWork, clock: Clock, booking: Booking, payment: Payment, amount: Money, reason: str
) -> Refund:
    """Callers cap ``amount`` at what is refundable, before the ledger moves; this refuses to
    queue more, rather than hand the gateway a refund it must not make."""
    left = await refundable(uow, payment)
    if amount.currency != left.currency or amount.minor > left.minor:
        raise RefundExceedsPayment(f"payment {payment.id}: {amount} asked, {left} left")
    refund = Refund(
        payment_id=payment.id, booking_id=booking.id, driver_id=booking.driver_id,
        amount=amount, reason=reason,
        status=TransferStatus.DUE, attempts=0,
        idempotency_key=f"booking:{booking.id}:refund:{reason}:{payment.id}",
        created_at=clock.now(),
    )  # fmt: skip
    uow.payments.add(refund)
    await uow.payments.flush()
    return refund


# --- what the gateway did -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueTransfers:
    refunds: list[Refund]
    payouts: list[Payout]
    reversals: list[PayoutReversal]


async def due_transfers(uow: UnitOfWork, clock: Clock, *, limit: int = 50) -> DueTransfers:
    return DueTransfers(
        await uow.payments.due_refunds(limit=limit),
        await uow.payments.due_payouts(owed_before=clock.now() - PAYOUT_HOLD, limit=limit),
        await uow.payments.due_reversals(limit=limit),
    )


async def reversal_made(
    uow: UnitOfWork, clock: Clock, reversal_id: int, external_id: str
) -> PayoutReversal:
    """The money is back from the owner's account: they owe it no more."""
    reversal = await uow.payments.locked(PayoutReversal, reversal_id)
    if reversal.status == TransferStatus.DUE:
        await _moved(
            uow, clock, reversal, external_id, kind="payout_reversal",
            key=f"reversal:{reversal.id}:made",
            source=owner_paid_out_account(reversal.owner_id),
            target=owner_payable_account(reversal.owner_id),
        )  # fmt: skip
    return reversal


async def _moved(
    uow: UnitOfWork,
    clock: Clock,
    row: Refund | Payout | PayoutReversal,
    external_id: str,
    *,
    kind: str,
    key: str,
    source: str,
    target: str,
) -> None:
    """The gateway moved a transfer, locked by the caller: the ledger moves it from ``source``
    to ``target`` once (``key``), and the transfer is done."""
    amount = row.amount
    await ledger.post(
        uow, clock, kind=kind, idempotency_key=key,
        booking_id=row.booking_id, postings=[Posting(source, -amount), Posting(target, amount)],
    )  # fmt: skip
    row.status, row.external_id, row.done_at = TransferStatus.DONE, external_id, clock.now()


async def reversal_refused(uow: UnitOfWork, reversal_id: int, error: str) -> PayoutReversal:
    """The gateway will not take the money back: the owner owes it out of their next payouts,
    so their payouts still waiting are cut to what they are owed."""
    reversal = await uow.payments.locked(PayoutReversal, reversal_id)
    if reversal.status != TransferStatus.DUE:
        return reversal
    reversal.status, reversal.attempts, reversal.last_error = (
        TransferStatus.FAILED, reversal.attempts + 1, error[:500]
    )  # fmt: skip
    await uow.payments.flush()
    booking = await uow.bookings.get(reversal.booking_id)
    assert booking is not None
    await trim_payouts_to_what_is_owed(uow, reversal.owner_id, booking)
    return reversal


async def refund_sent(uow: UnitOfWork, clock: Clock, refund_id: int, external_id: str) -> Refund:
    refund = await uow.payments.locked(Refund, refund_id)
    if refund.status != TransferStatus.DUE:
        return refund
    await _moved(
        uow, clock, refund, external_id, kind="refund", key=f"refund:{refund.id}:sent",
        source=refund_payable_account(refund.driver_id), target=driver_account(refund.driver_id),
    )  # fmt: skip
    payment = await uow.payments.locked(Payment, refund.payment_id)
    if payment.status == PaymentStatus.REFUND_DUE or refund.amount == payment.amount:
        payment.status = PaymentStatus.REFUNDED
    # A hold is settled by its refund: let go in full, or the rest taken.
    payment.held = False
    return refund


async def payout_to_send(uow: UnitOfWork, payout_id: int) -> Payout | None:
    """The payout is handed to the gateway now, its amount fixed from here on (a ruling comes
    out of the next payouts instead); None if it may not leave now after all. One whose answer
    was never recorded goes again, with the same amount and idempotency key."""
    payout = await uow.payments.locked_if_any(Payout, payout_id)
    if payout is None:
        return None  # a refund decided meanwhile took all of it
    if payout.status == TransferStatus.SENDING:
        return payout
    if payout.status != TransferStatus.DUE:
        return None
    if await uow.trust.unresolved_dispute_of(payout.booking_id) is not None:
        return None
    payout.status = TransferStatus.SENDING
    return payout


async def payout_not_sent(uow: UnitOfWork, payout_id: int) -> None:
    """The gateway did not take the payout, and it was no failure (no account to send to yet)."""
    payout = await uow.payments.locked_if_any(Payout, payout_id)
    if payout is not None and payout.status == TransferStatus.SENDING:
        await _back_to_due(uow, payout)


async def _back_to_due(uow: UnitOfWork, payout: Payout) -> None:
    """A payout that did not leave waits again, and fits again in what the owner is owed now: a
    refund decided while it was with the gateway did not cut it then. Locked while it was still
    sending, which no trim waits for, before the owner's money is."""
    payout.status = TransferStatus.DUE
    await uow.payments.flush()
    booking = await uow.bookings.get(payout.booking_id)
    assert booking is not None
    await trim_payouts_to_what_is_owed(uow, payout.owner_id, booking)


async def payout_sent(uow: UnitOfWork, clock: Clock, payout_id: int, external_id: str) -> Payout:
    # It lowers what is owed and what is sending at once, which ``owners_money`` reads in one
    # statement: no lock on the owner's money needed (see ``lock_owners_money``).
    payout = await uow.payments.locked(Payout, payout_id)
    if payout.status != TransferStatus.DONE:
        await _moved(
            uow, clock, payout, external_id, kind="payout", key=f"payout:{payout.id}:sent",
            source=owner_payable_account(payout.owner_id),
            target=owner_paid_out_account(payout.owner_id),
        )  # fmt: skip
    return payout


async def transfer_refused(
    uow: UnitOfWork, transfer: type[Refund] | type[Payout], transfer_id: int, error: str
) -> Refund | Payout:
    """The gateway said no; after a few refusals the transfer is given up on (and reported)."""
    row = await uow.payments.locked(transfer, transfer_id)
    if row.status in (TransferStatus.DONE, TransferStatus.FAILED):
        # Another sweep's call for the same transfer went through (or it was given up on):
        # this refusal, a timeout say, changes nothing.
        return row
    row.attempts += 1
    row.last_error = error[:500]
    if row.attempts >= MAX_TRANSFER_ATTEMPTS:
        row.status = TransferStatus.FAILED
    elif isinstance(row, Payout):
        if row.status == TransferStatus.SENDING:
            # Not when another sweep's refusal put it back already: a payout waiting is one a
            # trim holding the owner's lock may be waiting for, so it must not wait for that.
            await _back_to_due(uow, row)
    else:
        row.status = TransferStatus.DUE
    return row
