"""A spot's free time, known in advance: when it is offered (weekly rules and one-off openings,
minus blocks) and not held by a live booking, from a little before now to the bookable horizon.

Kept as sorted, disjoint, non-touching intervals of whole seconds since the epoch, so that
"free for the whole window" is one binary search and the stores can test it in SQL (see
``core.db.free_time``). Pure functions over plain values; ``core.availability`` stays the
definition this must agree with, and the property tests hold the two together."""

from __future__ import annotations

import bisect
import functools
import itertools
from array import array
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.availability import Interval, WeeklyRule, local_instant

# Drivers book up to six weeks ahead: a window must end by then.
BOOKABLE_AHEAD = timedelta(days=42)
# Free time is written this far past the horizon, so the daily roll-forward has a day in hand.
WRITTEN_PAST_HORIZON = timedelta(days=2)
# And from this long before now: a window that started a moment ago is still "now".
WRITTEN_BEFORE_NOW = timedelta(hours=1)

Seconds = tuple[int, int]


def epoch_seconds(moment: datetime) -> int:
    """An aware instant as whole seconds; windows start on whole minutes, so nothing is lost."""
    return int(moment.timestamp())


def instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def span_for(now: datetime) -> tuple[datetime, datetime]:
    """The stretch of time a spot's free time is written for, as of ``now``."""
    return now - WRITTEN_BEFORE_NOW, now + BOOKABLE_AHEAD + WRITTEN_PAST_HORIZON


def horizon(now: datetime) -> datetime:
    """The latest end a window booked or searched ``now`` may have."""
    return now + BOOKABLE_AHEAD


def compute(
    rules: Iterable[WeeklyRule],
    openings: Iterable[Interval],
    blocks: Iterable[Interval],
    held: Iterable[Interval],
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Seconds]:
    """The free intervals within [start, end): offered as ``core.availability.covers`` reads the
    rules and openings (touching intervals join), minus blocks and the windows live bookings
    hold."""
    first_second, last_second = epoch_seconds(start), epoch_seconds(end)
    offered: list[Seconds] = []
    for first, last in sorted(
        [
            *_weekly_seconds(
                tuple(sorted(rules, key=lambda r: (r.weekday, r.start_minute, r.end_minute))),
                zone,
                start,
                end,
            ),
            *((epoch_seconds(i.start), epoch_seconds(i.end)) for i in openings),
        ]
    ):
        first, last = max(first, first_second), min(last, last_second)
        if first >= last:
            continue
        if offered and first <= offered[-1][1]:
            if last > offered[-1][1]:
                offered[-1] = (offered[-1][0], last)
        else:
            offered.append((first, last))
    free = offered
    for taken in [*blocks, *held]:
        free = minus(free, epoch_seconds(taken.start), epoch_seconds(taken.end))
    return free


# Both caches stay a few megabytes: a few hundred sets of hours, and every minute named by
# them on every day of a few spans.
@functools.lru_cache(maxsize=256)
def _weekly_seconds(
    rules: tuple[WeeklyRule, ...], zone: ZoneInfo, start: datetime, end: datetime
) -> tuple[Seconds, ...]:
    """``core.availability.weekly_intervals`` in epoch seconds. Rewriting many spots' free time
    over one span is mostly this, and owners' hours repeat (weekdays 8-18), so each set of
    rules is turned into instants once, and so is each local day's minute."""
    by_weekday: dict[int, list[WeeklyRule]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date()
    found: list[Seconds] = []
    while day <= last_day:
        for rule in by_weekday.get(day.weekday(), ()):
            found.append(
                (
                    _local_second(day, rule.start_minute, zone),
                    _local_second(day, rule.end_minute, zone),
                )
            )
        day += timedelta(days=1)
    return tuple(found)


@functools.lru_cache(maxsize=1 << 14)
def _local_second(day: date, minute: int, zone: ZoneInfo) -> int:
    return epoch_seconds(local_instant(day, minute, zone))


def covers(free: Sequence[Seconds], start: int, end: int) -> bool:
    """Whether one free interval holds all of [start, end)."""
    index = bisect.bisect_right(free, (start, float("inf"))) - 1
    return index >= 0 and free[index][0] <= start and free[index][1] >= end


def minus(free: Sequence[Seconds], start: int, end: int) -> list[Seconds]:
    """``free`` without [start, end)."""
    if start >= end:
        return list(free)
    left: list[Seconds] = []
    for first, last in free:
        if last <= start or first >= end:
            left.append((first, last))
            continue
        if first < start:
            left.append((first, start))
        if last > end:
            left.append((end, last))
    return left


# A spot's free time in brief, for a search to pass over spots on their own row: the three-hour
# slots of the week (in UTC) in which it is free at some moment of some week, as the bits of
# one integer. A window a spot holds falls in slots it is free in, so a spot whose slots miss
# one of the window's cannot hold it. Bookings only take free time away, so slots written
# before a booking stay true of the free time after it.
SLOT_S = 3 * 3600
WEEK_SLOTS = 7 * 24 * 3600 // SLOT_S
ALL_WEEK_SLOTS = (1 << WEEK_SLOTS) - 1


def slots_touched(start: int, end: int) -> int:
    """The week's slots [start, end) falls in (a week or more touches every one)."""
    first, last = start // SLOT_S, (end - 1) // SLOT_S
    if last - first + 1 >= WEEK_SLOTS:
        return ALL_WEEK_SLOTS
    touched = 0
    for slot in range(first, last + 1):
        touched |= 1 << (slot % WEEK_SLOTS)
    return touched


# The same in brief, for SQLite's spatial index to carry in its key: each bit of a spot's
# outline stands for a group of the week's slots and is set when its slots hold any of them.
# The groups: each three-hour time of day on weekdays, the same on weekends, and each day.
# A window a spot holds touches only groups the spot's outline has, as with the slots.
DAY_SLOTS = WEEK_SLOTS // 7
_WEEKEND = (2, 3)  # the week's slots count from the epoch's first day, a Thursday


def _group(days: Iterable[int], times: Iterable[int]) -> int:
    return sum(1 << day * DAY_SLOTS + time for day in days for time in times)


OUTLINE_GROUPS = (
    *(_group(set(range(7)) - set(_WEEKEND), [time]) for time in range(DAY_SLOTS)),
    *(_group(_WEEKEND, [time]) for time in range(DAY_SLOTS)),
    *(_group([day], range(DAY_SLOTS)) for day in range(7)),
)


# Spots share a few hours of the week: a bulk load or the audit keys a million spots with a
# few dozen outlines.
@functools.lru_cache(maxsize=1024)
def week_outline(slots: int) -> int:
    """The outline of ``slots``: a bit for each of ``OUTLINE_GROUPS`` that holds any of them."""
    return sum(1 << bit for bit, group in enumerate(OUTLINE_GROUPS) if slots & group)


def week_slots(free: Iterable[Seconds]) -> int:
    """The slots in which some of ``free`` falls."""
    slots = 0
    for first, last in free:
        slots |= slots_touched(first, last)
        if slots == ALL_WEEK_SLOTS:
            break
    return slots


def pack(free: Sequence[Seconds]) -> bytes:
    """The intervals as signed 64-bit pairs in the machine's byte order: SQLite's form of them."""
    flat = array("q", itertools.chain.from_iterable(free))
    if flat.itemsize != 8:  # pragma: no cover - every platform Python runs on today
        raise RuntimeError("array 'q' is not 64 bits here")
    return flat.tobytes()


def unpack(packed: bytes) -> list[Seconds]:
    flat = array("q")
    flat.frombytes(packed)
    return list(zip(flat[0::2], flat[1::2], strict=True))


def packed_covers(packed: bytes | None, start: int, end: int) -> bool:
    """``covers`` straight on the packed form, without building the list: a search calls this
    for every candidate it reads."""
    if not packed:
        return False
    flat = memoryview(packed).cast("q")
    # The largest interval start at or before ``start`` sits at an even index.
    starts = flat[0::2]
    index = bisect.bisect_right(starts, start) - 1
    return index >= 0 and flat[2 * index + 1] >= end


def packed_minus(packed: bytes | None, start: int, end: int) -> bytes:
    return pack(minus(unpack(packed or b""), start, end))
