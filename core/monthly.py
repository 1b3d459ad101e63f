"""The months of a monthly pass: when a month ends, the stays its daily band makes within it,
and what each stay costs of the month's price.

Decisions:
- A month runs to the same wall-clock moment of the same day next month (the 31st runs to
  the last day of a shorter month), in the spot's zone, so a pass keeps its day and hour
  through clock changes.
- A band that runs past midnight ("19:00-08:00") is one stay a night, and an all-day band is
  stays of at most a week (a booking's length is bounded): a stay is the unit that is
  booked, reminded of, disputed and paid out.
- A month's price is shared among its stays by their length. A month in which some of the
  band is taken already (a booking made before the pass renewed) costs that share less.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.availability import MINUTES_PER_DAY, WeeklyRule, local_instant, weekly_intervals
from core.errors import InvalidInput
from core.money import Money
from core.window import Window

# Pieces of the band shorter than this at a month's edges are not worth a stay.
SHORTEST_STAY = timedelta(minutes=15)
LONGEST_STAY = timedelta(days=7)


def encode_band(rules: Iterable[WeeklyRule]) -> str:
    """Weekly rules as stored: "weekday,start,end;..." in local minutes."""
    ordered = sorted(rules, key=lambda r: (r.weekday, r.start_minute))
    if not ordered:
        raise InvalidInput("a band needs hours")
    return ";".join(f"{r.weekday},{r.start_minute},{r.end_minute}" for r in ordered)


def decode_band(stored: str) -> tuple[WeeklyRule, ...]:
    rules = []
    for part in stored.split(";"):
        weekday, start, end = (int(value) for value in part.split(","))
        if not (0 <= weekday <= 6 and 0 <= start < end <= MINUTES_PER_DAY):
            raise InvalidInput(f"band rule {part!r}")
        rules.append(WeeklyRule(weekday, start, end))
    return tuple(rules)


def month_after(start: datetime, zone: ZoneInfo, *, anchor: datetime | None = None) -> datetime:
    """The end of a month that begins at ``start``: the same local day and time next month.
    ``anchor``, the start of a pass's first month, keeps that day and time for every month
    after, so a pass begun on the 31st ends February on the 28th and March on the 31st, and an
    hour a clock change moved comes back."""
    local = start.astimezone(zone)
    kept = (anchor or start).astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(kept.day, calendar.monthrange(year, month)[1])
    minute = kept.hour * 60 + kept.minute
    return local_instant(local.date().replace(year=year, month=month, day=day), minute, zone)


def stays_of(
    rules: Iterable[WeeklyRule], zone: ZoneInfo, start: datetime, end: datetime
) -> list[Window]:
    """The band's stays within [start, end): spans meeting at midnight joined, cut at the
    month's edges and into pieces of at most ``LONGEST_STAY``."""
    joined: list[tuple[datetime, datetime]] = []
    for interval in sorted(weekly_intervals(rules, zone, start, end), key=lambda i: i.start):
        if joined and interval.start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], interval.end))
        else:
            joined.append((interval.start, interval.end))
    stays: list[Window] = []
    for first, last in joined:
        first, last = max(first, start), min(last, end)
        while last - first >= SHORTEST_STAY:
            piece_end = min(last, first + LONGEST_STAY)
            stays.append(Window(first, piece_end))
            first = piece_end
    return stays


def priced(monthly: Money, stays: list[Window], free: list[bool]) -> list[Money]:
    """Each stay's share of the month's price, by length; a taken stay's share is not charged.
    The shares of the free stays add up exactly to what is charged, the month's price when
    every stay is free (the last free stay takes what rounding left)."""
    seconds = [int(stay.length.total_seconds()) for stay in stays]
    whole = sum(seconds)
    free_seconds = sum(s for s, is_free in zip(seconds, free, strict=True) if is_free)
    charged = monthly.minor * free_seconds // whole if whole else 0
    shares = [
        monthly.minor * s // whole if is_free else 0
        for s, is_free in zip(seconds, free, strict=True)
    ]
    if any(free):
        last_free = max(i for i, is_free in enumerate(free) if is_free)
        shares[last_free] += charged - sum(shares)
    return [Money(share, monthly.currency) for share in shares]
