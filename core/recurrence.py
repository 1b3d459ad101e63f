"""A driver's weekly pattern, as they type it: "Mon-Fri 8-18 for 2 weeks", "every Saturday
9-13 until 31.01", "пн-пт 8-18 на 2 недели", "每周六 9-13 到1月31日", "工作日 8-18 连续2周".

The days and hours are read by the parser that reads owners' hours, so a driver and an owner
are understood alike; this module reads only how long the pattern lasts, said at the end, and
makes the stays it names in the spot's zone. Decisions:
- "for N weeks" counts from the day of the first stay still ahead: on a Wednesday, "Mon-Fri
  for 2 weeks" is Wednesday to the Tuesday after next, ten weekdays.
- "until <date>" includes that date; "until <month>" ("until June", "до июня", "到6月") ends
  before the month begins, "到6月底" (the month's end) with it.
- A span that runs past midnight ("Mon-Fri 19-8") is one stay each night, not two.
- Every stay must end within the bookable horizon, as a single booking must.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.availability import WeeklyRule, local_instant
from core.availability_text import AmbiguousHours, Reading, parse_availability
from core.availability_tokens import OnDate, tokenize
from core.clock import ensure_utc
from core.errors import AvailabilityNotUnderstood, InvalidWindow, WindowInPast
from core.window import Window

# The most stays one pattern books: every day of the six-week horizon.
MOST_STAYS = 42

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "одну": 1, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
}  # fmt: skip
_COUNT = r"(?P<n>\d{1,2}|" + "|".join(_NUMBER_WORDS) + ")"
_WEEKS = re.compile(
    r"^(?P<head>.*?)[\s,]*(?:"
    rf"\bfor\s+(?:the\s+next\s+)?{_COUNT}\s+weeks?"
    rf"|(?:\bна|\bв\s+течение)\s+{_COUNT.replace('?P<n>', '?P<n_ru>')}\s+недел[юиь]\w*"
    rf"|(?:连续|共|为期)?\s*{_COUNT.replace('?P<n>', '?P<n_zh>')}\s*个?\s*(?:周|星期|礼拜)"
    r")\s*$",
    re.IGNORECASE,
)
_UNTIL = re.compile(
    r"^(?P<head>.*)[\s,](?:until|till|through|thru|до|по)\s+(?P<end>[^\s].*?)\s*$"
    r"|^(?P<head_zh>.*)(?:直到|到|至)\s*(?P<end_zh>[^\s].*?)\s*(?:为止)?\s*$",
    re.IGNORECASE,
)
_MONTH_ALONE = re.compile(
    r"^(?:(?P<m1>jan(?:uary)?|январ[яь])|(?P<m2>feb(?:ruary)?|феврал[яь])|(?P<m3>march|марта?)"
    r"|(?P<m4>april|апрел[яь])|(?P<m5>may|ма[яй])|(?P<m6>june?|июн[яь])|(?P<m7>july?|июл[яь])"
    r"|(?P<m8>aug(?:ust)?|августа?)|(?P<m9>sep(?:tember)?|сентябр[яь])"
    r"|(?P<m10>oct(?:ober)?|октябр[яь])|(?P<m11>nov(?:ember)?|ноябр[яь])"
    r"|(?P<m12>dec(?:ember)?|декабр[яь])|(?P<zh>\d{1,2})\s*月(?:份)?(?:底)?)$",
    re.IGNORECASE,
)


class NotAPattern(AvailabilityNotUnderstood):
    """The text says no length ("for 2 weeks", "until 31.01"): it may be one window."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """The stays a pattern names, soonest first, and the text it was read from."""

    text: str
    stays: tuple[Window, ...]


def parse_pattern(text: str, *, zone: ZoneInfo, now: datetime) -> Pattern:
    """The stays of a weekly pattern with its length, in ``zone``.

    Raises ``NotAPattern`` when no length is said, ``AvailabilityNotUnderstood`` for days and
    hours the owners' parser cannot read (or for one-off dates: a pattern repeats weekly),
    ``WindowInPast`` when the length ends before the next stay, ``WindowTooFarAhead`` when a
    stay would end past the bookable horizon, and ``InvalidWindow`` for more stays than
    ``MOST_STAYS``."""
    now = ensure_utc(now)
    said = unicodedata.normalize("NFKC", text).strip()
    today = now.astimezone(zone).date()
    head, weeks, last_day = _length(said, today)
    try:
        parsed = parse_availability(head, zone=zone, now=now)
    except AmbiguousHours as error:
        # Asked as owners are asked, each reading written out with the length still said.
        tail = said[len(head) :]
        night, day = (Reading(r.kind, r.text + tail, r.parsed) for r in error.readings)
        raise AmbiguousHours((night, day)) from None
    if parsed.blocked or parsed.windows or not parsed.weekly:
        raise AvailabilityNotUnderstood("a pattern names days of the week and hours")
    first = _stays_between(parsed.weekly, zone, now, today, today + timedelta(days=7))
    if not first:
        raise AvailabilityNotUnderstood("no stay in a week")
    first_day = first[0].start.astimezone(zone).date()
    if weeks is not None:
        last_day = first_day + timedelta(days=7 * weeks - 1)
    assert last_day is not None
    stays = _stays_between(parsed.weekly, zone, now, first_day, last_day)
    if not stays:
        raise WindowInPast(f"no stay before {last_day}")
    if len(stays) > MOST_STAYS:
        raise InvalidWindow(f"{len(stays)} stays")
    for stay in stays:
        stay.check_bookable(now)
    return Pattern(said, tuple(stays))


def _length(said: str, today: date) -> tuple[str, int | None, date | None]:
    """The days-and-hours part, and either the number of weeks or the last day."""
    if match := _WEEKS.match(said):
        count = match["n"] or match["n_ru"] or match["n_zh"]
        weeks = int(count) if count.isdigit() else _NUMBER_WORDS[count.lower()]
        if not 1 <= weeks <= 6:
            raise InvalidWindow(f"{weeks} weeks")
        return match["head"], weeks, None
    if match := _UNTIL.match(said):
        head = match["head"] if match["head"] is not None else match["head_zh"]
        end = match["end"] if match["end"] is not None else match["end_zh"]
        last_day = _last_day(end.strip(" .,"), today)
        if last_day is not None and head.strip():
            return head, None, last_day
    raise NotAPattern("no length said")


def _last_day(end: str, today: date) -> date | None:
    """The date a pattern runs until (included), or the day before a month named alone; None
    when ``end`` is not a date ("until 18:00" is an hour of the day)."""
    if month_alone := _MONTH_ALONE.match(end):
        month = int(month_alone["zh"]) if month_alone["zh"] else next(
            number for number in range(1, 13) if month_alone[f"m{number}"]
        )  # fmt: skip
        if not 1 <= month <= 12:
            return None
        if end.endswith("底"):  # "6月底": the end of June (this month's too), included
            year = today.year if month >= today.month else today.year + 1
            following = date(year + month // 12, month % 12 + 1, 1)
            return following - timedelta(days=1)
        year = today.year if month > today.month else today.year + 1
        return date(year, month, 1) - timedelta(days=1)
    try:
        tokens = tokenize(end, today)
    except AvailabilityNotUnderstood:
        return None
    if len(tokens) == 1 and isinstance(tokens[0], OnDate):
        return tokens[0].day
    return None


def _stays_between(
    weekly: tuple[WeeklyRule, ...], zone: ZoneInfo, now: datetime, first: date, last: date
) -> list[Window]:
    """The stays that start on a day from ``first`` to ``last`` and have not started, spans
    that meet at midnight joined into one."""
    spans: list[tuple[datetime, datetime]] = []
    day = first - timedelta(days=1)  # a night that starts the day before runs into ``first``
    while day <= last + timedelta(days=1):
        for rule in weekly:
            if rule.weekday == day.weekday():
                spans.append((
                    local_instant(day, rule.start_minute, zone),
                    local_instant(day, rule.end_minute, zone),
                ))  # fmt: skip
        day += timedelta(days=1)
    spans.sort()
    joined: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return [
        Window(start, end)
        for start, end in joined
        if start > now and first <= start.astimezone(zone).date() <= last
    ]
