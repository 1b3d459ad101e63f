"""When a spot is offered: weekly rules in the spot's local time, plus one-off openings,
minus blocks. Pure functions over plain values, so the rules are easy to test."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    weekday: int  # 0 = Monday
    start_minute: int
    end_minute: int  # up to 1440, the end of the day


@dataclass(frozen=True, slots=True)
class Interval:
    start: datetime
    end: datetime


def local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock minute; 1440 is the next midnight. A minute that does not
    exist (spring forward) resolves forward as ``zoneinfo`` does with fold=0."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def weekly_intervals(
    rules: Iterable[WeeklyRule], zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[Interval]:
    """The rules' openings as UTC intervals, for every local day touching [start, end)."""
    rules = list(rules)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    day = first
    while day <= last:
        for rule in rules:
            if rule.weekday == day.weekday():
                yield Interval(
                    local_instant(day, rule.start_minute, zone),
                    local_instant(day, rule.end_minute, zone),
                )
        day += timedelta(days=1)


# Local time is at most this far behind or ahead of UTC anywhere.
_WEST_MOST, _EAST_MOST = timedelta(hours=12), timedelta(hours=14)


def weekdays_touching(start: datetime, end: datetime) -> tuple[int, ...] | None:
    """Every weekday whose rules ``weekly_intervals`` may read for [start, end), whatever the
    spot's timezone; None when that is all seven."""
    first = (start - _WEST_MOST).date() - timedelta(days=1)
    last = (end + _EAST_MOST).date()
    if (last - first).days >= 6:
        return None
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return tuple(sorted({day.weekday() for day in days}))


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for interval in sorted(intervals, key=lambda i: i.start):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def covers(
    rules: Iterable[WeeklyRule],
    openings: Iterable[Interval],
    blocks: Iterable[Interval],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> bool:
    """Whether the spot is offered for the whole of [start, end)."""
    if any(block.start < end and block.end > start for block in blocks):
        return False
    offered = _merge([*weekly_intervals(rules, zone, start, end), *openings])
    return any(interval.start <= start and interval.end >= end for interval in offered)
