"""The availability parser reads owners' words in three languages, and refuses to guess."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.availability_text import parse_availability
from core.errors import AvailabilityNotUnderstood, InvalidWindow, WindowInPast

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
MOSCOW = ZoneInfo("Europe/Moscow")
# Wednesday 3 June 2026, 10:00 in Berlin.
NOW = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)

MON_FRI, WEEKEND, EVERY_DAY = range(5), (5, 6), range(7)


def weekly(days, start, end):
    return [(day, start, end) for day in days]


def shown(parsed, zone):
    rules = [
        (r.weekday, f"{r.start_minute // 60:02d}:{r.start_minute % 60:02d}",
         f"{r.end_minute // 60:02d}:{r.end_minute % 60:02d}")
        for r in parsed.weekly
    ]  # fmt: skip
    windows = [
        f"{w.start.astimezone(zone):%m-%d %H:%M}/{w.end.astimezone(zone):%m-%d %H:%M}"
        for w in parsed.windows
    ]
    return rules, windows


WEEKLY = [
    ("Mon-Fri 08:00-18:00", weekly(MON_FRI, "08:00", "18:00")),
    ("mon - fri 8-18", weekly(MON_FRI, "08:00", "18:00")),
    ("Monday to Friday 8am-6pm", weekly(MON_FRI, "08:00", "18:00")),
    ("from Monday to Friday, 8 am to 6 pm", weekly(MON_FRI, "08:00", "18:00")),
    ("weekdays 9-5", weekly(MON_FRI, "09:00", "17:00")),
    ("Weekdays 9 to 17", weekly(MON_FRI, "09:00", "17:00")),
    ("workdays 07:30-19:30", weekly(MON_FRI, "07:30", "19:30")),
    ("weekends all day", weekly(WEEKEND, "00:00", "24:00")),
    ("weekend", weekly(WEEKEND, "00:00", "24:00")),
    ("Sat, Sun 10-14", weekly(WEEKEND, "10:00", "14:00")),
    ("Saturdays and Sundays 10:00-14:00", weekly(WEEKEND, "10:00", "14:00")),
    ("every day 7-23", weekly(EVERY_DAY, "07:00", "23:00")),
    ("daily 6am to 10pm", weekly(EVERY_DAY, "06:00", "22:00")),
    ("24/7", weekly(EVERY_DAY, "00:00", "24:00")),
    ("every day until 18:00", weekly(EVERY_DAY, "00:00", "18:00")),
    ("every day from 18", weekly(EVERY_DAY, "18:00", "24:00")),
    ("Fri-Mon 9-17", weekly((0, 4, 5, 6), "09:00", "17:00")),
    ("Mon, Wed, Fri 12pm-1pm", weekly((0, 2, 4), "12:00", "13:00")),
    ("Tue 20:00-00:00", weekly((1,), "20:00", "24:00")),
    ("8-18 Mon-Fri", weekly(MON_FRI, "08:00", "18:00")),
    ("Mon-Fri 8-18, Sat 10-14", [*weekly(MON_FRI, "08:00", "18:00"), (5, "10:00", "14:00")]),
    (
        "Mon-Fri 8-12, 14-18",
        sorted(weekly(MON_FRI, "08:00", "12:00") + weekly(MON_FRI, "14:00", "18:00")),
    ),
    ("Sat 22-6", [(5, "22:00", "24:00"), (6, "00:00", "06:00")]),
    ("Sun 8pm-11", [(6, "20:00", "23:00")]),
    ("Mon noon to midnight", [(0, "12:00", "24:00")]),
    ("工作日 8:00-18:00", weekly(MON_FRI, "08:00", "18:00")),
    ("周一至周五 8-18", weekly(MON_FRI, "08:00", "18:00")),
    ("周一到周五早上8点到晚上6点", weekly(MON_FRI, "08:00", "18:00")),
    ("周末全天", weekly(WEEKEND, "00:00", "24:00")),
    ("每天 7-23", weekly(EVERY_DAY, "07:00", "23:00")),
    ("每天7点到23点", weekly(EVERY_DAY, "07:00", "23:00")),
    ("星期六 下午3点到6点", [(5, "15:00", "18:00")]),
    ("周三 八点半到十二点", [(2, "08:30", "12:00")]),
    ("пн-пт 8-18", weekly(MON_FRI, "08:00", "18:00")),
    ("Пн–Пт 08:00–18:00", weekly(MON_FRI, "08:00", "18:00")),
    ("с понедельника по пятницу с 8 до 18", weekly(MON_FRI, "08:00", "18:00")),
    ("по будням с 8.00 до 18.00", weekly(MON_FRI, "08:00", "18:00")),
    ("будни 9-17", weekly(MON_FRI, "09:00", "17:00")),
    ("выходные весь день", weekly(WEEKEND, "00:00", "24:00")),
    ("по выходным", weekly(WEEKEND, "00:00", "24:00")),
    ("каждый день 7-23", weekly(EVERY_DAY, "07:00", "23:00")),
    ("ежедневно с 8 утра до 10 вечера", weekly(EVERY_DAY, "08:00", "22:00")),
    ("круглосуточно", weekly(EVERY_DAY, "00:00", "24:00")),
    ("по пятницам после 18", [(4, "18:00", "24:00")]),
    ("сб, вс 10-14", weekly(WEEKEND, "10:00", "14:00")),
]


@pytest.mark.parametrize(("text", "expected"), WEEKLY, ids=[row[0] for row in WEEKLY])
def test_regular_hours_become_weekly_rules(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(expected), [])
    assert not parsed.blocked


ONE_OFF = [
    ("today until 20:00", ["06-03 10:00/06-03 20:00"]),
    ("today till 8pm", ["06-03 10:00/06-03 20:00"]),
    ("tomorrow 9-17", ["06-04 09:00/06-04 17:00"]),
    ("Tomorrow from 9 to 17", ["06-04 09:00/06-04 17:00"]),
    ("tomorrow", ["06-04 00:00/06-05 00:00"]),
    ("today 14-18", ["06-03 14:00/06-03 18:00"]),
    ("today 8-12", ["06-03 10:00/06-03 12:00"]),
    ("today from 18", ["06-03 18:00/06-04 00:00"]),
    ("today 22-6", ["06-03 22:00/06-04 06:00"]),
    ("day after tomorrow 7:15-9:45", ["06-05 07:15/06-05 09:45"]),
    ("this Friday 10-12", ["06-05 10:00/06-05 12:00"]),
    ("next Wednesday 10-12", ["06-10 10:00/06-10 12:00"]),
    ("Jun 20 9-17", ["06-20 09:00/06-20 17:00"]),
    ("20 June 9-17", ["06-20 09:00/06-20 17:00"]),
    ("2026-06-20 09:00-17:00", ["06-20 09:00/06-20 17:00"]),
    ("20.06 9-17", ["06-20 09:00/06-20 17:00"]),
    ("today and tomorrow 18-22", ["06-03 18:00/06-03 22:00", "06-04 18:00/06-04 22:00"]),
    ("明天 9点到17点", ["06-04 09:00/06-04 17:00"]),
    ("明天9点-17点", ["06-04 09:00/06-04 17:00"]),
    ("今天到20点", ["06-03 10:00/06-03 20:00"]),
    ("今天20点前", ["06-03 10:00/06-03 20:00"]),
    ("后天 下午2点到5点", ["06-05 14:00/06-05 17:00"]),
    ("6月20日 9:00-17:00", ["06-20 09:00/06-20 17:00"]),
    ("завтра 9-17", ["06-04 09:00/06-04 17:00"]),
    ("завтра с 9 до 17", ["06-04 09:00/06-04 17:00"]),
    ("сегодня до 20:00", ["06-03 10:00/06-03 20:00"]),
    ("послезавтра весь день", ["06-05 00:00/06-06 00:00"]),
    ("20 июня с 9 до 17", ["06-20 09:00/06-20 17:00"]),
    ("в пятницу 10-12", ["06-05 10:00/06-05 12:00"]),
    ("this weekend 8-20", ["06-06 08:00/06-06 20:00", "06-07 08:00/06-07 20:00"]),
]


@pytest.mark.parametrize(("text", "expected"), ONE_OFF, ids=[row[0] for row in ONE_OFF])
def test_days_named_once_become_windows_in_the_spots_zone(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == ([], expected)
    assert not parsed.blocked


BLOCKED = [
    ("not available Friday", ["06-05 00:00/06-06 00:00"]),
    ("Friday not available", ["06-05 00:00/06-06 00:00"]),
    ("blocked tomorrow 9-12", ["06-04 09:00/06-04 12:00"]),
    ("unavailable this weekend", ["06-06 00:00/06-07 00:00", "06-07 00:00/06-08 00:00"]),
    ("busy today from 15", ["06-03 15:00/06-04 00:00"]),
    ("周五不可用", ["06-05 00:00/06-06 00:00"]),
    ("明天上午不行", None),
    ("明天 8点到12点 不可用", ["06-04 08:00/06-04 12:00"]),
    ("в пятницу занято", ["06-05 00:00/06-06 00:00"]),
    ("завтра не доступно с 9 до 12", ["06-04 09:00/06-04 12:00"]),
    ("не сдаю в субботу", ["06-06 00:00/06-07 00:00"]),
]


@pytest.mark.parametrize(("text", "expected"), BLOCKED, ids=[row[0] for row in BLOCKED])
def test_blocking_words_block_the_next_occurrence(text, expected):
    if expected is None:  # half a day said without hours is not read as any hours
        with pytest.raises(AvailabilityNotUnderstood):
            parse_availability(text, zone=BERLIN, now=NOW)
        return
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert parsed.blocked
    assert shown(parsed, BERLIN) == ([], expected)


NOT_UNDERSTOOD = [
    "",
    "   ",
    "whenever",
    "sometimes in the evening",
    "9-17",
    "until 20:00",
    "Mon-Fri 25:00-26:00",
    "Mon-Fri 8:75-9",
    "Mon-Fri 13pm-2pm",
    "Monday to weekends 8-18",
    "31.02 9-17",
    "Mon-Fri 8-18 please call me",
    "今天下午",
    "随便",
    "когда-нибудь",
    "пн-пт 8-18 кроме праздников",
    "every day 7 - ",
    "tomorrow 9-",
    "asap",
    "mon-fri 8:00-18:00; lorem",
]


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_what_cannot_be_read_is_refused_not_guessed(text):
    with pytest.raises(AvailabilityNotUnderstood):
        parse_availability(text, zone=BERLIN, now=NOW)


def test_a_stretch_without_length_is_refused():
    with pytest.raises(InvalidWindow):
        parse_availability("tomorrow 09:00-09:00", zone=BERLIN, now=NOW)


def test_a_window_already_over_is_refused():
    with pytest.raises(WindowInPast):
        parse_availability("today until 9:00", zone=BERLIN, now=NOW)
    with pytest.raises(WindowInPast):
        parse_availability("сегодня 6-8", zone=BERLIN, now=NOW)


def test_a_date_without_a_year_that_has_passed_means_next_year():
    parsed = parse_availability("1 March 9-17", zone=BERLIN, now=NOW)
    assert parsed.windows[0].start == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def test_a_whole_day_on_the_spring_change_in_berlin_lasts_23_hours():
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    (window,) = parse_availability("tomorrow all day", zone=BERLIN, now=saturday).windows
    assert window.start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 CET
    assert window.end - window.start == timedelta(hours=23)


def test_hours_after_the_autumn_change_in_berlin_are_in_winter_time():
    saturday = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    (window,) = parse_availability("tomorrow 9-17", zone=BERLIN, now=saturday).windows
    assert window.start == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 CET, UTC+1
    before = parse_availability("today 15-17", zone=BERLIN, now=saturday).windows[0]
    assert before.start == datetime(2026, 10, 24, 13, 0, tzinfo=UTC)  # 15:00 CEST, UTC+2


def test_shanghai_keeps_one_offset_all_year():
    for month in (1, 3, 7, 10):
        now = datetime(2026, month, 10, 0, 0, tzinfo=UTC)
        (window,) = parse_availability("明天 全天", zone=SHANGHAI, now=now).windows
        assert window.end - window.start == timedelta(hours=24)
        assert window.start.astimezone(SHANGHAI).hour == 0
        assert window.start.hour == 16  # midnight in Shanghai is 16:00 UTC the day before


def test_tomorrow_is_the_spots_tomorrow_not_utcs():
    late_evening_in_moscow = datetime(2026, 6, 3, 21, 30, tzinfo=UTC)  # 00:30 on 4 June there
    (window,) = parse_availability("завтра 9-17", zone=MOSCOW, now=late_evening_in_moscow).windows
    assert window.start.astimezone(MOSCOW).date().isoformat() == "2026-06-05"


def test_weekly_hours_stay_in_local_time_whatever_the_season():
    winter = parse_availability("Mon-Fri 8-18", zone=BERLIN, now=datetime(2026, 1, 5, tzinfo=UTC))
    summer = parse_availability("Mon-Fri 8-18", zone=BERLIN, now=NOW)
    assert winter.weekly == summer.weekly
