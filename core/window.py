"""A stretch of time a driver books or searches for: [start, end), in aware UTC.

Built only valid, so a service that holds a ``Window`` needs no checks of its own: the end is
after the start and the stay no longer than ``MAX_LENGTH``. Whether it is still ahead depends
on the clock, and is asked with ``check_bookable``: not past, and ending by the bookable
horizon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.clock import ensure_utc
from core.errors import BookingTooLong, InvalidWindow, WindowInPast, WindowTooFarAhead
from core.free_time import horizon

MAX_LENGTH = timedelta(days=30)
# A window starting a moment ago is still "now": the driver took a few seconds to press.
PAST_GRACE = timedelta(minutes=5)
# Windows offered from "now" start on a five-minute mark, so results stay stable while the
# driver reads them.
STEP_MINUTES = 5


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        # Naive datetimes are a programming error (ValueError), not a person's.
        start, end = ensure_utc(self.start), ensure_utc(self.end)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if end <= start:
            raise InvalidWindow(f"{start} >= {end}")
        if end - start > MAX_LENGTH:
            raise BookingTooLong(str(end - start))

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def hours(self) -> float:
        return self.length.total_seconds() / 3600

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, moment: datetime) -> bool:
        return self.start <= ensure_utc(moment) < self.end

    def is_past(self, now: datetime) -> bool:
        """Started longer ago than a press of a button takes."""
        return self.start < ensure_utc(now) - PAST_GRACE

    def check_not_past(self, now: datetime) -> None:
        if self.is_past(now):
            raise WindowInPast(str(self.start))

    def check_within_horizon(self, now: datetime) -> None:
        """Ends by the bookable horizon: free time is known that far ahead, and no further."""
        if self.end > horizon(ensure_utc(now)):
            raise WindowTooFarAhead(str(self.end))

    def check_bookable(self, now: datetime) -> None:
        """What a search or a booking asks of its window: still ahead, and not too far."""
        self.check_not_past(now)
        self.check_within_horizon(now)


def next_step(moment: datetime) -> datetime:
    """The five-minute mark at or after ``moment``'s minute (its seconds are dropped)."""
    return moment.replace(second=0, microsecond=0) + timedelta(
        minutes=-moment.minute % STEP_MINUTES
    )


class QuickWindow(StrEnum):
    """The windows a driver picks without typing. The values are stored in callback data."""

    ONE_HOUR = "1h"
    TWO_HOURS = "2h"
    FOUR_HOURS = "4h"
    TONIGHT = "tonight"
    TOMORROW = "tomorrow"


# "Now for two hours": what a search or a booking starts with before the driver says otherwise.
DEFAULT_WINDOW = QuickWindow.TWO_HOURS
# "Tomorrow" is the working day, in the spot's local time.
TOMORROW_FROM_HOUR, TOMORROW_UNTIL_HOUR = 8, 18


def window_for(choice: QuickWindow, now: datetime, zone: str) -> Window:
    """The window a quick choice names: "now for N hours" and "tonight" start at the next
    five-minute mark; "tonight" lasts until local midnight (at least an hour), "tomorrow" is
    08:00-18:00 local time."""
    now = ensure_utc(now)
    local_now = now.astimezone(ZoneInfo(zone))
    start = next_step(now)
    if choice == QuickWindow.TONIGHT:
        midnight = (local_now + timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return Window(start, max(midnight, start + timedelta(hours=1)))
    if choice == QuickWindow.TOMORROW:
        morning = (local_now + timedelta(days=1)).replace(
            hour=TOMORROW_FROM_HOUR, minute=0, second=0, microsecond=0
        )
        return Window(morning, morning.replace(hour=TOMORROW_UNTIL_HOUR))
    return Window(start, start + timedelta(hours=int(choice.value.removesuffix("h"))))
