"""A driver's weekly pattern in three languages: the days and hours read as owners' hours are,
the length said at the end, and the stays it names in the spot's zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.availability_text import AmbiguousHours
from core.errors import AvailabilityNotUnderstood, InvalidWindow, WindowTooFarAhead
from core.recurrence import NotAPattern, parse_pattern

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 2 December 2026, 10:00 in Berlin: today's 8-18 has begun.
WEDNESDAY = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _stays(text: str, now: datetime = WEDNESDAY) -> list[str]:
    pattern = parse_pattern(text, zone=BERLIN, now=now)
    return [
        f"{s.start.astimezone(BERLIN):%a %d.%m %H:%M}-{s.end.astimezone(BERLIN):%a %H:%M}"
        for s in pattern.stays
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Mon-Fri 8-18 for 2 weeks",
        "weekdays 08:00-18:00 for two weeks",
        "пн-пт 8-18 на 2 недели",
        "по будням 8-18 в течение двух недель".replace("двух", "2"),
        "工作日 8:00-18:00 连续2周",
        "周一至周五 8-18 共两周",
    ],
)
def test_two_weeks_of_weekdays_start_with_the_next_stay_not_yet_begun(text):
    stays = _stays(text)
    assert len(stays) == 10
    assert stays[0] == "Thu 03.12 08:00-Thu 18:00"
    assert stays[-1] == "Wed 16.12 08:00-Wed 18:00"


@pytest.mark.parametrize(
    "text",
    ["every Saturday 9-13 until 26.12", "каждую субботу 9-13 до 26.12", "每周六 9-13 到12月26日"],
)
def test_until_a_date_includes_that_date(text):
    assert _stays(text) == [
        "Sat 05.12 09:00-Sat 13:00", "Sat 12.12 09:00-Sat 13:00",
        "Sat 19.12 09:00-Sat 13:00", "Sat 26.12 09:00-Sat 13:00",
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["weekends 10-14 until January", "выходные 10-14 до января"])
def test_until_a_month_ends_before_it_begins(text):
    stays = _stays(text)
    assert stays[0] == "Sat 05.12 10:00-Sat 14:00"
    assert stays[-1] == "Sun 27.12 10:00-Sun 14:00"


def test_a_night_is_one_stay_across_midnight():
    assert _stays("Mon-Fri 19:00-08:00 for 1 week") == [
        "Wed 02.12 19:00-Thu 08:00", "Thu 03.12 19:00-Fri 08:00", "Fri 04.12 19:00-Sat 08:00",
        "Mon 07.12 19:00-Tue 08:00", "Tue 08.12 19:00-Wed 08:00",
    ]  # fmt: skip


def test_stays_keep_their_wall_clock_hours_across_a_clock_change():
    october = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)  # Berlin leaves summer time on the 25th
    stays = parse_pattern("Sat 8-18 for 2 weeks", zone=BERLIN, now=october).stays
    assert [s.start.astimezone(BERLIN).hour for s in stays] == [8, 8]
    assert [s.start.hour for s in stays] == [6, 7]  # in UTC, an hour apart


def test_hours_that_read_two_ways_are_asked_with_the_length_still_said():
    with pytest.raises(AmbiguousHours) as asked:
        parse_pattern("Mon-Fri 19-8 for 1 week", zone=BERLIN, now=WEDNESDAY)
    texts = sorted(reading.text for reading in asked.value.readings)
    assert texts == ["Mon-Fri 19-08:00 for 1 week", "Mon-Fri 19-20:00 for 1 week"]
    assert len(_stays(texts[0])) == 5


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Mon-Fri 8-18", NotAPattern),
        ("tomorrow 9-17", NotAPattern),
        ("Mon-Fri until 18:00", NotAPattern),
        ("tomorrow 9-17 for 2 weeks", AvailabilityNotUnderstood),
        ("not Mon 9-17 for 2 weeks", AvailabilityNotUnderstood),
        ("Mon-Fri 8-18 for 9 weeks", InvalidWindow),
        ("every Saturday 9-13 until June", WindowTooFarAhead),
    ],
)
def test_what_is_not_a_pattern_to_book_is_refused(text, refused):
    with pytest.raises(refused):
        parse_pattern(text, zone=BERLIN, now=WEDNESDAY)


def test_until_the_end_of_a_month_includes_it():
    stays = _stays("每周六 9-13 到12月底")
    assert stays[-1] == "Sat 26.12 09:00-Sat 13:00"
