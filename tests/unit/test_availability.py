from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.availability import Interval, WeeklyRule, covers, weekdays_touching

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_8_TO_18 = [WeeklyRule(day, 8 * 60, 18 * 60) for day in range(5)]
EVERY_DAY_ALL_DAY = [WeeklyRule(day, 0, 1440) for day in range(7)]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


def test_a_window_inside_a_weekly_rule_is_offered():
    # Monday 2026-06-01
    assert covers(WEEKDAYS_8_TO_18, [], [], BERLIN, berlin(2026, 6, 1, 9), berlin(2026, 6, 1, 11))


def test_a_window_running_past_closing_time_is_not_offered():
    assert not covers(
        WEEKDAYS_8_TO_18, [], [], BERLIN, berlin(2026, 6, 1, 17), berlin(2026, 6, 1, 19)
    )


def test_weekend_is_not_offered_by_a_weekday_rule():
    assert not covers(
        WEEKDAYS_8_TO_18, [], [], BERLIN, berlin(2026, 6, 6, 9), berlin(2026, 6, 6, 10)
    )


def test_rules_on_consecutive_days_join_across_midnight():
    assert covers(EVERY_DAY_ALL_DAY, [], [], BERLIN, berlin(2026, 6, 1, 22), berlin(2026, 6, 3, 2))


def test_rules_follow_local_time_across_the_daylight_saving_change():
    # 2026-03-29: Berlin moves from UTC+1 to UTC+2. 08:00 local is 06:00 UTC that day.
    assert covers(
        [*WEEKDAYS_8_TO_18, WeeklyRule(6, 8 * 60, 18 * 60)],
        [],
        [],
        BERLIN,
        datetime(2026, 3, 29, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 16, 0, tzinfo=UTC),
    )
    assert not covers(
        [WeeklyRule(6, 8 * 60, 18 * 60)],
        [],
        [],
        BERLIN,
        datetime(2026, 3, 29, 5, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
    )


def test_a_one_off_opening_extends_the_rules():
    evening = Interval(berlin(2026, 6, 1, 18), berlin(2026, 6, 1, 22))
    assert covers(
        WEEKDAYS_8_TO_18, [evening], [], BERLIN, berlin(2026, 6, 1, 17), berlin(2026, 6, 1, 21)
    )


def test_a_block_removes_time_the_rules_offer():
    lunch = Interval(berlin(2026, 6, 1, 12), berlin(2026, 6, 1, 13))
    assert not covers(
        WEEKDAYS_8_TO_18, [], [lunch], BERLIN, berlin(2026, 6, 1, 11), berlin(2026, 6, 1, 14)
    )
    assert covers(
        WEEKDAYS_8_TO_18, [], [lunch], BERLIN, berlin(2026, 6, 1, 13), berlin(2026, 6, 1, 14)
    )


def test_nothing_is_offered_without_rules_or_openings():
    assert not covers([], [], [], BERLIN, berlin(2026, 6, 1, 9), berlin(2026, 6, 1, 10))


def test_a_short_window_reads_the_rules_of_the_days_it_can_fall_on_anywhere():
    tuesday_noon = datetime(2026, 6, 2, 12, tzinfo=UTC)
    # Local dates from Monday (UTC-12, and the day before, for a rule running to midnight) to
    # Wednesday (UTC+14).
    assert weekdays_touching(tuesday_noon, tuesday_noon + timedelta(hours=2)) == (0, 1, 2)


def test_a_long_window_reads_every_rule():
    monday = datetime(2026, 6, 1, tzinfo=UTC)
    assert weekdays_touching(monday, monday + timedelta(days=5)) is None


# "Fri 18:00-08:00" is stored as two rules, Friday 18:00-24:00 and Saturday 00:00-08:00.
FRIDAY_NIGHT = [WeeklyRule(4, 18 * 60, 1440), WeeklyRule(5, 0, 8 * 60)]
SATURDAY_NIGHT = [WeeklyRule(5, 22 * 60, 1440), WeeklyRule(6, 0, 6 * 60)]
SUNDAY_NIGHT = [WeeklyRule(6, 22 * 60, 1440), WeeklyRule(0, 0, 6 * 60)]


def test_an_overnight_rule_is_bookable_across_midnight():
    # Friday 2026-06-05 20:00 to Saturday 07:00.
    assert covers(FRIDAY_NIGHT, [], [], BERLIN, berlin(2026, 6, 5, 20), berlin(2026, 6, 6, 7))
    assert covers(FRIDAY_NIGHT, [], [], BERLIN, berlin(2026, 6, 5, 18), berlin(2026, 6, 6, 8))
    assert not covers(FRIDAY_NIGHT, [], [], BERLIN, berlin(2026, 6, 5, 20), berlin(2026, 6, 6, 9))


def test_an_overnight_rule_from_sunday_runs_into_monday():
    # Sunday 2026-06-07 23:00 to Monday 05:00.
    assert covers(SUNDAY_NIGHT, [], [], BERLIN, berlin(2026, 6, 7, 23), berlin(2026, 6, 8, 5))


def test_an_overnight_rule_is_bookable_across_the_autumn_change():
    # Saturday 2026-10-24 22:00 CEST (20:00 UTC) to Sunday 06:00 CET (05:00 UTC): nine hours,
    # as 03:00 CEST falls back to 02:00 CET in the night.
    start, end = datetime(2026, 10, 24, 20, tzinfo=UTC), datetime(2026, 10, 25, 5, tzinfo=UTC)
    assert covers(SATURDAY_NIGHT, [], [], BERLIN, start, end)
    assert end - start == timedelta(hours=9)
    assert not covers(SATURDAY_NIGHT, [], [], BERLIN, start, end + timedelta(minutes=30))


def test_an_overnight_rule_is_bookable_across_the_spring_change():
    # Saturday 2026-03-28 22:00 CET (21:00 UTC) to Sunday 06:00 CEST (04:00 UTC): seven hours,
    # as 02:00 CET jumps to 03:00 CEST.
    start, end = datetime(2026, 3, 28, 21, tzinfo=UTC), datetime(2026, 3, 29, 4, tzinfo=UTC)
    assert covers(SATURDAY_NIGHT, [], [], BERLIN, start, end)
    assert not covers(SATURDAY_NIGHT, [], [], BERLIN, start, end + timedelta(minutes=30))
    assert not covers(SATURDAY_NIGHT, [], [], BERLIN, start - timedelta(minutes=30), end)


def test_a_block_in_the_small_hours_stops_an_overnight_booking():
    night = Interval(berlin(2026, 6, 6, 2), berlin(2026, 6, 6, 3))
    assert not covers(
        FRIDAY_NIGHT, [], [night], BERLIN, berlin(2026, 6, 5, 20), berlin(2026, 6, 6, 7)
    )
