"""Paying for a booking: what to charge, whether a payment may still go ahead, and recording
it once into escrow however often the gateway reports it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.clock import Clock
from core.db.models import Booking, Payment, PaymentStatus
from core.db.uow import UnitOfWork
from core.errors import BookingNotFound, BookingNotPayable, PaymentMismatch
from core.money import Money
from core.services import bookings, ledger, settlement
from core.services.ledger import ESCROW, Posting, driver_account
from core.status import BookingStatus

PAYLOAD = re.compile(r"^booking:(\d{1,12}):(\d{1,9})$")


@dataclass(frozen=True, slots=True)
class Charge:
    """What a driver is asked to pay for a booking."""

    booking_id: int
    payload: str
    amount: Money
    spot_title: str


def payload_for(booking: Booking) -> str:
    return f"booking:{booking.id}:{booking.version}"


def booking_id_of(payload: str) -> int:
    match = PAYLOAD.match(payload)
    if match is None:
        raise PaymentMismatch(payload)
    return int(match.group(1))


async def _own_booking(uow: UnitOfWork, booking_id: int, driver_id: int) -> Booking:
    booking = await uow.bookings.get(booking_id)
    # Another person's booking looks like no booking at all.
    if booking is None or booking.driver_id != driver_id:
        raise BookingNotFound(str(booking_id))
    return booking


async def charge_for(uow: UnitOfWork, *, booking_id: int, driver_id: int) -> Charge:
    booking = await _own_booking(uow, booking_id, driver_id)
    if booking.status != BookingStatus.AWAITING_PAYMENT:
        raise BookingNotPayable(str(booking_id), status=booking.status)
    spot = await uow.spots.get(booking.spot_id)
    assert spot is not None
    return Charge(
        booking_id=booking.id,
        payload=payload_for(booking),
        amount=Money(booking.price_minor, booking.currency),
        spot_title=spot.title,
    )


async def check_payable(uow: UnitOfWork, *, payload: str, driver_id: int, amount: Money) -> None:
    """The last look before money moves: the booking still waits for exactly this payment."""
    booking = await _own_booking(uow, booking_id_of(payload), driver_id)
    if booking.status != BookingStatus.AWAITING_PAYMENT:
        raise BookingNotPayable(str(booking.id), status=booking.status)
    if payload != payload_for(booking) or amount != Money(booking.price_minor, booking.currency):
        raise PaymentMismatch(payload)


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    booking: Booking
    payment: Payment
    # True when this report of the payment was already recorded before.
    duplicate: bool


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
) -> PaymentOutcome:
    """Money has been taken: keep it in escrow and confirm the booking. Recorded once per
    ``external_id``. Money that arrives for a booking that lapsed meanwhile is still recorded,
    as owed back to the driver, so nothing is lost."""
    existing = await uow.payments.by_external_id(external_id)
    booking = await _own_booking(uow, booking_id_of(payload), driver_id)
    if existing is not None:
        return PaymentOutcome(booking, existing, duplicate=True)
    payable = booking.status == BookingStatus.AWAITING_PAYMENT and amount == Money(
        booking.price_minor, booking.currency
    )
    payment = Payment(
        booking_id=booking.id,
        gateway=gateway,
        currency=amount.currency,
        amount_minor=amount.minor,
        status=PaymentStatus.SUCCEEDED if payable else PaymentStatus.REFUND_DUE,
        external_id=external_id,
        provider_charge_id=provider_charge_id,
        created_at=clock.now(),
    )
    uow.payments.add(payment)
    await ledger.post(
        uow,
        clock,
        kind="payment",
        idempotency_key=f"payment:{gateway}:{external_id}",
        booking_id=booking.id,
        postings=[Posting(driver_account(driver_id), -amount), Posting(ESCROW, amount)],
    )
    if payable:
        booking = await bookings.transition(uow, clock, booking.id, BookingStatus.CONFIRMED)
    else:
        await uow.payments.flush()
        await settlement.refund_unowed_payment(uow, clock, booking, payment)
    return PaymentOutcome(booking, payment, duplicate=False)
