"""A booking and its extensions, read as one stay. Each extension is a booking of its own, paid
on its own, but the people on both sides see one booking number with the time added."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.clock import Clock
from core.db.models import Booking, Checkout, Person, Spot
from core.db.uow import UnitOfWork
from core.errors import BookingNotFound, IllegalTransition
from core.money import Money
from core.pricing import owner_share
from core.services import (
    booking_payments,
    bookings,
    operators,
    passes,
    people,
    saved_searches,
    series,
    spots,
)
from core.services.booking_payments import Charge, PaymentOutcome
from core.services.saved_searches import FreedSpot
from core.status import BookingStatus

# Extensions that add time to the stay: paid ones (a dispute keeps what was paid in view).
ADDING_TIME = frozenset(
    {
        BookingStatus.CONFIRMED,
        BookingStatus.ACTIVE,
        BookingStatus.COMPLETED,
        BookingStatus.DISPUTED,
    }
)


@dataclass(frozen=True)
class Stay:
    booking: Booking
    extensions: tuple[Booking, ...] = ()
    # An extension asked for and not paid yet: shown apart, since it adds nothing until paid.
    unpaid_extension: Booking | None = None

    @property
    def id(self) -> int:
        return self.booking.id

    @property
    def start_at(self) -> datetime:
        return self.booking.start_at

    @property
    def end_at(self) -> datetime:
        return self.last.end_at

    @property
    def last(self) -> Booking:
        """The booking whose end is the stay's end: the one a further extension follows."""
        return self.extensions[-1] if self.extensions else self.booking

    @property
    def added(self) -> timedelta:
        return sum((e.end_at - e.start_at for e in self.extensions), timedelta())

    @property
    def price(self) -> Money:
        return sum((e.price for e in self.extensions), self.booking.price)

    @property
    def commission(self) -> Money:
        return sum((e.commission for e in self.extensions), self.booking.commission)

    @property
    def owner_share(self) -> Money:
        """What the owner receives for the whole stay."""
        return owner_share(self.price, self.commission)

    @property
    def status(self) -> BookingStatus:
        statuses = [self.booking.status, *(e.status for e in self.extensions)]
        for telling in (BookingStatus.DISPUTED, BookingStatus.ACTIVE):
            if telling in statuses:
                return telling
        return statuses[-1]


async def _root(uow: UnitOfWork, booking: Booking) -> Booking:
    while booking.extends_id is not None:
        parent = await uow.bookings.get(booking.extends_id)
        if parent is None:
            break
        booking = parent
    return booking


async def _stay_from(uow: UnitOfWork, root: Booking) -> Stay:
    extensions: list[Booking] = []
    unpaid: Booking | None = None
    ends = [root.id]
    while ends:
        found = await uow.bookings.extensions_of(ends)
        ends = []
        for extension in found:
            if extension.status in ADDING_TIME:
                extensions.append(extension)
                ends.append(extension.id)
            elif extension.status == BookingStatus.AWAITING_PAYMENT:
                unpaid = extension
    extensions.sort(key=lambda e: e.start_at)
    return Stay(root, tuple(extensions), unpaid)


async def stay_of(uow: UnitOfWork, booking: Booking) -> Stay:
    """The stay ``booking`` belongs to, whether it is the booking itself or an extension."""
    return await _stay_from(uow, await _root(uow, booking))


async def stays_of(uow: UnitOfWork, listed: list[tuple[Booking, Spot]]) -> list[tuple[Stay, Spot]]:
    """A list of bookings as the stays they make, each once, in the order first met."""
    seen: set[int] = set()
    stays: list[tuple[Stay, Spot]] = []
    for booking, spot in listed:
        root = await _root(uow, booking)
        if root.id in seen:
            continue
        seen.add(root.id)
        stays.append((await _stay_from(uow, root), spot))
    return stays


@dataclass(frozen=True, slots=True)
class Parties:
    """A stay with its spot and both sides: what a notice about it shows either side."""

    stay: Stay
    spot: Spot
    owner: Person
    driver: Person
    # Who manages the owner's spots for them (``core.services.operators``), on the owner's
    # side: they are asked to answer booking requests too.
    operator: Person | None = None


async def parties_of(uow: UnitOfWork, booking: Booking) -> Parties:
    spot = await spots.get(uow, booking.spot_id)
    managing = await operators.of_owner(uow, spot.owner_id)
    return Parties(
        await stay_of(uow, booking),
        spot,
        await people.get(uow, spot.owner_id),
        await people.get(uow, booking.driver_id),
        managing.operator if managing is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Cancelled:
    """A stay called off, with what each side is told: the driver's refund, what the owner
    keeps, and the waiting drivers the freed time answers."""

    booking: Booking
    parties: Parties
    refund: Money
    kept: Money
    penalty: int
    freed: list[FreedSpot]
    # Payment pages of the stay that no longer wait for payment, to close at the gateway.
    lapsed_checkouts: list[Checkout]
    # The unpaid month of a pass called off, and with it the pass.
    pass_ended: passes.Notice | None = None


async def cancel_as_driver(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    driver_id: int,
    expected_version: int,
    free_hours: int,
    late_percent: int,
) -> Cancelled:
    seen = await uow.bookings.get(booking_id)
    # Only a month not paid yet goes whole, and the pass with it; a paid stay goes alone.
    was_unpaid = seen is not None and seen.status == BookingStatus.AWAITING_PAYMENT
    booking, terms = await bookings.cancel_by_driver(
        uow, clock, booking_id=booking_id, driver_id=driver_id,
        expected_version=expected_version, free_hours=free_hours, late_percent=late_percent,
    )  # fmt: skip
    pass_ended = await passes.month_called_off(uow, clock, booking) if was_unpaid else None
    cancelled = await _cancelled(uow, clock, booking, terms.refund, terms.kept, 0)
    return replace(cancelled, pass_ended=pass_ended)


async def cancel_as_owner(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, owner_id: int, expected_version: int
) -> Cancelled:
    booking, refund, penalty = await bookings.cancel_by_owner(
        uow, clock, booking_id=booking_id, owner_id=owner_id, expected_version=expected_version
    )
    return await _cancelled(uow, clock, booking, refund, Money(0, refund.currency), penalty)


async def _cancelled(
    uow: UnitOfWork, clock: Clock, booking: Booking, refund: Money, kept: Money, penalty: int
) -> Cancelled:
    parties = await parties_of(uow, booking)
    return Cancelled(
        booking, parties, refund, kept, penalty,
        await saved_searches.freed_for_waiting_drivers(uow, clock, [booking.spot_id]),
        await booking_payments.checkouts_lapsed_in_stay(uow, parties.stay.id),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Extended:
    extension: Booking
    stay: Stay
    spot: Spot
    payment: PaymentDue | None


async def extend(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    driver_id: int,
    minutes: int,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
) -> Extended:
    """``bookings.extend`` with the stay it lengthens, as the driver is shown it."""
    extension = await bookings.extend(
        uow, clock, booking_id=booking_id, driver_id=driver_id, minutes=minutes,
        commission_basis_points=commission_basis_points,
        trusted_owner_commission_basis_points=trusted_owner_commission_basis_points,
    )  # fmt: skip
    stay = await stay_of(uow, extension)
    payment = None
    if extension.status == BookingStatus.AWAITING_PAYMENT:
        payment = await payment_due(uow, extension.id, driver_id, stay)
    return Extended(extension, stay, await spots.get(uow, extension.spot_id), payment)


@dataclass(frozen=True, slots=True)
class RequestAnswered:
    booking: Booking
    driver: Person
    freed: list[FreedSpot]
    # An accepted request waits for the driver's money.
    payment: PaymentDue | None


async def answer_request(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, owner_id: int, accept: bool
) -> RequestAnswered:
    """The owner accepts or declines a stay's request; a declined one frees its time."""
    booking = await bookings.answer_request(
        uow, clock, booking_id=booking_id, owner_id=owner_id, accept=accept
    )
    freed = []
    if not accept:
        freed = await saved_searches.freed_for_waiting_drivers(uow, clock, [booking.spot_id])
    payment = await payment_due(uow, booking.id, booking.driver_id) if accept else None
    return RequestAnswered(booking, await people.get(uow, booking.driver_id), freed, payment)


@dataclass(frozen=True, slots=True)
class PaymentDue:
    """What asking a driver for a booking's money shows: the charge, the payment page already
    open for it if any (pressing Pay again reuses it), and the stay it pays for."""

    charge: Charge
    opened: Checkout | None
    stay: Stay
    # Pages opened for it before, closed since: a new one is a new request to the gateway.
    pages_before: int = 0

    @property
    def page_key(self) -> str:
        """The idempotency key of the next payment page: the same for a retry of one request,
        new for a page opened after the last one closed (its expiry differs). With the moment
        the booking began to wait for its money: a booking written with a page opened and then
        undone (its update failed to commit) may leave its id to the next one on SQLite."""
        awaiting = self.charge.awaiting_since.strftime("%Y%m%d%H%M%S%f")
        key = f"{self.charge.payload}:{awaiting}:collect"
        return f"{key}:{self.pages_before + 1}" if self.pages_before else key


async def payment_due(
    uow: UnitOfWork, booking_id: int, driver_id: int, stay: Stay | None = None
) -> PaymentDue:
    """``stay``: the booking's stay, when the caller has read it already."""
    charge = await booking_payments.charge_for(uow, booking_id=booking_id, driver_id=driver_id)
    opened = await booking_payments.open_checkout_of(uow, booking_id)
    if stay is None:
        stay = await stay_of(uow, await bookings.get(uow, booking_id))
    return PaymentDue(charge, opened, stay, await uow.payments.checkouts_of_booking(booking_id))


@dataclass(frozen=True, slots=True)
class Booked:
    """A driver's booking made, with what both sides are told: the owner's notice (or request)
    and, when it waits for payment, what the driver is asked to pay."""

    booking: Booking
    parties: Parties
    payment: PaymentDue | None


async def book(
    uow: UnitOfWork,
    clock: Clock,
    *,
    driver_id: int,
    spot_id: int,
    start: datetime,
    end: datetime,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
    member_of: frozenset[int] = frozenset(),
) -> Booked:
    """``bookings.request``, with everything the driver's and the owner's messages show."""
    booking = await bookings.request(
        uow, clock, driver_id=driver_id, spot_id=spot_id, start=start, end=end,
        commission_basis_points=commission_basis_points,
        trusted_owner_commission_basis_points=trusted_owner_commission_basis_points,
        member_of=member_of,
    )  # fmt: skip
    payment = None
    parties = await parties_of(uow, booking)
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        payment = await payment_due(uow, booking.id, driver_id, parties.stay)
    return Booked(booking, parties, payment)


@dataclass(frozen=True, slots=True)
class Paid:
    """A driver's payment recorded, with the stay and both sides it confirms."""

    outcome: PaymentOutcome
    parties: Parties
    # Every stay the payment confirmed: more than one for a weekly series.
    together: list[Booking]
    # The payment was for a month of a monthly pass.
    monthly: bool = False


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
    """``booking_payments.record_payment``, with what the confirmation and the owner's notice
    show."""
    outcome = await booking_payments.record_payment(
        uow, clock, gateway=gateway, payload=payload, driver_id=driver_id, amount=amount,
        external_id=external_id, provider_charge_id=provider_charge_id,
    )  # fmt: skip
    booking = outcome.booking
    together = (
        await series.paid_together(uow, booking) if booking.series_id is not None else [booking]
    )
    monthly = booking.series_id is not None and bool(await uow.bookings.in_passes([booking.id]))
    return Paid(outcome, await parties_of(uow, booking), together, monthly)


async def remaining_window(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, driver_id: int
) -> tuple[datetime, datetime, Spot]:
    """What is left of the driver's stay (from now, or its start if still to come) and its
    spot: where and when to look for another spot."""
    booking = await uow.bookings.get(booking_id)
    if booking is None or booking.driver_id != driver_id:
        raise BookingNotFound(str(booking_id))
    stay = await stay_of(uow, booking)
    now = clock.now()
    if stay.status not in bookings.EXTENDABLE or stay.end_at <= now:
        raise IllegalTransition(str(booking_id))
    return max(stay.start_at, now), stay.end_at, await spots.get(uow, booking.spot_id)
