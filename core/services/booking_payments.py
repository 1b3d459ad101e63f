"""Paying for a booking: what to charge, whether a payment may still go ahead, and recording
it once into escrow however often the gateway reports it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.clock import Clock
from core.db.models import Booking, Checkout, GatewayEvent, Payment, PaymentStatus
from core.db.uow import UnitOfWork
from core.errors import BookingNotFound, BookingNotPayable, PaymentMismatch, WindowTaken
from core.money import Money
from core.services import bookings, holds, ledger, series, settlement
from core.services.ledger import ESCROW, Posting, driver_account
from core.status import BookingStatus, SpotStatus

# Bookings whose hold must be kept (taken before it lapses) rather than let go: a disputed
# one too, or the money a manager is about to divide would be gone when they decide.
HOLD_KEEPING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.DISPUTED)
PAYLOAD = re.compile(r"^booking:(\d{1,12}):(\d{1,9})$")


@dataclass(frozen=True, slots=True)
class Charge:
    """What a driver is asked to pay for a booking."""

    booking_id: int
    payload: str
    amount: Money
    spot_title: str
    start_at: datetime
    # The booking's last change: its payment window runs from here.
    awaiting_since: datetime
    # The spot's hourly price: what an overstay is reckoned from.
    hourly_price: Money
    # The stays this payment is for: more than one for the first stay of a weekly series,
    # which is charged at once (never a card hold: cancelling one stay must not let go of the
    # others' money).
    stays: int = 1
    # For a month of a monthly pass.
    monthly: bool = False
    # Payable until then rather than for the payment window (a pass's next month, a later week
    # of a series).
    due_by: datetime | None = None

    @property
    def holdable(self) -> bool:
        return self.stays == 1 and not self.monthly

    def pay_by(self, payment_window: timedelta) -> datetime:
        """When the booking expires unpaid."""
        return self.due_by or self.awaiting_since + payment_window


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
    if booking.paid_with_id is not None:
        # Paid with the first stay of its series: asked for there, never on its own.
        raise BookingNotPayable(str(booking_id), status=booking.status)
    spot = await uow.spots.get(booking.spot_id)
    assert spot is not None
    paying_for = [booking]
    if booking.series_id is not None:
        paying_for += [
            other for other in await uow.bookings.paid_with(booking.id)
            if other.status == BookingStatus.AWAITING_PAYMENT
        ]  # fmt: skip
    return Charge(
        booking_id=booking.id,
        payload=payload_for(booking),
        amount=sum((other.price for other in paying_for[1:]), booking.price),
        spot_title=spot.title,
        start_at=booking.start_at,
        awaiting_since=booking.updated_at,
        hourly_price=spot.hourly_price,
        stays=len(paying_for),
        monthly=booking.series_id is not None and bool(await uow.bookings.in_passes([booking.id])),
        due_by=booking.pay_by,
    )


async def _owed_for(uow: UnitOfWork, booking: Booking) -> Money:
    """The price a payment for ``booking`` must bring: with the stays of its series it pays."""
    if booking.series_id is None:
        return booking.price
    return await series.batch_price(uow, booking)


async def check_payable(uow: UnitOfWork, *, payload: str, driver_id: int, amount: Money) -> None:
    """The last look before money moves: the booking still waits for exactly this payment."""
    booking = await _own_booking(uow, booking_id_of(payload), driver_id)
    if booking.status != BookingStatus.AWAITING_PAYMENT:
        raise BookingNotPayable(str(booking.id), status=booking.status)
    if (
        payload != payload_for(booking)
        or booking.paid_with_id is not None
        or amount != await _owed_for(uow, booking)
    ):
        raise PaymentMismatch(payload)


class PaymentResult(StrEnum):
    """The one thing the driver is told about a payment."""

    CONFIRMED = "confirmed"
    # It came after the booking lapsed, and the window was still free: the booking is back.
    REINSTATED = "reinstated"
    # Refunded in full, because the booking lapsed and its window went to someone else ...
    REFUNDED_LAPSED = "refunded_lapsed"
    # ... or was cancelled meanwhile ...
    REFUNDED_CANCELLED = "refunded_cancelled"
    # ... or was paid already, or the amount is not the price.
    REFUNDED_NOT_OWED = "refunded_not_owed"


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    booking: Booking
    payment: Payment
    # True when this report of the payment was already recorded before.
    duplicate: bool
    result: PaymentResult = PaymentResult.CONFIRMED


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
    held: bool = False,
    hold_extra: Money | None = None,
) -> PaymentOutcome:
    """Money has been taken: keep it in escrow and confirm the booking. A card hold may carry
    ``hold_extra`` beyond the price (an overstay buffer): only the price is owed and kept.
    Recorded once per ``external_id``. Decided on the booking's row under its lock, so an
    expiry or a cancellation racing the payment is seen: money for a booking that lapsed
    meanwhile takes it back while its window is still free, and is otherwise refunded in full.
    Nothing is lost either way."""
    booking = await bookings.locked(uow, booking_id_of(payload))
    if booking.series_id is not None:
        # The stays this payment is for, before their price is summed: a cancel of one of them
        # waits, or is seen.
        for other in await uow.bookings.paid_with(booking.id):
            await bookings.locked(uow, other.id)
    # Another person's booking looks like no booking at all.
    if booking.driver_id != driver_id:
        raise BookingNotFound(str(booking.id))
    existing = await uow.payments.by_external_id(external_id)
    if existing is not None:
        return PaymentOutcome(booking, existing, duplicate=True, result=_result_of(existing))
    buffer = (
        hold_extra
        if held
        and hold_extra is not None
        and hold_extra.minor > 0
        and hold_extra.currency == booking.currency
        else None
    )
    owed_price = await _owed_for(uow, booking)
    with_buffer = buffer is not None and amount == booking.price + buffer
    price_paid = booking.paid_with_id is None and (amount == owed_price or with_buffer)
    if price_paid and booking.status == BookingStatus.AWAITING_PAYMENT:
        result = PaymentResult.CONFIRMED
    elif booking.series_id is not None and booking.status == BookingStatus.EXPIRED:
        # A series is booked whole or not at all: its stays are not taken back one by one.
        result = PaymentResult.REFUNDED_LAPSED
    elif price_paid and booking.status == BookingStatus.EXPIRED:
        result = await _reinstate_or_refund(uow, clock, booking)
    elif booking.status == BookingStatus.CANCELLED:
        result = PaymentResult.REFUNDED_CANCELLED
    else:
        result = PaymentResult.REFUNDED_NOT_OWED
    kept = result in (PaymentResult.CONFIRMED, PaymentResult.REINSTATED)
    owed = booking.price if with_buffer and kept else amount
    payment = Payment(
        booking_id=booking.id,
        gateway=gateway,
        amount=owed,
        authorized_minor=amount.minor if with_buffer and kept else None,
        status=PaymentStatus.SUCCEEDED if kept else PaymentStatus.REFUND_DUE,
        external_id=external_id,
        provider_charge_id=provider_charge_id,
        held=held and kept,
        created_at=clock.now(),
    )
    uow.payments.add(payment)
    await ledger.post(
        uow,
        clock,
        kind="payment",
        idempotency_key=f"payment:{gateway}:{external_id}",
        booking_id=booking.id,
        postings=[Posting(driver_account(driver_id), -owed), Posting(ESCROW, owed)],
    )
    if result == PaymentResult.CONFIRMED:
        booking = await bookings.move(uow, clock, booking, BookingStatus.CONFIRMED)
        if booking.series_id is not None:
            await series.share_out(uow, clock, booking)
    elif not kept:
        await uow.payments.flush()
        await settlement.refund_unowed_payment(uow, clock, booking, payment)
    return PaymentOutcome(booking, payment, duplicate=False, result=result)


async def _reinstate_or_refund(uow: UnitOfWork, clock: Clock, booking: Booking) -> PaymentResult:
    """A booking that expired while its payment was on the way is confirmed after all if its
    window is still ahead, still offered and still free."""
    spot = await uow.spots.get(booking.spot_id)
    if (
        spot is None
        or spot.status != SpotStatus.APPROVED
        or booking.end_at <= clock.now()
        or not await bookings.is_free(uow, spot, booking.start_at, booking.end_at)
    ):
        return PaymentResult.REFUNDED_LAPSED
    try:
        # PostgreSQL's exclusion constraint still guards a booking committed a moment ago.
        async with uow.savepoint(), uow.bookings.taking_window(booking.spot_id):
            await bookings.move(uow, clock, booking, BookingStatus.CONFIRMED)
    except WindowTaken:
        await uow.bookings.reload(booking)
        return PaymentResult.REFUNDED_LAPSED
    return PaymentResult.REINSTATED


def _result_of(payment: Payment) -> PaymentResult:
    if payment.status == PaymentStatus.SUCCEEDED:
        return PaymentResult.CONFIRMED
    return PaymentResult.REFUNDED_NOT_OWED


# --- hosted payment pages and their webhooks ------------------------------------------------

# A stay that starts later than this is charged at once rather than held: a hold of unknown
# length would have to be taken before the stay anyway.
HOLD_LAPSES_AFTER = holds.HOLD_LASTS - holds.CAPTURE_AHEAD


async def open_checkout(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    gateway: str,
    reference: str,
    url: str,
    expires_at: datetime | None = None,
) -> Checkout:
    existing = await uow.payments.checkout_by_reference(reference)
    if existing is not None:
        return existing
    # A page opened anew replaces one at (or near) its expiry: that one is not sent again.
    await uow.payments.close_checkouts_of_booking(booking_id)
    checkout = Checkout(
        booking_id=booking_id, gateway=gateway, reference=reference, url=url, open=True,
        expires_at=expires_at, created_at=clock.now(),
    )  # fmt: skip
    uow.payments.add(checkout)
    await uow.payments.flush()
    return checkout


# A page this close to its expiry is not sent again: the driver could not finish paying on it.
PAGE_USABLE_FOR = timedelta(minutes=10)


async def open_checkout_of(uow: UnitOfWork, booking_id: int) -> Checkout | None:
    """The payment page last opened for a booking, so pressing Pay again reuses it."""
    return await uow.payments.open_checkout_of_booking(booking_id)


def still_usable(page: Checkout, now: datetime) -> bool:
    """Whether a driver sent to ``page`` now has time to pay on it; if not, a new one opens."""
    return page.expires_at is None or page.expires_at - now >= PAGE_USABLE_FOR


async def checkouts_to_reconcile(
    uow: UnitOfWork, clock: Clock, *, quiet_for: timedelta, limit: int = 50
) -> list[Checkout]:
    """Payment pages open for a while with no word from the gateway."""
    return await uow.payments.open_checkouts(created_before=clock.now() - quiet_for, limit=limit)


async def checkouts_to_expire(uow: UnitOfWork, *, gateway: str, limit: int = 50) -> list[Checkout]:
    """Payment pages still open for bookings no longer waiting for payment (expired,
    cancelled): they are closed at the gateway, so nobody pays for nothing."""
    return await uow.payments.open_checkouts_not_awaiting_payment(gateway=gateway, limit=limit)


async def checkouts_lapsed_in_stay(uow: UnitOfWork, root_id: int) -> list[Checkout]:
    """The payment pages a stay's cancellation left open, to be closed at once."""
    return await uow.payments.open_checkouts_lapsed_in_stay(root_id)


async def close_checkout(uow: UnitOfWork, reference: str) -> None:
    checkout = await uow.payments.checkout_by_reference(reference)
    if checkout is not None:
        checkout.open = False


async def record_gateway_payment(
    uow: UnitOfWork,
    clock: Clock,
    *,
    gateway: str,
    payload: str,
    amount: Money,
    external_id: str,
    provider_charge_id: str | None,
    held: bool,
    capture_before: datetime | None = None,
    hold_extra: Money | None = None,
) -> PaymentOutcome:
    """A payment the gateway vouches for (a signed webhook, or its API when reconciling);
    ``capture_before`` is when its hold lapses, if the gateway said."""
    booking = await uow.bookings.get(booking_id_of(payload))
    if booking is None:
        raise BookingNotFound(payload)
    outcome = await record_payment(
        uow, clock, gateway=gateway, payload=payload, driver_id=booking.driver_id, amount=amount,
        external_id=external_id, provider_charge_id=provider_charge_id, held=held,
        hold_extra=hold_extra,
    )  # fmt: skip
    if outcome.payment.held and outcome.payment.capture_before is None:
        outcome.payment.capture_before = capture_before
    checkout = await uow.payments.open_checkout_of_booking(booking.id)
    if checkout is not None:
        checkout.open = False
    return outcome


async def payment_captured(uow: UnitOfWork, external_id: str) -> Payment | None:
    payment = await uow.payments.by_external_id_for_update(external_id)
    if payment is not None:
        payment.held = False
    return payment


async def holds_to_capture(
    uow: UnitOfWork, clock: Clock, *, limit: int = 50
) -> list[tuple[Payment, Booking]]:
    """Holds to take now: the stay is over, or the hold would lapse before it is (a day before
    the issuer's ``capture_before``, as the gateway reported it), or the stay moved to another
    spot with this money (kept in escrow from here, as a paid invoice is)."""
    now = clock.now()
    held = await uow.payments.held_with_bookings(limit=limit)
    moved = await uow.bookings.rebooked_among([booking.id for _payment, booking in held])
    staying_on = await uow.bookings.staying_on_among([booking.id for _payment, booking in held])
    return [
        (payment, booking)
        for payment, booking in held
        if (booking.status == BookingStatus.COMPLETED and _over_for_its_buffer(
            payment, booking, now, staying_on
        ))
        or booking.id in moved
        or (booking.status in HOLD_KEEPING_STATUSES and holds.take_by(payment) <= now)
        or (booking.status == BookingStatus.COMPLETED and holds.take_by(payment) <= now)
    ]  # fmt: skip


# A hold with an overstay buffer is taken this long after the stay: by then a car still there
# has been reported (the owner is asked a quarter of an hour after the end).
BUFFER_KEPT_AFTER_END = timedelta(minutes=30)


def _over_for_its_buffer(
    payment: Payment, booking: Booking, now: datetime, staying_on: set[int]
) -> bool:
    """A completed stay's hold is taken at once, unless it carries an overstay buffer: then
    once nothing can be taken from the buffer any more."""
    if payment.authorized_minor is None or payment.authorized_minor <= payment.amount_minor:
        return True
    return booking.id not in staying_on and now >= booking.end_at + BUFFER_KEPT_AFTER_END


async def first_time_event(
    uow: UnitOfWork, clock: Clock, *, gateway: str, event_id: str, kind: str
) -> bool:
    """True the first time a webhook event is seen; recorded in the caller's transaction, so
    it counts as processed only together with its effects."""
    if await uow.payments.event_seen(gateway, event_id):
        return False
    uow.payments.add(
        GatewayEvent(gateway=gateway, event_id=event_id, kind=kind, received_at=clock.now())
    )
    await uow.payments.flush()
    return True
