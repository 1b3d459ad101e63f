"""Free time computed ahead (``core.free_time``) says a window is free exactly when today's
interval arithmetic does: offered by the weekly rules and openings, not blocked
(``core.availability.covers``), and held by no live booking. Random rules, openings, blocks,
bookings and windows, around the weekends clocks change: Berlin's (last Sundays of March and
October) and Adelaide's, whose offset from UTC has half hours, and in Kolkata's half-hour zone."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core import availability, free_time
from core.availability import Interval, WeeklyRule

# A moment just before each change of the clocks, the zone it happens in.
CHANGES = [
    ("Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # 02:00 -> 03:00 local
    ("Europe/Berlin", datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),  # 03:00 -> 02:00 local
    ("Australia/Adelaide", datetime(2026, 4, 4, 16, 30, tzinfo=UTC)),  # 03:00 -> 02:00 local
    ("Australia/Adelaide", datetime(2026, 10, 3, 16, 30, tzinfo=UTC)),  # 02:00 -> 03:00 local
    ("Asia/Kolkata", datetime(2026, 6, 1, 18, 30, tzinfo=UTC)),  # midnight local, UTC+05:30
]
STEP = timedelta(minutes=15)
# Things happen within a few days either side of the change.
AROUND = 4 * 24 * 4

rules = st.lists(
    st.builds(
        lambda weekday, first, length: WeeklyRule(
            weekday, first * 15, min(first + length, 96) * 15
        ),
        st.integers(0, 6),
        st.integers(0, 95),
        st.integers(1, 96),
    ),
    max_size=6,
)


def intervals(change: datetime, *, longest: int) -> st.SearchStrategy[list[Interval]]:
    return st.lists(
        st.builds(
            lambda first, length: Interval(change + first * STEP, change + (first + length) * STEP),
            st.integers(-AROUND, AROUND),
            st.integers(1, longest),
        ),
        max_size=4,
    )


@st.composite
def calendars(draw: st.DrawFn):
    zone, change = draw(st.sampled_from(CHANGES))
    now = change - draw(st.integers(0, 3 * 24 * 4)) * STEP
    windows = draw(
        st.lists(
            st.builds(
                lambda first, length: (change + first * STEP, change + (first + length) * STEP),
                st.integers(-AROUND // 2, AROUND),
                st.integers(1, 4 * 30),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return (
        ZoneInfo(zone),
        now,
        draw(rules),
        draw(intervals(change, longest=4 * 48)),  # openings
        draw(intervals(change, longest=4 * 12)),  # blocks
        draw(intervals(change, longest=4 * 24)),  # live bookings
        windows,
    )


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(calendars())
def test_free_time_agrees_with_the_rules_blocks_and_bookings(calendar):
    zone, now, weekly, openings, blocks, held, windows = calendar
    start, end = free_time.span_for(now)
    free = free_time.compute(weekly, openings, blocks, held, zone, start, end)
    assert free == sorted(free)
    assert all(first < last for first, last in free)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(free))  # disjoint, not touching
    for window_start, window_end in windows:
        if window_start < start or window_end > end:
            continue
        expected = availability.covers(
            weekly, openings, blocks, zone, window_start, window_end
        ) and not any(b.start < window_end and b.end > window_start for b in held)
        first, last = free_time.epoch_seconds(window_start), free_time.epoch_seconds(window_end)
        assert free_time.covers(free, first, last) == expected, (window_start, window_end)
        assert free_time.packed_covers(free_time.pack(free), first, last) == expected


def test_a_rule_through_the_hour_berlin_skips_is_free_on_both_sides_of_it():
    # Sunday 29 March 2026: 01:00-04:00 local is two hours long (02:00-03:00 does not exist).
    zone, now = ZoneInfo("Europe/Berlin"), datetime(2026, 3, 28, 12, tzinfo=UTC)
    start, end = free_time.span_for(now)
    free = free_time.compute([WeeklyRule(6, 60, 240)], [], [], [], zone, start, end)
    sunday = (datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC))
    assert free[0] == tuple(free_time.epoch_seconds(moment) for moment in sunday)
