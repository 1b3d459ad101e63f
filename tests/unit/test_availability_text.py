"""The availability parser reads owners' words in three languages, and refuses to guess."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.availability import covers
from core.availability_text import OVERNIGHT, SAME_DAY, AmbiguousHours, parse_availability
from core.errors import AvailabilityNotUnderstood, InvalidWindow, WindowInPast

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
MOSCOW = ZoneInfo("Europe/Moscow")
# Wednesday 3 June 2026, 10:00 in Berlin.
NOW = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)

MON_FRI, WEEKEND, EVERY_DAY = range(5), (5, 6), range(7)


def weekly(days, start, end):
    return [(day, start, end) for day in days]


def overnight(days, start, end):
    """A night from each day into the next, stored as two rules."""
    return [rule for day in days for rule in ((day, start, "24:00"), ((day + 1) % 7, "00:00", end))]


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


# --- overnight, day lists, exceptions, tonight, negations (issue 17) -----------------------------

WEEKLY_MORE = [
    ("Mon-Fri 18:00-08:00", overnight(MON_FRI, "18:00", "08:00")),
    ("every day 22-6", overnight(EVERY_DAY, "22:00", "06:00")),
    ("daily 21:00-07:00", overnight(EVERY_DAY, "21:00", "07:00")),
    ("Fri 22:30-06:15", overnight((4,), "22:30", "06:15")),
    ("Sat 23-1", overnight((5,), "23:00", "01:00")),
    ("Fri 17-2", overnight((4,), "17:00", "02:00")),
    ("Sun 22-6", overnight((6,), "22:00", "06:00")),
    ("Fri 10pm-6am", overnight((4,), "22:00", "06:00")),
    ("Fri 8pm to 7am", overnight((4,), "20:00", "07:00")),
    ("weekends 20:00-09:00", overnight(WEEKEND, "20:00", "09:00")),
    ("Mon & Wed 9-17", weekly((0, 2), "09:00", "17:00")),
    ("Mon & Wed & Fri 8-12", weekly((0, 2, 4), "08:00", "12:00")),
    ("Mon and Wed 9-17", weekly((0, 2), "09:00", "17:00")),
    ("Tue and Thu 18:00-22:00", weekly((1, 3), "18:00", "22:00")),
    ("Sat & Sun 10-14", weekly(WEEKEND, "10:00", "14:00")),
    ("every day except Sat 9-17", weekly((0, 1, 2, 3, 4, 6), "09:00", "17:00")),
    ("every day except Sat, Sun 9-17", weekly(MON_FRI, "09:00", "17:00")),
    ("every day except Sat-Sun 9-17", weekly(MON_FRI, "09:00", "17:00")),
    ("Mon-Fri 9-17, not Wed", weekly((0, 1, 3, 4), "09:00", "17:00")),
    ("weekdays except Wednesday 8-18", weekly((0, 1, 3, 4), "08:00", "18:00")),
    ("weekdays but not Wed 9-17", weekly((0, 1, 3, 4), "09:00", "17:00")),
    ("daily 7-23 except Sundays", weekly(range(6), "07:00", "23:00")),
    ("Mon-Fri 9-17 except Wed and Thu", weekly((0, 1, 4), "09:00", "17:00")),
    ("пн-пт с 22 до 6", overnight(MON_FRI, "22:00", "06:00")),
    ("с 22:00 до 07:00 по будням", overnight(MON_FRI, "22:00", "07:00")),
    ("пт с 20 до 8 утра", overnight((4,), "20:00", "08:00")),
    ("в выходные с 23 до 7", overnight(WEEKEND, "23:00", "07:00")),
    ("ежедневно с 10 вечера до 6 утра", overnight(EVERY_DAY, "22:00", "06:00")),
    ("пн и ср 9-17", weekly((0, 2), "09:00", "17:00")),
    ("пн, ср и пт 8-12", weekly((0, 2, 4), "08:00", "12:00")),
    ("понедельник и среда с 9 до 17", weekly((0, 2), "09:00", "17:00")),
    ("каждый день кроме субботы 9-18", weekly((0, 1, 2, 3, 4, 6), "09:00", "18:00")),
    ("будни кроме среды 8-18", weekly((0, 1, 3, 4), "08:00", "18:00")),
    ("每天晚上10点到早上6点", overnight(EVERY_DAY, "22:00", "06:00")),
    ("周五 22:00-06:00", overnight((4,), "22:00", "06:00")),
    ("工作日18点到8点", overnight(MON_FRI, "18:00", "08:00")),
    ("周六晚上11点到凌晨2点", overnight((5,), "23:00", "02:00")),
    ("周一和周三 9-17", weekly((0, 2), "09:00", "17:00")),
    ("周一、周三、周五 8点到12点", weekly((0, 2, 4), "08:00", "12:00")),
    ("周一及周三 9-17", weekly((0, 2), "09:00", "17:00")),
    ("除了周六每天9点到17点", weekly((0, 1, 2, 3, 4, 6), "09:00", "17:00")),
    ("除周六外每天9点到17点", weekly((0, 1, 2, 3, 4, 6), "09:00", "17:00")),
    ("周一到周五除了周三 9-17", weekly((0, 1, 3, 4), "09:00", "17:00")),
    ("每天除了周日 8-20", weekly(range(6), "08:00", "20:00")),
]


@pytest.mark.parametrize(("text", "expected"), WEEKLY_MORE, ids=[row[0] for row in WEEKLY_MORE])
def test_overnight_hours_day_lists_and_exceptions_become_exact_weekly_rules(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(expected), [])
    assert not parsed.blocked


ONE_OFF_MORE = [
    ("tonight 8-11", ["06-03 20:00/06-03 23:00"]),
    ("tonight from 8", ["06-03 20:00/06-04 00:00"]),
    ("tonight 22-6", ["06-03 22:00/06-04 06:00"]),
    ("tonight 10-6", ["06-03 22:00/06-04 06:00"]),
    ("tonight 20:00-02:00", ["06-03 20:00/06-04 02:00"]),
    ("сегодня вечером с 8 до 11", ["06-03 20:00/06-03 23:00"]),
    ("今晚8点到11点", ["06-03 20:00/06-03 23:00"]),
    ("today 22:00-06:00", ["06-03 22:00/06-04 06:00"]),
    ("tomorrow 23-5", ["06-04 23:00/06-05 05:00"]),
    ("завтра с 22 до 6", ["06-04 22:00/06-05 06:00"]),
    ("завтра с 19 до 7", ["06-04 19:00/06-05 07:00"]),
    ("明天晚上10点到早上6点", ["06-04 22:00/06-05 06:00"]),
    ("20.06 22-6", ["06-20 22:00/06-21 06:00"]),
    ("today & tomorrow 18-22", ["06-03 18:00/06-03 22:00", "06-04 18:00/06-04 22:00"]),
    ("сегодня и завтра с 18 до 22", ["06-03 18:00/06-03 22:00", "06-04 18:00/06-04 22:00"]),
    ("今天和明天 18点到22点", ["06-03 18:00/06-03 22:00", "06-04 18:00/06-04 22:00"]),
]


@pytest.mark.parametrize(("text", "expected"), ONE_OFF_MORE, ids=[row[0] for row in ONE_OFF_MORE])
def test_tonight_and_one_off_nights_become_exact_windows(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == ([], expected)
    assert not parsed.blocked


SATURDAY = "06-06 00:00/06-07 00:00"
SUNDAY = "06-07 00:00/06-08 00:00"
BLOCKED_MORE = [
    ("суббота не могу", [SATURDAY]),
    ("в субботу не могу", [SATURDAY]),
    ("суббота и воскресенье не могу", [SATURDAY, SUNDAY]),
    ("завтра не могу", ["06-04 00:00/06-05 00:00"]),
    ("пятница не могу с 9 до 12", ["06-05 09:00/06-05 12:00"]),
    ("кроме субботы", [SATURDAY]),
    ("周六不行", [SATURDAY]),
    ("周日不能", [SUNDAY]),
    ("明天不能停", ["06-04 00:00/06-05 00:00"]),
    ("周六和周日没空", [SATURDAY, SUNDAY]),
    ("not Saturday", [SATURDAY]),
    ("except Sat", [SATURDAY]),
    ("except Sat & Sun", [SATURDAY, SUNDAY]),
    ("Sat not available 9-12", ["06-06 09:00/06-06 12:00"]),
    ("Fri & Sat busy", ["06-05 00:00/06-06 00:00", SATURDAY]),
    ("tonight not available from 8", ["06-03 20:00/06-04 00:00"]),
]


@pytest.mark.parametrize(("text", "expected"), BLOCKED_MORE, ids=[row[0] for row in BLOCKED_MORE])
def test_negations_in_each_languages_word_order_block_the_next_occurrence(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert parsed.blocked
    assert shown(parsed, BERLIN) == ([], expected)


AMBIGUOUS = [
    (
        "Mon-Fri 18-8",
        ("Mon-Fri 18-08:00", overnight(MON_FRI, "18:00", "08:00")),
        ("Mon-Fri 18-20:00", weekly(MON_FRI, "18:00", "20:00")),
    ),
    (
        "пт 18-8",
        ("пт 18-08:00", overnight((4,), "18:00", "08:00")),
        ("пт 18-20:00", weekly((4,), "18:00", "20:00")),
    ),
    (
        "с 18 до 8 по будням",
        ("с 18 до 08:00 по будням", overnight(MON_FRI, "18:00", "08:00")),
        ("с 18 до 20:00 по будням", weekly(MON_FRI, "18:00", "20:00")),
    ),
    (
        "Sat 18:00-8",
        ("Sat 18:00-08:00", overnight((5,), "18:00", "08:00")),
        ("Sat 18:00-20:00", weekly((5,), "18:00", "20:00")),
    ),
    (
        "Sat 20-9h",
        ("Sat 20-09:00", overnight((5,), "20:00", "09:00")),
        ("Sat 20-21:00", weekly((5,), "20:00", "21:00")),
    ),
    (
        "Fri 14-5",
        ("Fri 14-05:00", overnight((4,), "14:00", "05:00")),
        ("Fri 14-17:00", weekly((4,), "14:00", "17:00")),
    ),
]


@pytest.mark.parametrize(("text", "night", "evening"), AMBIGUOUS, ids=[r[0] for r in AMBIGUOUS])
def test_a_bare_end_hour_after_a_24_hour_start_is_asked_about_not_read_as_pm(text, night, evening):
    with pytest.raises(AmbiguousHours) as refused:
        parse_availability(text, zone=BERLIN, now=NOW)
    first, second = refused.value.readings
    assert (first.kind, first.text) == (OVERNIGHT, night[0])
    assert shown(first.parsed, BERLIN) == (sorted(night[1]), [])
    assert (second.kind, second.text) == (SAME_DAY, evening[0])
    assert shown(second.parsed, BERLIN) == (sorted(evening[1]), [])
    for reading in (first, second):  # each reading, typed as it is written, reads one way
        assert parse_availability(reading.text, zone=BERLIN, now=NOW) == reading.parsed


def test_a_one_off_night_that_reads_two_ways_is_asked_about():
    with pytest.raises(AmbiguousHours) as refused:
        parse_availability("today 18-8", zone=BERLIN, now=NOW)
    night, evening = refused.value.readings
    assert shown(night.parsed, BERLIN) == ([], ["06-03 18:00/06-04 08:00"])
    assert shown(evening.parsed, BERLIN) == ([], ["06-03 18:00/06-03 20:00"])


def test_a_two_way_night_whose_evening_is_over_can_only_mean_overnight():
    nine_pm = datetime(2026, 6, 3, 19, 0, tzinfo=UTC)
    parsed = parse_availability("today 18-8", zone=BERLIN, now=nine_pm)
    assert shown(parsed, BERLIN) == ([], ["06-03 21:00/06-04 08:00"])


NOT_UNDERSTOOD_MORE = [
    "tonight",
    "今晚",
    "сегодня вечером",
    "周五晚上不行",
    "tomorrow except Sat",
    "weekdays except Mon-Fri 9-17",
    "except",
    "кроме праздников",
]


@pytest.mark.parametrize("text", NOT_UNDERSTOOD_MORE)
def test_half_said_nights_and_exceptions_are_refused_not_guessed(text):
    with pytest.raises(AvailabilityNotUnderstood):
        parse_availability(text, zone=BERLIN, now=NOW)


AUTUMN_SATURDAY = datetime(2026, 10, 24, 10, 0, tzinfo=UTC)  # clocks go back that night
SPRING_SATURDAY = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)  # clocks go forward that night
DST_NIGHTS = [
    ("tonight 22-6", AUTUMN_SATURDAY, ("10-24 20:00", "10-25 05:00"), 9),
    ("today 22:00-06:00", AUTUMN_SATURDAY, ("10-24 20:00", "10-25 05:00"), 9),
    ("сегодня с 22 до 6", AUTUMN_SATURDAY, ("10-24 20:00", "10-25 05:00"), 9),
    ("今天晚上10点到早上6点", AUTUMN_SATURDAY, ("10-24 20:00", "10-25 05:00"), 9),
    ("tomorrow 1-4", AUTUMN_SATURDAY, ("10-24 23:00", "10-25 03:00"), 4),
    ("tonight 22-6", SPRING_SATURDAY, ("03-28 21:00", "03-29 04:00"), 7),
    ("today 22:00-06:00", SPRING_SATURDAY, ("03-28 21:00", "03-29 04:00"), 7),
    ("сегодня с 22 до 6", SPRING_SATURDAY, ("03-28 21:00", "03-29 04:00"), 7),
    ("今天晚上10点到早上6点", SPRING_SATURDAY, ("03-28 21:00", "03-29 04:00"), 7),
    ("tomorrow 1-4", SPRING_SATURDAY, ("03-29 00:00", "03-29 02:00"), 2),
]


@pytest.mark.parametrize(
    ("text", "now", "utc", "hours"), DST_NIGHTS, ids=[r[0] for r in DST_NIGHTS]
)
def test_a_night_across_a_daylight_saving_change_in_berlin_keeps_its_wall_clock_ends(
    text, now, utc, hours
):
    (window,) = parse_availability(text, zone=BERLIN, now=now).windows
    assert (f"{window.start:%m-%d %H:%M}", f"{window.end:%m-%d %H:%M}") == utc
    assert window.end - window.start == timedelta(hours=hours)


def test_a_weekly_night_parsed_is_bookable_across_the_autumn_change():
    parsed = parse_availability("Sat 22-6", zone=BERLIN, now=NOW)
    start, end = datetime(2026, 10, 24, 20, tzinfo=UTC), datetime(2026, 10, 25, 5, tzinfo=UTC)
    assert covers(parsed.weekly, [], [], BERLIN, start, end)
    assert not covers(parsed.weekly, [], [], BERLIN, start, end + timedelta(hours=1))


# --- day lists with all-day words, days read alike, everyday forms, phone typing ---------------

ALL_DAY = ("00:00", "24:00")
DAY_LISTS_ALL_DAY = [
    ("Mon, Wed all day", weekly((0, 2), *ALL_DAY)),
    ("Mon, Wed 24/7", weekly((0, 2), *ALL_DAY)),
    ("Mon & Wed around the clock", weekly((0, 2), *ALL_DAY)),
    ("Sat, Sun 24h", weekly(WEEKEND, *ALL_DAY)),
    ("Mon-Fri 8-18, weekends 24/7", weekly(MON_FRI, "08:00", "18:00") + weekly(WEEKEND, *ALL_DAY)),
    ("24/7 except Sat", weekly((0, 1, 2, 3, 4, 6), *ALL_DAY)),
    ("пн, ср круглосуточно", weekly((0, 2), *ALL_DAY)),
    ("пн, ср весь день", weekly((0, 2), *ALL_DAY)),
    ("пн и ср круглые сутки", weekly((0, 2), *ALL_DAY)),
    ("круглосуточно по выходным", weekly(WEEKEND, *ALL_DAY)),
    ("круглосуточно кроме выходных", weekly(MON_FRI, *ALL_DAY)),
    ("周一、周三全天", weekly((0, 2), *ALL_DAY)),
    ("周一、周三全天候", weekly((0, 2), *ALL_DAY)),
    ("周一，周三 24小时", weekly((0, 2), *ALL_DAY)),
    ("每周末全天", weekly(WEEKEND, *ALL_DAY)),
]


@pytest.mark.parametrize(
    ("text", "expected"), DAY_LISTS_ALL_DAY, ids=[row[0] for row in DAY_LISTS_ALL_DAY]
)
def test_an_all_day_word_keeps_the_days_named_and_adds_none(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(expected), [])


FRIDAY_9_17, SATURDAY_9_17 = "06-05 09:00/06-05 17:00", "06-06 09:00/06-06 17:00"
DAYS_ALIKE = [
    ("today and Friday 9-17", ["06-03 10:00/06-03 17:00", FRIDAY_9_17]),
    ("Friday and tomorrow 9-17", ["06-04 09:00/06-04 17:00", FRIDAY_9_17]),
    ("tomorrow and Sat 9-17", ["06-04 09:00/06-04 17:00", SATURDAY_9_17]),
    ("this Friday and Saturday 9-17", [FRIDAY_9_17, SATURDAY_9_17]),
    ("next Wed and Thu 10-12", ["06-10 10:00/06-10 12:00", "06-11 10:00/06-11 12:00"]),
    ("20.06 and Sunday 9-17", ["06-20 09:00/06-20 17:00", "06-21 09:00/06-21 17:00"]),
    ("в пятницу и субботу 9-17", [FRIDAY_9_17, SATURDAY_9_17]),
    ("завтра и в субботу с 9 до 17", ["06-04 09:00/06-04 17:00", SATURDAY_9_17]),
    ("明天和周六 9-17", ["06-04 09:00/06-04 17:00", SATURDAY_9_17]),
    ("今天和周五 18点到22点", ["06-03 18:00/06-03 22:00", "06-05 18:00/06-05 22:00"]),
]


@pytest.mark.parametrize(("text", "expected"), DAYS_ALIKE, ids=[row[0] for row in DAYS_ALIKE])
def test_a_weekday_joined_to_a_one_off_day_is_one_off_too(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == ([], expected)


RUNS_OF_DATES = [
    ("20.06-25.06 9-17", [f"06-{day} 09:00/06-{day} 17:00" for day in range(20, 26)]),
    ("tomorrow to Sat 9-17", ["06-04 09:00/06-04 17:00", FRIDAY_9_17, SATURDAY_9_17]),
    ("today - Friday 9-17", ["06-03 10:00/06-03 17:00", "06-04 09:00/06-04 17:00", FRIDAY_9_17]),
    ("с 20.06 по 22.06 с 9 до 17", [f"06-{day} 09:00/06-{day} 17:00" for day in (20, 21, 22)]),
]


@pytest.mark.parametrize(("text", "expected"), RUNS_OF_DATES, ids=[r[0] for r in RUNS_OF_DATES])
def test_a_run_of_dates_is_every_date_in_it(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == ([], expected)


def test_a_blocked_day_list_blocks_each_day_once():
    parsed = parse_availability("not available tomorrow and Sat", zone=BERLIN, now=NOW)
    assert parsed.blocked
    assert shown(parsed, BERLIN) == ([], ["06-04 00:00/06-05 00:00", "06-06 00:00/06-07 00:00"])


WEEKLY_ALIKE = [
    ("Mon and Wed 9-17", weekly((0, 2), "09:00", "17:00")),
    ("Mondays and Wednesdays 9-17", weekly((0, 2), "09:00", "17:00")),
    ("every Monday and Wednesday 9-17", weekly((0, 2), "09:00", "17:00")),
    ("по понедельникам и средам 9-17", weekly((0, 2), "09:00", "17:00")),
    ("каждую пятницу 9-17", weekly((4,), "09:00", "17:00")),
    ("每周一和周三 9-17", weekly((0, 2), "09:00", "17:00")),
    ("每周六、周日 9-17", weekly(WEEKEND, "09:00", "17:00")),
]


@pytest.mark.parametrize(("text", "expected"), WEEKLY_ALIKE, ids=[row[0] for row in WEEKLY_ALIKE])
def test_weekdays_joined_without_a_date_are_all_weekly(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(expected), [])


RUSSIAN_DAY_NOUNS = [
    ("по будням", weekly(MON_FRI, *ALL_DAY)),
    ("в будни 8-20", weekly(MON_FRI, "08:00", "20:00")),
    ("будни 9-18", weekly(MON_FRI, "09:00", "18:00")),
    ("в будние дни 9-18", weekly(MON_FRI, "09:00", "18:00")),
    ("по будним дням с 8 до 20", weekly(MON_FRI, "08:00", "20:00")),
    ("по рабочим дням с 8 до 20", weekly(MON_FRI, "08:00", "20:00")),
    ("выходные 10-16", weekly(WEEKEND, "10:00", "16:00")),
    ("по выходным с 10 до 16", weekly(WEEKEND, "10:00", "16:00")),
    ("в выходные дни весь день", weekly(WEEKEND, *ALL_DAY)),
    ("в выходные дни", weekly(WEEKEND, *ALL_DAY)),
    (
        "будни 8-18, выходные 10-14",
        weekly(MON_FRI, "08:00", "18:00") + weekly(WEEKEND, "10:00", "14:00"),
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), RUSSIAN_DAY_NOUNS, ids=[row[0] for row in RUSSIAN_DAY_NOUNS]
)
def test_russian_nouns_for_workdays_and_days_off_are_weekly(text, expected):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(expected), [])


CHINESE_PARTS_OF_DAY = [
    ("每天上午9点到下午5点", weekly(EVERY_DAY, "09:00", "17:00"), []),
    ("工作日早上8点-晚上10点", weekly(MON_FRI, "08:00", "22:00"), []),
    ("周五晚上8点到早上7点", overnight((4,), "20:00", "07:00"), []),
    ("每天晚上8点到早上7点", overnight(EVERY_DAY, "20:00", "07:00"), []),
    ("周六中午12点到晚上8点", [(5, "12:00", "20:00")], []),
    ("周日下午1点到晚上9点", [(6, "13:00", "21:00")], []),
    ("星期一到星期五 早上9点到下午6点", weekly(MON_FRI, "09:00", "18:00"), []),
    ("明天早上7点到晚上11点", [], ["06-04 07:00/06-04 23:00"]),
    ("今晚8点到早上7点", [], ["06-03 20:00/06-04 07:00"]),
    # An end said without a part of the day keeps to the afternoon, as "9-5" does in English.
    ("每天上午10点到2点", weekly(EVERY_DAY, "10:00", "14:00"), []),
    ("周一至周五9点到6点", weekly(MON_FRI, "09:00", "18:00"), []),
    ("周五中午12点到5点", [(4, "12:00", "17:00")], []),
]


@pytest.mark.parametrize(
    ("text", "rules", "windows"), CHINESE_PARTS_OF_DAY, ids=[r[0] for r in CHINESE_PARTS_OF_DAY]
)
def test_chinese_ranges_with_a_part_of_the_day_on_each_side(text, rules, windows):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(rules), windows)


AFTER_AND_BEFORE = [
    ("Mon-Fri after 18:00", weekly(MON_FRI, "18:00", "24:00"), []),
    ("weekdays after 6pm", weekly(MON_FRI, "18:00", "24:00"), []),
    ("every day after 18", weekly(EVERY_DAY, "18:00", "24:00"), []),
    ("Mon-Fri before 8", weekly(MON_FRI, "00:00", "08:00"), []),
    ("Sat before 8am", [(5, "00:00", "08:00")], []),
    ("every day not before 9", weekly(EVERY_DAY, "09:00", "24:00"), []),
    ("Mon-Fri not after 18:00", weekly(MON_FRI, "00:00", "18:00"), []),
    ("пн-пт после 18:00", weekly(MON_FRI, "18:00", "24:00"), []),
    ("пн-пт до 8 утра", weekly(MON_FRI, "00:00", "08:00"), []),
    ("по выходным после 6 вечера", weekly(WEEKEND, "18:00", "24:00"), []),
    ("пн-пт не раньше 9", weekly(MON_FRI, "09:00", "24:00"), []),
    ("工作日18点以后", weekly(MON_FRI, "18:00", "24:00"), []),
    ("每天晚上6点以后", weekly(EVERY_DAY, "18:00", "24:00"), []),
    ("工作日8点之前", weekly(MON_FRI, "00:00", "08:00"), []),
    ("周末8点前", weekly(WEEKEND, "00:00", "08:00"), []),
    ("today after 18:00", [], ["06-03 18:00/06-04 00:00"]),
    ("today before 20:00", [], ["06-03 10:00/06-03 20:00"]),  # the day's start is over: from now
    ("tomorrow before 8", [], ["06-04 00:00/06-04 08:00"]),
    ("завтра после 18:00", [], ["06-04 18:00/06-05 00:00"]),
    ("明天8点之前", [], ["06-04 00:00/06-04 08:00"]),
]


@pytest.mark.parametrize(
    ("text", "rules", "windows"), AFTER_AND_BEFORE, ids=[r[0] for r in AFTER_AND_BEFORE]
)
def test_after_runs_to_the_days_end_and_before_from_its_start(text, rules, windows):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(rules), windows)


TYPED_ON_A_PHONE = [
    ("mon-fri9-18", weekly(MON_FRI, "09:00", "18:00"), []),
    ("Mon-Fri 9–18", weekly(MON_FRI, "09:00", "18:00"), []),
    ("mon–fri 9:00–18:00", weekly(MON_FRI, "09:00", "18:00"), []),
    ("MON-FRI 9-17", weekly(MON_FRI, "09:00", "17:00"), []),
    ("mon - fri 9 - 17", weekly(MON_FRI, "09:00", "17:00"), []),
    ("M-F 9-5", weekly(MON_FRI, "09:00", "17:00"), []),
    ("wkdays 9-5", weekly(MON_FRI, "09:00", "17:00"), []),
    ("wkends 10-14", weekly(WEEKEND, "10:00", "14:00"), []),
    ("mon,wed,fri 8-12", weekly((0, 2, 4), "08:00", "12:00"), []),
    ("sat+sun 10-14", weekly(WEEKEND, "10:00", "14:00"), []),
    ("Sat&Sun 10-14", weekly(WEEKEND, "10:00", "14:00"), []),
    ("tues 9-5", [(1, "09:00", "17:00")], []),
    ("weds 9-17", [(2, "09:00", "17:00")], []),
    ("thurs 18:00-22:00", [(3, "18:00", "22:00")], []),
    ("everyday 7-23", weekly(EVERY_DAY, "07:00", "23:00"), []),
    ("daily 7a.m.-11p.m.", weekly(EVERY_DAY, "07:00", "23:00"), []),
    ("Mon-Fri 9h-17h", weekly(MON_FRI, "09:00", "17:00"), []),
    ("Mon-Fri 9.30-17.30", weekly(MON_FRI, "09:30", "17:30"), []),
    ("Mon-Fri 9 - 5:30pm", weekly(MON_FRI, "09:00", "17:30"), []),
    ("Mon-Fri 9-17 Sat 10-14", [*weekly(MON_FRI, "09:00", "17:00"), (5, "10:00", "14:00")], []),
    (
        "Mon-Fri 7-9 & 17-19",
        weekly(MON_FRI, "07:00", "09:00") + weekly(MON_FRI, "17:00", "19:00"),
        [],
    ),
    ("tmrw 9-17", [], ["06-04 09:00/06-04 17:00"]),
    ("пн-пт 9–18ч", weekly(MON_FRI, "09:00", "18:00"), []),
    ("пн-пт 9ч-18ч", weekly(MON_FRI, "09:00", "18:00"), []),
    ("пн.-пт. 9-18", weekly(MON_FRI, "09:00", "18:00"), []),
    ("Пн-Пт: 9.00-18.00", weekly(MON_FRI, "09:00", "18:00"), []),
    ("пн-пт 8:00—20:00", weekly(MON_FRI, "08:00", "20:00"), []),
    ("сб,вс 10-14", weekly(WEEKEND, "10:00", "14:00"), []),
    ("пн-сб 9-21", weekly(range(6), "09:00", "21:00"), []),
    ("вт, чт с 18 до 22", weekly((1, 3), "18:00", "22:00"), []),
    ("ежедн. 8-20", weekly(EVERY_DAY, "08:00", "20:00"), []),
    (
        "пн-пт 7:00-9:00 и 17:00-19:00",
        weekly(MON_FRI, "07:00", "09:00") + weekly(MON_FRI, "17:00", "19:00"),
        [],
    ),
    ("в пт с 9 до 12", [], ["06-05 09:00/06-05 12:00"]),
    ("завтра с 9ч до 17ч", [], ["06-04 09:00/06-04 17:00"]),
    ("周一至周五９：００－１８：００", weekly(MON_FRI, "09:00", "18:00"), []),
    ("周一至周五 ９点～１８点", weekly(MON_FRI, "09:00", "18:00"), []),
    ("周一到周五，9:00-18:00", weekly(MON_FRI, "09:00", "18:00"), []),
    ("周六、周日\u300010:00～14:00", weekly(WEEKEND, "10:00", "14:00"), []),
    ("周一至周五 9：00-18：00", weekly(MON_FRI, "09:00", "18:00"), []),
    ("每天 ８：００－２２：００", weekly(EVERY_DAY, "08:00", "22:00"), []),
    ("周末 10点～16点", weekly(WEEKEND, "10:00", "16:00"), []),
    ("周一～周五 8-18", weekly(MON_FRI, "08:00", "18:00"), []),
    ("周一〜周五 8-18", weekly(MON_FRI, "08:00", "18:00"), []),
    ("礼拜六 9点到12点", [(5, "09:00", "12:00")], []),
    ("工作日9点-18点", weekly(MON_FRI, "09:00", "18:00"), []),
    ("明天９点到１７点", [], ["06-04 09:00/06-04 17:00"]),
    ("每周一 9-17", [(0, "09:00", "17:00")], []),
    # One 周 for several days, and 早…晚… for a working day.
    ("周六日 9-17", weekly(WEEKEND, "09:00", "17:00"), []),
    ("周一三五 8-12", weekly((0, 2, 4), "08:00", "12:00"), []),
    ("每周一三五 8-12", weekly((0, 2, 4), "08:00", "12:00"), []),
    ("周一至五 8-18", weekly(MON_FRI, "08:00", "18:00"), []),
    ("周一到五 早9晚6", weekly(MON_FRI, "09:00", "18:00"), []),
    ("周一至周五 早八晚十", weekly(MON_FRI, "08:00", "22:00"), []),
    ("周一到五九点到六点", weekly(MON_FRI, "09:00", "18:00"), []),
    ("周二三点到五点", [(1, "03:00", "05:00")], []),  # Tuesday at 3, not Tuesday and Wednesday
    ("明天二十点到二十三点", [], ["06-04 20:00/06-04 23:00"]),
]


@pytest.mark.parametrize(
    ("text", "rules", "windows"), TYPED_ON_A_PHONE, ids=[r[0] for r in TYPED_ON_A_PHONE]
)
def test_hours_typed_on_a_phone_read_exactly(text, rules, windows):
    parsed = parse_availability(text, zone=BERLIN, now=NOW)
    assert shown(parsed, BERLIN) == (sorted(rules), windows)
    assert not parsed.blocked


NEVER_READ_HALF_RIGHT = [
    # A date and days said to be weekly in one list: which one was meant?
    "tomorrow and Saturdays 9-17",
    "tomorrow and weekends 9-17",
    "today and Mon-Fri 9-17",
    "завтра и по субботам 9-17",
    "明天和每周六 9-17",
    # A day named twice, or days left without hours after days with hours.
    "Mon, Wed every day 9-17",
    "weekends, Sat 10-14",
    "Mon-Fri 8-18, Sat",
    "Mon 9-12 and Wed",
    "пн-пт 8-18, сб",
    # "after" a bare hour that may be morning or evening.
    "Mon-Fri after 6",
    "пн-пт после 6",
    "工作日6点以后",
    # From a day on, until when? A run of dates that ends on weekly days, runs backwards or
    # lasts over a month; a run from a weekday to a date or from a group of days.
    "from tomorrow 9-17",
    "from Monday 9-17",
    "Mon-Fri 9-17 from tomorrow",
    "tomorrow to Saturdays 9-17",
    "20.06-25.07 9-17",
    "25.06-20.06 9-17",
    "Mon - tomorrow 9-17",
    "weekdays - Sat 9-17",
    # No day at all.
    "after 18:00",
    "before 8",
    "上午9点到下午5点",
    "晚上8点到早上7点",
    # Forms not read: refused, never misread.
    "mon/wed 9-17",
    "Mon-Fri 0930-1730",
    "20/06 9-17",
    "mon-fri 8a-6p",
    "every 9-17",
    "今天五九点",
    # Days taken out of days that do not hold them.
    "Mon-Fri 9-17, Sat 10-14 except Wed",
    "weekdays except Sat 9-17",
    # A time alone: from it on, or only at it?
    "tomorrow at 9",
    "tomorrow 9",
    "Mon-Fri 9:00",
    "завтра в 9",
    "明天9点",
    "周一一 9-17",
    "明天和周六日 9-17",
]


@pytest.mark.parametrize("text", NEVER_READ_HALF_RIGHT)
def test_what_would_be_read_half_right_is_refused(text):
    with pytest.raises(AvailabilityNotUnderstood):
        parse_availability(text, zone=BERLIN, now=NOW)
