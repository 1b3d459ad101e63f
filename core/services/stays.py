"""A booking and its extensions, read as one stay. Each extension is a booking of its own, paid
on its own, but the people on both sides see one booking number with the time added."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.db.models import Booking, Spot
from core.db.uow import UnitOfWork
from core.money import Money
from core.pricing import owner_share
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
