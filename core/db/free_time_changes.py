"""Which spots' free time a unit of work changed, so that it is rewritten before the commit.

Every ORM change that moves a spot's free time is seen on flush: a new spot, a weekly rule or
a one-off window added, changed or removed, a booking made live or no longer live, and a live
booking's times changed. The few writes made with Core statements, which no flush sees, name
their spot with ``note``; so does nothing for a booking attempt, which inserts with Core and
takes its window out of the stored free time in the same statement
(``Bookings.insert_if_free``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from core.db.models import AvailabilityRule, AvailabilityWindow, Booking, Spot
from core.status import LIVE_BOOKING_STATUSES

_CHANGED = "parkshare_free_time_changed"


def note(session: Session, *spot_ids: int) -> None:
    """These spots' free time changed by a write no flush sees."""
    session.info.setdefault(_CHANGED, set()).update(spot_ids)


def take(session: Session) -> set[int]:
    """The spots changed since the last call (flush first)."""
    changed: set[int] = session.info.pop(_CHANGED, None) or set()
    return changed


def pending(session: Session) -> bool:
    return bool(session.info.get(_CHANGED) or session.new or session.deleted or session.dirty)


class TrackingSession(Session):
    """The session units of work use: it records the spots each flush changed."""


def _changed_value(state: Any, name: str) -> tuple[Any, Any] | None:
    """(before, after) of an attribute changed in this flush, or None."""
    history = state.attrs[name].history
    if not history.has_changes():
        return None
    before = history.deleted[0] if history.deleted else None
    after = history.added[0] if history.added else None
    return before, after


_RULE_COLUMNS = ("spot_id", "weekday", "start_minute", "end_minute")
_WINDOW_COLUMNS = ("spot_id", "start_at", "end_at", "blocked")


def _any_changed(instance: object, names: tuple[str, ...]) -> bool:
    # Only these columns: a composite's history is built even when half of it is unset.
    state = inspect(instance)
    return any(_changed_value(state, name) for name in names)


def _booking_moves_free_time(booking: Booking) -> bool:
    state = inspect(booking)
    status = _changed_value(state, "status")
    live_before = (status[0] if status else booking.status) in LIVE_BOOKING_STATUSES
    live_after = booking.status in LIVE_BOOKING_STATUSES
    if live_before != live_after:
        return True
    return live_after and _any_changed(booking, ("start_at", "end_at", "spot_id"))


def _moves_free_time(session: Session, instance: object, *, new: bool, deleted: bool) -> bool:
    if isinstance(instance, Spot):
        return new or (not deleted and bool(_changed_value(inspect(instance), "timezone")))
    if isinstance(instance, AvailabilityRule):
        return new or deleted or _any_changed(instance, _RULE_COLUMNS)
    if isinstance(instance, AvailabilityWindow):
        return new or deleted or _any_changed(instance, _WINDOW_COLUMNS)
    if not isinstance(instance, Booking):
        return False
    if new or deleted:
        return instance.status in LIVE_BOOKING_STATUSES
    return _booking_moves_free_time(instance)


@event.listens_for(TrackingSession, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    changed: set[int] = set()
    for instances, new, deleted in (
        (session.new, True, False),
        (session.deleted, False, True),
        (session.dirty, False, False),
    ):
        for instance in instances:
            if not _moves_free_time(session, instance, new=new, deleted=deleted):
                continue
            if isinstance(instance, Spot):
                changed.add(instance.id)
                continue
            moved = None if new or deleted else _changed_value(inspect(instance), "spot_id")
            changed.update(spot_id for spot_id in moved or () if spot_id is not None)
            changed.add(instance.spot_id)
    if changed:
        note(session, *changed)
