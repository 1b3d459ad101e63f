"""Lifecycles of bookings and spots: which status may follow which."""

from __future__ import annotations

from enum import StrEnum

from core.errors import IllegalSpotTransition, IllegalTransition


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    AWAITING_PAYMENT = "awaiting_payment"
    CONFIRMED = "confirmed"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DISPUTED = "disputed"


BOOKING_TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.REQUESTED: frozenset(
        {BookingStatus.AWAITING_PAYMENT, BookingStatus.CANCELLED, BookingStatus.EXPIRED}
    ),
    BookingStatus.AWAITING_PAYMENT: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED}
    ),
    BookingStatus.CONFIRMED: frozenset(
        {BookingStatus.ACTIVE, BookingStatus.CANCELLED, BookingStatus.DISPUTED}
    ),
    BookingStatus.ACTIVE: frozenset({BookingStatus.COMPLETED, BookingStatus.DISPUTED}),
    # A manager's ruling ends a dispute: released to the owner, or refunded.
    BookingStatus.DISPUTED: frozenset({BookingStatus.COMPLETED, BookingStatus.CANCELLED}),
    BookingStatus.COMPLETED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    # A payment that was on its way when the booking lapsed takes it back, window still free.
    BookingStatus.EXPIRED: frozenset({BookingStatus.CONFIRMED}),
}

# Bookings in these statuses hold their window: no other live booking may overlap them.
LIVE_BOOKING_STATUSES: frozenset[BookingStatus] = frozenset(
    {
        BookingStatus.REQUESTED,
        BookingStatus.AWAITING_PAYMENT,
        BookingStatus.CONFIRMED,
        BookingStatus.ACTIVE,
        BookingStatus.DISPUTED,
    }
)

INITIAL_BOOKING_STATUSES: frozenset[BookingStatus] = frozenset(
    {BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT}
)


def check_booking_transition(current: BookingStatus, new: BookingStatus) -> None:
    if new not in BOOKING_TRANSITIONS[current]:
        raise IllegalTransition(f"{current} -> {new}", current=current, new=new)


class SpotStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    PAUSED = "paused"
    REJECTED = "rejected"
    # Withdrawn by the owner; kept, because past bookings and the ledger refer to it.
    DELETED = "deleted"


SPOT_TRANSITIONS: dict[SpotStatus, frozenset[SpotStatus]] = {
    SpotStatus.DRAFT: frozenset({SpotStatus.PENDING, SpotStatus.APPROVED}),
    SpotStatus.PENDING: frozenset({SpotStatus.APPROVED, SpotStatus.REJECTED, SpotStatus.DELETED}),
    SpotStatus.APPROVED: frozenset({SpotStatus.PAUSED, SpotStatus.DELETED}),
    SpotStatus.PAUSED: frozenset({SpotStatus.APPROVED, SpotStatus.DELETED}),
    # A rejected listing may be edited and submitted again.
    SpotStatus.REJECTED: frozenset({SpotStatus.PENDING, SpotStatus.DELETED}),
    SpotStatus.DELETED: frozenset(),
}


def check_spot_transition(current: SpotStatus, new: SpotStatus) -> None:
    if new not in SPOT_TRANSITIONS[current]:
        raise IllegalSpotTransition(f"{current} -> {new}", current=current, new=new)
