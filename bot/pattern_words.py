"""A weekly pattern offered as a button, written in the driver's language so that it reads as
if they had typed it (and the parser that reads typed patterns reads it back): the time of
the stay they were booking, every weekday for two weeks, or its day of the week for four."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WEEKDAYS_FOR = 2
ONE_DAY_FOR = 4

_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
    "zh_Hans": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
_WEEKDAYS = {"en": "Mon-Fri", "ru": "пн-пт", "zh_Hans": "工作日"}
_FOR_WEEKS = {"en": "for {n} weeks", "ru": "на {n} недели", "zh_Hans": "连续{n}周"}


def repeats(start: datetime, end: datetime, zone: str, language: str) -> list[str]:
    """The patterns offered for a stay from ``start`` to ``end``; none when the stay runs past
    midnight or longer than a day (a pattern of such stays is typed)."""
    local = ZoneInfo(zone)
    first, last = start.astimezone(local), end.astimezone(local)
    if first.date() != last.date():
        return []
    language = language if language in _DAYS else "en"
    hours = f"{first:%H:%M}-{last:%H:%M}"
    lasting = _FOR_WEEKS[language]
    patterns = [f"{_WEEKDAYS[language]} {hours} {lasting.format(n=WEEKDAYS_FOR)}"]
    day = _DAYS[language][first.weekday()]
    if language == "zh_Hans":
        day = "每" + day
    patterns.append(f"{day} {hours} {lasting.format(n=ONE_DAY_FOR)}")
    return patterns
