"""What "overlaps a window" means in SQL, said once for the bookings' repository (the write
side, deciding whether a window is taken) and the search's read model (leaving out the spots
that are). A window is half-open, [start, end): a stay ending at 10:00 leaves 10:00 free."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_

from core.db.models import AvailabilityWindow, Booking
from core.status import LIVE_BOOKING_STATUSES


def live_booking_overlapping(spot_id: Any, start: Any, end: Any) -> ColumnElement[bool]:
    """A live booking at ``spot_id`` holds some of [start, end). The arguments are values,
    bound parameters or columns (``Spot.id`` in a correlated subquery)."""
    return and_(
        Booking.spot_id == spot_id,
        Booking.status.in_(LIVE_BOOKING_STATUSES),
        Booking.start_at < end,
        Booking.end_at > start,
    )


def availability_window_overlapping(spot_id: Any, start: Any, end: Any) -> ColumnElement[bool]:
    """A one-off opening or block of the spot touches some of [start, end)."""
    return and_(
        AvailabilityWindow.spot_id == spot_id,
        AvailabilityWindow.start_at < end,
        AvailabilityWindow.end_at > start,
    )
