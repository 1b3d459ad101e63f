"""The two sides of a booking: who is the driver, who the owner (or the operator who manages
the owner's spots, on the owner's side), and who is neither."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.db.models import Booking, Person, Spot
from core.db.uow import UnitOfWork
from core.errors import BookingNotFound
from core.services import bookings, operators, people, spots


class Side(StrEnum):
    DRIVER = "driver"
    OWNER = "owner"

    @property
    def other(self) -> Side:
        return Side.OWNER if self == Side.DRIVER else Side.DRIVER


@dataclass(frozen=True, slots=True)
class Parties:
    booking: Booking
    spot: Spot
    driver: Person
    owner: Person
    # Who manages the owner's spots now (``core.services.operators``): on the owner's side.
    operator: Person | None = None

    def side_of(self, person_id: int) -> Side:
        """The person's side; anyone else is told the booking doesn't exist."""
        if person_id == self.driver.id:
            return Side.DRIVER
        if person_id == self.owner.id:
            return Side.OWNER
        if self.operator is not None and person_id == self.operator.id:
            return Side.OWNER
        raise BookingNotFound(str(self.booking.id))

    def role_of(self, person_id: int) -> Side:
        """The side someone who took part wrote from, as a record shows it: anyone but the
        driver spoke for the owner (an operator may have stopped managing the spot since)."""
        return Side.DRIVER if person_id == self.driver.id else Side.OWNER

    def people_on(self, side: Side) -> list[Person]:
        """Everyone who hears what is said to that side: the owner's operator with the owner."""
        if side == Side.DRIVER:
            return [self.driver]
        return [self.owner, *([self.operator] if self.operator is not None else [])]

    def person(self, side: Side) -> Person:
        return self.driver if side == Side.DRIVER else self.owner


async def of_booking(uow: UnitOfWork, booking_id: int) -> Parties:
    booking = await bookings.get(uow, booking_id)
    spot = await spots.get(uow, booking.spot_id)
    driver = await people.get(uow, booking.driver_id)
    managing = await operators.of_owner(uow, spot.owner_id)
    return Parties(
        booking, spot, driver, await people.get(uow, spot.owner_id),
        managing.operator if managing is not None else None,
    )  # fmt: skip
