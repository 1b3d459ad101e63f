from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.availability_text import AmbiguousHours, parse_window
from core.errors import BookingTooLong, InvalidWindow, WindowInPast
from core.window import MAX_LENGTH, QuickWindow, Window, next_step, window_for

BERLIN = "Europe/Berlin"
# Thursday 4 June 2026, 14:02:30 UTC = 16:02:30 in Berlin (summer time).
NOW = datetime(2026, 6, 4, 14, 2, 30, tzinfo=UTC)


def at(hour: int, minute: int = 0, *, day: int = 4) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def test_a_window_is_held_in_utc_whatever_zone_it_was_given_in():
    berlin = ZoneInfo(BERLIN)
    window = Window(
        datetime(2026, 6, 4, 18, tzinfo=berlin), datetime(2026, 6, 4, 20, tzinfo=berlin)
    )
    assert window.start == at(16)
    assert window.start.tzinfo == UTC
    assert window.hours == 2


def test_a_naive_window_is_a_programming_error():
    with pytest.raises(ValueError, match="naive"):
        Window(datetime(2026, 6, 4, 16), datetime(2026, 6, 4, 18))  # noqa: DTZ001


@pytest.mark.parametrize("end", [at(16), at(15)])
def test_a_window_must_end_after_it_starts(end):
    with pytest.raises(InvalidWindow):
        Window(at(16), end)


def test_a_window_may_last_thirty_days_and_no_longer():
    assert Window(at(0), at(0) + MAX_LENGTH).length == timedelta(days=30)
    with pytest.raises(BookingTooLong):
        Window(at(0), at(0) + MAX_LENGTH + timedelta(minutes=1))


def test_windows_that_only_touch_do_not_overlap():
    morning = Window(at(8), at(10))
    assert not morning.overlaps(Window(at(10), at(12)))
    assert morning.overlaps(Window(at(9, 59), at(12)))
    assert Window(at(7), at(11)).overlaps(morning)


def test_a_window_contains_its_start_but_not_its_end():
    window = Window(at(8), at(10))
    assert window.contains(at(8))
    assert not window.contains(at(10))


def test_a_window_started_within_five_minutes_is_still_now():
    Window(at(14), at(16)).check_not_past(at(14, 5))
    with pytest.raises(WindowInPast):
        Window(at(14), at(16)).check_not_past(at(14, 5) + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(at(14, 0), at(14, 0)), (at(14, 0) + timedelta(seconds=59), at(14, 0)),
     (at(14, 1), at(14, 5)), (at(14, 4, ), at(14, 5)), (at(14, 56), at(15, 0))],
)  # fmt: skip
def test_windows_from_now_start_on_the_next_five_minute_mark(moment, expected):
    assert next_step(moment) == expected


@pytest.mark.parametrize(
    ("choice", "hours"),
    [(QuickWindow.ONE_HOUR, 1), (QuickWindow.TWO_HOURS, 2), (QuickWindow.FOUR_HOURS, 4)],
)
def test_now_for_n_hours_starts_at_the_next_mark(choice, hours):
    assert window_for(choice, NOW, BERLIN) == Window(at(14, 5), at(14 + hours, 5))


def test_tonight_lasts_until_local_midnight():
    # Midnight in Berlin is 22:00 UTC in summer.
    assert window_for(QuickWindow.TONIGHT, NOW, BERLIN) == Window(at(14, 5), at(22))


def test_tonight_lasts_at_least_an_hour_just_before_midnight():
    late = datetime(2026, 6, 4, 21, 40, tzinfo=UTC)  # 23:40 in Berlin
    assert window_for(QuickWindow.TONIGHT, late, BERLIN) == Window(at(21, 40), at(22, 40))


def test_tomorrow_is_eight_to_six_in_the_spots_own_zone():
    assert window_for(QuickWindow.TOMORROW, NOW, BERLIN) == Window(at(6, day=5), at(16, day=5))
    tokyo = window_for(QuickWindow.TOMORROW, NOW, "Asia/Tokyo")  # 23:02 in Tokyo
    assert tokyo == Window(at(23, day=4), at(9, day=5))


def test_tomorrow_after_local_midnight_is_the_next_local_day():
    # Thursday 22:30 UTC is already Friday 00:30 in Berlin: "tomorrow" is Saturday there.
    thursday_night = datetime(2026, 6, 4, 22, 30, tzinfo=UTC)
    assert window_for(QuickWindow.TOMORROW, thursday_night, BERLIN).start == at(6, day=6)


def test_the_quick_choices_keep_the_values_buttons_carry():
    assert [choice.value for choice in QuickWindow] == ["1h", "2h", "4h", "tonight", "tomorrow"]


def test_a_typed_window_reads_in_the_spots_zone():
    assert parse_window("today 18-20", zone=ZoneInfo(BERLIN), now=NOW) == Window(at(16), at(18))


@pytest.mark.parametrize(
    "text", ["Mon-Fri 8-18", "not available tomorrow", "today 18-19, tomorrow 9-10"]
)
def test_a_typed_window_is_one_stretch_of_time(text):
    with pytest.raises(InvalidWindow):
        parse_window(text, zone=ZoneInfo(BERLIN), now=NOW)


def test_a_typed_window_already_over_is_in_the_past():
    with pytest.raises(WindowInPast):
        parse_window("today 8-10", zone=ZoneInfo(BERLIN), now=NOW)


def test_a_typed_window_that_reads_two_ways_is_asked_about():
    with pytest.raises(AmbiguousHours):
        parse_window("today 18-8", zone=ZoneInfo(BERLIN), now=NOW)
