"""The week's slots a spot's free time falls in: a window it holds never falls outside them."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from core import free_time
from core.free_time import ALL_WEEK_SLOTS, SLOT_S, WEEK_SLOTS, slots_touched, week_slots

# A Monday, midnight UTC; the epoch's first day was a Thursday, the week's slots count from it.
MONDAY = free_time.epoch_seconds(datetime(2026, 6, 1, tzinfo=UTC))
HOUR = 3600


def test_a_window_within_one_slot_touches_that_slot_alone():
    slot = MONDAY // SLOT_S % WEEK_SLOTS
    assert slots_touched(MONDAY + HOUR, MONDAY + 2 * HOUR) == 1 << slot


def test_a_window_ending_where_a_slot_begins_does_not_touch_it():
    slot = MONDAY // SLOT_S % WEEK_SLOTS
    assert slots_touched(MONDAY, MONDAY + SLOT_S) == 1 << slot


def test_a_window_across_the_end_of_the_week_touches_both_ends():
    last = (WEEK_SLOTS - 1) * SLOT_S  # the last slot of the epoch's first week
    assert slots_touched(last, last + SLOT_S + 1) == (1 << (WEEK_SLOTS - 1)) | 1


def test_a_week_or_more_touches_every_slot():
    assert slots_touched(MONDAY + HOUR, MONDAY + HOUR + 7 * 24 * HOUR) == ALL_WEEK_SLOTS


def test_nights_free_in_no_week_leave_the_night_slots_clear():
    # Free 09:00-17:00 UTC every day of two weeks: the slots from 18:00 to 09:00 stay clear.
    days = [(MONDAY + day * 24 * HOUR + 9 * HOUR, MONDAY + day * 24 * HOUR + 17 * HOUR)
            for day in range(14)]  # fmt: skip
    slots = week_slots(days)
    assert slots_touched(MONDAY + 21 * HOUR, MONDAY + 23 * HOUR) & ~slots
    assert not slots_touched(MONDAY + 10 * HOUR, MONDAY + 12 * HOUR) & ~slots


def test_no_free_time_falls_in_no_slot():
    assert week_slots([]) == 0


@st.composite
def free_and_window(draw: st.DrawFn):
    """Sorted, disjoint intervals over a few weeks (minutes apart), and a window."""
    edges = sorted(set(draw(st.lists(st.integers(0, 5 * 7 * 24 * 60), max_size=12))))
    free = [(MONDAY + first * 60, MONDAY + last * 60) for first, last in zip(
        edges[::2], edges[1::2], strict=False)]  # fmt: skip
    start = draw(st.integers(0, 5 * 7 * 24 * 60))
    length = draw(st.integers(1, 9 * 24 * 60))
    return free, MONDAY + start * 60, MONDAY + (start + length) * 60


@given(free_and_window())
def test_a_window_the_free_time_holds_falls_in_its_slots(case):
    free, start, end = case
    if free_time.covers(free, start, end):
        assert not slots_touched(start, end) & ~week_slots(free)


def test_an_outline_has_a_window_s_time_of_day_and_its_day():
    # Monday 01:00-02:00 UTC: the first time of day on weekdays, and Monday.
    slots = slots_touched(MONDAY + HOUR, MONDAY + 2 * HOUR)
    monday = (MONDAY // SLOT_S % WEEK_SLOTS) // free_time.DAY_SLOTS
    assert free_time.week_outline(slots) == 1 | 1 << 16 + monday
    saturday = MONDAY + 5 * 24 * HOUR
    assert free_time.week_outline(slots_touched(saturday + HOUR, saturday + 2 * HOUR)) == (
        1 << 8 | 1 << 16 + (monday + 5) % 7
    )
    assert free_time.week_outline(0) == 0
    every_group = (1 << len(free_time.OUTLINE_GROUPS)) - 1
    assert free_time.week_outline(ALL_WEEK_SLOTS) == every_group
    # What the store writes for a spot whose slots are not known yet: every one.
    assert free_time.week_outline(-1) == every_group


def test_the_outline_groups_cover_the_week_twice():
    times, days = free_time.OUTLINE_GROUPS[:16], free_time.OUTLINE_GROUPS[16:]
    for groups in (times, days):
        assert sum(groups) == ALL_WEEK_SLOTS
        assert all(not a & b for n, a in enumerate(groups) for b in groups[n + 1 :])


@given(free_and_window())
def test_a_window_the_free_time_holds_falls_in_its_outline(case):
    free, start, end = case
    if free_time.covers(free, start, end):
        window = free_time.week_outline(slots_touched(start, end))
        assert not window & ~free_time.week_outline(week_slots(free))
