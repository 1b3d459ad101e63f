"""The contact module: the two sides of a booking write to each other through the bot, known
to each other only by their role. What they send is kept for the managers, should it come to
a dispute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.clock import Clock
from core.contact import mask_contacts
from core.db.models import Person, RelayMessage
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, RelayClosed
from core.services import parties
from core.services.parties import Parties, Side
from core.status import BookingStatus

# After the stay the two sides may still need a word (a forgotten key, a scratch noticed late).
OPEN_AFTER_END = timedelta(hours=2)
OPEN_STATUSES = frozenset({BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.DISPUTED})
# Telegram's own limit on one message: whatever a person can send is relayed whole.
MAX_TEXT = 4096
KINDS = frozenset({"text", "photo", "location"})


@dataclass(frozen=True, slots=True)
class Leg:
    """One direction of a booking's conversation: who writes, and who reads."""

    parties: Parties
    sender_side: Side

    @property
    def recipient(self) -> Person:
        return self.parties.person(self.sender_side.other)

    @property
    def recipients(self) -> list[Person]:
        """Who reads it: the driver, or the owner and the operator who manages their spots."""
        return self.parties.people_on(self.sender_side.other)


def _is_open(found: Parties, clock: Clock) -> bool:
    booking = found.booking
    if booking.status in OPEN_STATUSES:
        return True
    return booking.status == BookingStatus.COMPLETED and clock.now() < booking.end_at + (
        OPEN_AFTER_END
    )


async def open_leg(uow: UnitOfWork, clock: Clock, *, booking_id: int, person_id: int) -> Leg:
    """The person's way to the other side of their booking, while the booking allows it."""
    found = await parties.of_booking(uow, booking_id)
    side = found.side_of(person_id)
    if not _is_open(found, clock):
        raise RelayClosed(str(booking_id))
    return Leg(found, side)


async def send(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    sender_id: int,
    kind: str,
    text: str = "",
    file_id: str | None = None,
) -> tuple[Leg, RelayMessage]:
    """Record what one side sends the other, contact details masked; the caller delivers it."""
    if kind not in KINDS:
        raise InvalidInput(kind)
    leg = await open_leg(uow, clock, booking_id=booking_id, person_id=sender_id)
    message = RelayMessage(
        booking_id=booking_id, sender_id=sender_id, recipient_id=leg.recipient.id, kind=kind,
        text=mask_contacts(text[:MAX_TEXT]), telegram_file_id=file_id, created_at=clock.now(),
    )  # fmt: skip
    uow.trust.add(message)
    await uow.trust.flush()
    return leg, message


async def transcript(uow: UnitOfWork, booking_id: int, *, limit: int = 20) -> list[RelayMessage]:
    """The newest messages of a booking's conversation, oldest first."""
    return await uow.trust.relay_transcript(booking_id, limit=limit)
