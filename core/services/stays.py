"""A booking and its extensions, read as one stay. Each extension is a booking of its own, paid
on its own, but the people on both sides see one booking number with the time added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from core.db.models import Booking, Person, Spot
from core.db.uow import UnitOfWork
from core.money import Money
from core.pricing import owner_share
from core.services import bookings, people, saved_searches, spots
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
        minor = self.booking.commission_minor + sum(e.commission_minor for e in self.extensions)
        return Money(minor, self.booking.currency)

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


async def parties_of(uow: UnitOfWork, booking: Booking) -> Parties:
    spot = await spots.get(uow, booking.spot_id)
    return Parties(
        await stay_of(uow, booking),
        spot,
        await people.get(uow, spot.owner_id),
        await people.get(uow, booking.driver_id),
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
    booking, terms = await bookings.cancel_by_driver(
        uow, clock, booking_id=booking_id, driver_id=driver_id,
        expected_version=expected_version, free_hours=free_hours, late_percent=late_percent,
    )  # fmt: skip
    return Cancelled(
        booking, await parties_of(uow, booking), terms.refund, terms.kept, 0,
        await saved_searches.freed_for_waiting_drivers(uow, clock, [booking.spot_id]),
    )  # fmt: skip


async def cancel_as_owner(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, owner_id: int, expected_version: int
) -> Cancelled:
    booking, refund, penalty = await bookings.cancel_by_owner(
        uow, clock, booking_id=booking_id, owner_id=owner_id, expected_version=expected_version
    )
    return Cancelled(
        booking, await parties_of(uow, booking), refund, Money(0, refund.currency), penalty,
        await saved_searches.freed_for_waiting_drivers(uow, clock, [booking.spot_id]),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Extended:
    extension: Booking
    stay: Stay
    spot: Spot


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
    return Extended(
        extension, await stay_of(uow, extension), await spots.get(uow, extension.spot_id)
    )


@dataclass(frozen=True, slots=True)
class RequestAnswered:
    booking: Booking
    driver: Person
    freed: list[FreedSpot]


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
    return RequestAnswered(booking, await people.get(uow, booking.driver_id), freed)
