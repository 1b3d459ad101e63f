"""Overstays cost the overstayer. A car still there after its stay (the owner says so, or the
driver says they left after the grace) is an overstay from the end of the booking until it is
gone; then it is billed by the quarter-hour at the platform's tariff. The money paid goes first
to the drivers the car displaced (what the platform covered to move them), then to the owner
less commission; a bill not paid in time goes to the managers and costs the driver credit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from core.clock import Clock
from core.credit import CreditEventKind
from core.db.models import Booking, Overstay, OverstayStatus, Payment, PaymentStatus
from core.db.uow import UnitOfWork
from core.errors import BookingNotFound, PaymentMismatch
from core.money import Money
from core.overstay_tariff import OverstayTariff
from core.services import (
    booking_payments,
    bookings,
    disputes,
    ledger,
    parties,
    people,
    settlement,
    spots,
)
from core.services.disputes import Problem
from core.services.ledger import ESCROW, Posting, driver_account
from core.services.parties import Parties

PAYLOAD = re.compile(r"^overstay:(\d{1,12}):(\d{1,9})$")


def is_overstay_payload(payload: str) -> bool:
    return PAYLOAD.match(payload) is not None


def payload_for(overstay: Overstay) -> str:
    return f"overstay:{overstay.id}:{overstay.version}"


@dataclass(frozen=True, slots=True)
class Bill:
    """What the driver is asked to pay for staying on, and whom to tell."""

    overstay: Overstay
    parties: Parties
    payload: str
    # Taken at once from the overstay buffer of the driver's card hold, divided so.
    taken: settlement.OverstayDivided | None = None

    @property
    def minutes(self) -> int:
        left_at = self.overstay.left_at
        assert left_at is not None, "a bill is for a car that has gone"
        return int((left_at - self.overstay.ended_at).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class Paid:
    bill: Bill
    payment: Payment
    duplicate: bool
    # False: the money did not match the bill (paid twice, or an old bill): it goes back.
    kept: bool
    owner_share: Money
    to_displaced: Money


async def begin(uow: UnitOfWork, clock: Clock, booking: Booking) -> Overstay:
    """The car of ``booking`` (a stay's last part) is still there after its end."""
    existing = await uow.bookings.overstay_of(booking.id)
    if existing is not None:
        return existing
    now = clock.now()
    overstay = Overstay(
        booking_id=booking.id, ended_at=booking.end_at, left_at=None,
        currency=booking.currency, amount_minor=0, status=OverstayStatus.OPEN, version=1,
        created_at=now, updated_at=now,
    )  # fmt: skip
    uow.bookings.add(overstay)
    await uow.bookings.flush()
    return overstay


async def is_open(uow: UnitOfWork, booking_id: int) -> bool:
    overstay = await uow.bookings.overstay_of(booking_id)
    return overstay is not None and overstay.status == OverstayStatus.OPEN


async def gone(
    uow: UnitOfWork,
    clock: Clock,
    booking: Booking,
    tariff: OverstayTariff,
    *,
    bills_in_chat: bool = True,
) -> Bill | None:
    """The car of ``booking`` is gone now: an open overstay is billed (or waived within the
    grace); a car gone past the grace with none open yet is one, billed at once. The bill, if
    there is anything to pay. One the card's hold cannot take, where the gateway has no bill in
    chat (``bills_in_chat``), goes to the managers at once, costing the driver no credit: they
    were never asked to pay."""
    now = clock.now()
    overstay = await uow.bookings.overstay_of(booking.id)
    if overstay is None:
        if tariff.quarters(now - booking.end_at) == 0:
            return None
        overstay = await begin(uow, clock, booking)
    if overstay.status != OverstayStatus.OPEN:
        return None
    spot = await spots.get(uow, booking.spot_id)
    overstay.left_at = now
    overstay.amount = tariff.charge(spot.hourly_price, now - overstay.ended_at)
    owed = overstay.amount.minor > 0
    overstay.move_to(OverstayStatus.DUE if owed else OverstayStatus.WAIVED, now)
    await uow.bookings.flush()
    if not owed:
        return None
    taken = await _take_from_hold(uow, clock, booking, overstay)
    if taken is None and not bills_in_chat:
        overstay.move_to(OverstayStatus.UNPAID, now)
        await _to_the_managers(uow, clock, booking, overstay)
    return Bill(overstay, await parties.of_booking(uow, booking.id), payload_for(overstay), taken)


async def _to_the_managers(
    uow: UnitOfWork, clock: Clock, booking: Booking, overstay: Overstay
) -> None:
    if await uow.trust.unresolved_dispute_of(booking.id) is None:
        await disputes.open_dispute(
            uow, clock, booking_id=booking.id, kind=Problem.OVERSTAY.value,
            description=f"overstay bill of {overstay.amount} unpaid",
        )  # fmt: skip


async def _take_from_hold(
    uow: UnitOfWork, clock: Clock, booking: Booking, overstay: Overstay
) -> settlement.OverstayDivided | None:
    """A card hold with room in its overstay buffer pays the bill: the hold is taken for the
    price and the overstay together when the stay's money is captured."""
    # Only an overstay reported before a hold with a buffer may be taken (half an hour after
    # the stay) can be sure to be taken with it: later, the capture may already be under way.
    if overstay.created_at >= booking.end_at + booking_payments.BUFFER_KEPT_AFTER_END:
        return None
    for found in await uow.payments.of_booking(booking.id):
        if not (found.held and found.status == PaymentStatus.SUCCEEDED and found.authorized_minor):
            continue
        payment = await uow.payments.locked(Payment, found.id)
        if payment.authorized_minor is None or not payment.held:
            continue
        if payment.authorized_minor - payment.amount_minor < overstay.amount_minor:
            continue
        payment.amount_minor += overstay.amount_minor
        await ledger.post(
            uow, clock, kind="payment",
            idempotency_key=f"payment:{payment.gateway}:{payment.external_id}:overstay",
            booking_id=booking.id,
            postings=[Posting(driver_account(booking.driver_id), -overstay.amount),
                      Posting(ESCROW, overstay.amount)],
        )  # fmt: skip
        return await _settled(uow, clock, booking, overstay)
    return None


async def _settled(
    uow: UnitOfWork, clock: Clock, booking: Booking, overstay: Overstay
) -> settlement.OverstayDivided:
    left_at = overstay.left_at
    assert left_at is not None  # a bill is due only for a car that has gone
    divided = await settlement.settle_overstay(
        uow, clock, booking, overstay.amount, key=f"overstay:{overstay.id}",
        displaced_between=(overstay.ended_at, left_at),
    )  # fmt: skip
    overstay.move_to(OverstayStatus.PAID, clock.now())
    await _counts_against_driver(uow, clock, booking)
    await disputes.settle_overstay_report(uow, clock, booking.id)
    return divided


async def bill_of(uow: UnitOfWork, *, payload: str, driver_id: int) -> Bill:
    """The bill a payload names, if it is this driver's; another's looks like none."""
    match = PAYLOAD.match(payload)
    if match is None:
        raise PaymentMismatch(payload)
    overstay = await uow.payments.locked_if_any(Overstay, int(match.group(1)))
    if overstay is None:
        raise PaymentMismatch(payload)
    found = await parties.of_booking(uow, overstay.booking_id)
    if found.driver.id != driver_id:
        raise BookingNotFound(str(overstay.booking_id))
    return Bill(overstay, found, payload_for(overstay))


async def check_payable(uow: UnitOfWork, *, payload: str, driver_id: int, amount: Money) -> None:
    """The last look before money moves: the bill is still owed, at exactly this amount."""
    bill = await bill_of(uow, payload=payload, driver_id=driver_id)
    overstay = bill.overstay
    if (
        overstay.status != OverstayStatus.DUE
        or payload != bill.payload
        or amount != overstay.amount
    ):
        raise PaymentMismatch(payload)


async def record_payment(
    uow: UnitOfWork,
    clock: Clock,
    *,
    gateway: str,
    payload: str,
    driver_id: int,
    amount: Money,
    external_id: str,
    provider_charge_id: str | None,
) -> Paid:
    """The driver paid a bill: recorded once per ``external_id``, divided at once between the
    displaced drivers' cover, the owner and the platform; money that was not owed goes back."""
    bill = await bill_of(uow, payload=payload, driver_id=driver_id)
    booking = await bookings.locked(uow, bill.overstay.booking_id)
    overstay = bill.overstay
    zero = Money(0, overstay.currency)
    existing = await uow.payments.by_external_id(external_id)
    if existing is not None:
        return Paid(bill, existing, True, existing.status == PaymentStatus.SUCCEEDED, zero, zero)
    kept = (
        overstay.status == OverstayStatus.DUE
        and payload == bill.payload
        and amount == overstay.amount
    )
    payment = Payment(
        booking_id=booking.id, gateway=gateway, amount=amount,
        status=PaymentStatus.SUCCEEDED if kept else PaymentStatus.REFUND_DUE,
        external_id=external_id, provider_charge_id=provider_charge_id, held=False,
        created_at=clock.now(),
    )  # fmt: skip
    uow.payments.add(payment)
    await ledger.post(
        uow, clock, kind="payment", idempotency_key=f"payment:{gateway}:{external_id}",
        booking_id=booking.id,
        postings=[Posting(driver_account(driver_id), -amount), Posting(ESCROW, amount)],
    )  # fmt: skip
    await uow.payments.flush()
    if not kept:
        await settlement.refund_unowed_payment(uow, clock, booking, payment)
        return Paid(bill, payment, False, False, zero, zero)
    divided = await _settled(uow, clock, booking, overstay)
    return Paid(bill, payment, False, True, divided.owner_share, divided.to_displaced)


async def _counts_against_driver(uow: UnitOfWork, clock: Clock, booking: Booking) -> None:
    await people.change_credit(
        uow, clock, booking.driver_id, kind=CreditEventKind.OVERSTAY, booking_id=booking.id,
        note="overstay",
    )  # fmt: skip


async def unpaid(
    uow: UnitOfWork, clock: Clock, *, pay_within: timedelta, limit: int = 50
) -> list[Bill]:
    """Bills not paid in time: the managers get them (a report stays open on the booking),
    and the driver loses credit for the overstay."""
    overdue = await uow.bookings.overstays_due_since(clock.now() - pay_within, limit=limit)
    bills = []
    for overstay in overdue:
        booking = await bookings.locked(uow, overstay.booking_id)
        overstay.move_to(OverstayStatus.UNPAID, clock.now())
        await _counts_against_driver(uow, clock, booking)
        await _to_the_managers(uow, clock, booking, overstay)
        bills.append(Bill(overstay, await parties.of_booking(uow, booking.id), ""))
    return bills
