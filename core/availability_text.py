"""Availability as owners type it, in English, Chinese and Russian.

"Mon-Fri 08:00-18:00", "weekends all day", "tomorrow 9-17", "工作日 8:00-18:00",
"пн-пт 8-18", "not available Friday". Named weekdays and day groups become weekly rules in the
spot's local time; today, tomorrow and dates become one-off windows, converted to UTC in the
spot's zone on the day itself, so daylight-saving changes fall where they belong. A word the
parser does not know makes the whole text fail: an owner is shown examples, never a guess.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.availability import MINUTES_PER_DAY, Interval, WeeklyRule, local_instant
from core.clock import ensure_utc
from core.errors import AvailabilityNotUnderstood, DomainError, InvalidWindow, WindowInPast

OVERNIGHT, SAME_DAY = "overnight", "same_day"

ALL_WEEK = frozenset(range(7))
WORKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})


@dataclass(frozen=True, slots=True)
class ParsedAvailability:
    """What one message says: weekly hours, one-off windows, and whether it blocks them."""

    weekly: tuple[WeeklyRule, ...] = ()
    windows: tuple[Interval, ...] = ()
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read an ambiguous text: the text rewritten so it says so, and its meaning."""

    kind: str  # OVERNIGHT or SAME_DAY
    text: str
    parsed: ParsedAvailability


class AmbiguousHours(AvailabilityNotUnderstood):
    """Text that reads two ways, as "18-8": overnight to 08:00, or until 20:00. Never guessed:
    it is refused like any text not understood, and carries both readings so that the bot can
    ask which one was meant."""

    def __init__(self, readings: tuple[Reading, Reading]) -> None:
        super().__init__("an end hour that reads as overnight or the same evening")
        self.readings = readings


# --- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Days:
    weekdays: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Date:
    day: date


@dataclass(frozen=True, slots=True)
class _Time:
    minute: int
    meridiem: str | None = None  # "am" / "pm" when said, None for a bare or 24-hour time
    bare: bool = True  # a bare hour ("9") may be a 12-hour clock time; "09:00" never is
    at: tuple[int, int] | None = field(default=None, compare=False)  # where the text says it


class _Word:
    """Markers that connect or qualify the tokens around them."""

    RANGE = "range"  # -, to, по, 至, 到
    FROM = "from"  # from, с, 从
    UNTIL = "until"  # until, till, до
    BEFORE = "before"  # 前, 之前 (after the time in Chinese)
    AFTER = "after"  # 后, 以后
    ALL_DAY = "all_day"
    AM = "am"
    PM = "pm"
    NOON = "noon"
    MIDNIGHT = "midnight"
    NOT = "not"
    EXCEPT = "except"  # except, кроме, 除了: days taken out of the days around them
    EVENING = "evening"  # tonight, вечером: a bare hour before noon is in the evening
    ON_DATE = "on_date"  # "в пятницу", "this Friday": one occurrence, not every week
    NEXT_WEEK = "next_week"


@dataclass(frozen=True, slots=True)
class _Marker:
    word: str


_Token = _Days | _Date | _Time | _Marker

_LATIN_END = r"(?![a-zа-яё])"

_WEEKDAY_WORDS: dict[int, str] = {
    0: r"mon(?:day)?s?|понедельник\w*|пн",
    1: r"tue(?:s(?:day)?)?s?|вторник\w*|вт",
    2: r"wed(?:nesday)?s?|сред[аеуы]|ср",
    3: r"thu(?:r(?:s(?:day)?)?)?s?|четверг\w*|чт",
    4: r"fri(?:day)?s?|пятниц\w*|пт",
    5: r"sat(?:urday)?s?|суббот\w*|сб",
    6: r"sun(?:day)?s?|воскресень\w*|вс",
}
_CHINESE_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CHINESE_NUMERALS = {
    "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9, "十": 10,
}  # fmt: skip
_MONTHS: dict[int, str] = {
    1: r"jan(?:uary)?|январ[яь]|янв",
    2: r"feb(?:ruary)?|феврал[яь]|фев",
    3: r"mar(?:ch)?|марта?|мар",
    4: r"apr(?:il)?|апрел[яь]|апр",
    5: r"may|ма[яй]",
    6: r"june?|июн[яь]|июн",
    7: r"july?|июл[яь]|июл",
    8: r"aug(?:ust)?|августа?|авг",
    9: r"sep(?:t(?:ember)?)?|сентябр[яь]|сен",
    10: r"oct(?:ober)?|октябр[яь]|окт",
    11: r"nov(?:ember)?|ноябр[яь]|ноя",
    12: r"dec(?:ember)?|декабр[яь]|дек",
}
_MONTH_NAME = "|".join(f"(?P<m{number}>{words})" for number, words in _MONTHS.items())
_WEEKDAY_NAME = "|".join(f"(?P<d{number}>{words})" for number, words in _WEEKDAY_WORDS.items())

# Words that carry no meaning of their own here ("free on", "свободно по", "也可以").
_FILLER = (
    r"(?:available|free|open|also|only|on|at|the|is|are|it|spot|parking|and|every|each|hours?"
    r"|свободн\w*|доступн\w*|открыт\w*|тоже|также|только|на|и|есть|место|парковка|кажд\w*"
    r"|час(?:а|ов)?|в|во)" + _LATIN_END
)
_CHINESE_FILLER = (
    r"外|可用|可以停|可停|可以|开放|空闲|有空|也|只|都|在|的|和|及|每周|每个|每|全周的?"
)

_NOT = (
    r"(?:not(?:\s+(?:available|free|open))?|unavailable|block(?:ed)?|busy|closed|booked|taken"
    r"|не\s+(?:доступн\w*|свободн\w*|сда\w*|работа\w*)|недоступн\w*|несвободн\w*|занят\w*"
    r"|не\s+мо(?:гу|жем|жет)|не\s+получ\w*|закрыт\w*|нет|не)" + _LATIN_END
)
_CHINESE_NOT = (
    r"不可用|不可以|不能用|不能停|不开放|不出租|不租|不空|没空|没有空|不行|不能|没法|关闭|占用|不"
)
_EXCEPT = r"(?:except(?:\s+for)?|but\s+not|apart\s+from|кроме|за\s+исключением)" + _LATIN_END

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], date], list[_Token]]]


def _group_number(match: re.Match[str], prefix: str) -> int:
    return next(int(name[1:]) for name, value in match.groupdict().items() if value and
                name.startswith(prefix) and name[1:].isdigit())  # fmt: skip


def _weekday(match: re.Match[str]) -> int:
    return _group_number(match, "d")


def _month(match: re.Match[str]) -> int:
    return _group_number(match, "m")


def _calendar_date(today: date, month: int, day: int, year: int | None = None) -> _Date:
    """A date without a year is the next one to come."""
    try:
        if year is not None:
            return _Date(date(year if year > 99 else 2000 + year, month, day))
        candidate = date(today.year, month, day)
        if candidate < today:
            candidate = date(today.year + 1, month, day)
        return _Date(candidate)
    except ValueError as error:
        raise AvailabilityNotUnderstood(f"no such date {day}.{month}") from error


def _chinese_hour(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_CHINESE_NUMERALS[text[1]] if len(text) > 1 else 0)
    if len(text) >= 2 and text[1] == "十":
        return _CHINESE_NUMERALS[text[0]] * 10 + (
            _CHINESE_NUMERALS[text[2]] if len(text) > 2 else 0
        )
    return _CHINESE_NUMERALS[text]


def _marker(word: str) -> Callable[[re.Match[str], date], list[_Token]]:
    return lambda _match, _today: [_Marker(word)]


def _days(weekdays: frozenset[int]) -> Callable[[re.Match[str], date], list[_Token]]:
    return lambda _match, _today: [_Days(weekdays)]


def _relative(days: int) -> Callable[[re.Match[str], date], list[_Token]]:
    return lambda _match, today: [_Date(today + timedelta(days=days))]


def _clock_time(match: re.Match[str], _today: date) -> list[_Token]:
    hour, minute = int(match["h"]), int(match["min"] or 0)
    meridiem = match["ampm"] and ("am" if match["ampm"].startswith("a") else "pm")
    return [_Time(_minutes(hour, minute), meridiem, bare=False)]


def _bare_hour(match: re.Match[str], _today: date) -> list[_Token]:
    meridiem = match["ampm"] and ("am" if match["ampm"].startswith("a") else "pm")
    return [_Time(_minutes(int(match["h"]), 0), meridiem, bare=meridiem is None)]


def _russian_hour(match: re.Match[str], _today: date) -> list[_Token]:
    part = match["part"]
    meridiem = "am" if part in ("утра", "ночи") else "pm"
    hour = int(match["h"])
    if part == "ночи" and hour == 12:
        return [_Time(0, None, bare=False)]
    return [_Time(_minutes(hour, int(match["min"] or 0)), meridiem, bare=False)]


def _chinese_time(match: re.Match[str], _today: date) -> list[_Token]:
    hour = _chinese_hour(match["h"])
    minute = 30 if match["half"] else int(match["min"] or 0)
    return [_Time(_minutes(hour, minute), None, bare=False)]


def _dotted(match: re.Match[str], today: date) -> list[_Token]:
    """ "24.12" is a date; "8.00" and "18.30" are times, as Russian writing often has them."""
    first, second = int(match["d"]), match["mo"]
    if match["y"] is None and len(second) == 2 and (second == "00" or int(second) > 12):
        return [_Time(_minutes(first, int(second)), None, bare=False)]
    return [_calendar_date(today, int(second), first, int(match["y"]) if match["y"] else None)]


def _minutes(hour: int, minute: int) -> int:
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise AvailabilityNotUnderstood(f"no such time {hour}:{minute:02d}")
    return hour * 60 + minute


def _this_weekday(match: re.Match[str], today: date) -> list[_Token]:
    ahead = (_weekday(match) - today.weekday()) % 7
    return [_Date(today + timedelta(days=ahead))]


def _next_weekday(match: re.Match[str], today: date) -> list[_Token]:
    ahead = (_weekday(match) - today.weekday()) % 7 or 7
    return [_Date(today + timedelta(days=ahead))]


def _chinese_weekday(match: re.Match[str], today: date) -> list[_Token]:
    weekday = _CHINESE_WEEKDAYS.get(match["wd"]) if not match["wd"].isdigit() else (
        int(match["wd"]) - 1)  # fmt: skip
    if weekday is None or not 0 <= weekday <= 6:
        raise AvailabilityNotUnderstood(match[0])
    prefix = match["which"]
    if prefix is None:
        return [_Days(frozenset({weekday}))]
    monday = today - timedelta(days=today.weekday())
    if prefix == "下":
        monday += timedelta(days=7)
    return [_Date(monday + timedelta(days=weekday))]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_RULES: list[_Rule] = [
    # Whole phrases first, so that their words are not read one by one.
    (
        _compile(r"24\s*/\s*7|круглосуточно|around the clock"),
        lambda _m, _t: [_Days(ALL_WEEK), _Marker(_Word.ALL_DAY)],
    ),
    (
        _compile(
            r"(?:all|whole|full|entire)\s+day(?:\s+long)?|24\s*h(?:ours)?"
            + _LATIN_END
            + r"|(?:весь|целый)\s+день|кругл\w*\s+сутки|сутки|24\s+часа|全天|整天|一整天|24小时"
        ),
        _marker(_Word.ALL_DAY),
    ),
    (
        _compile(
            r"(?:every\s*day|daily|all\s+week|7\s+days(?:\s+a\s+week)?|каждый\s+день"
            r"|ежедневно|все\s+дни|всю\s+неделю)" + _LATIN_END + r"|每天|天天|每日|全周"
        ),
        _days(ALL_WEEK),
    ),
    (
        _compile(
            r"(?:week\s*days|work\s*days|working\s+days|business\s+days|mon(?:day)?\s+to\s+"
            r"fri(?:day)?|(?:по\s+)?будн\w*|рабоч\w*\s+дн\w*)" + _LATIN_END + r"|工作日|平日"
        ),
        _days(WORKDAYS),
    ),
    (
        _compile(
            r"(?:this\s+week\s*end|(?:в\s+)?эти\s+выходные)" + _LATIN_END + r"|这个?周末|本周末"
        ),
        lambda _m, today: [
            _Date(today + timedelta(days=(day - today.weekday()) % 7)) for day in (5, 6)
        ],
    ),
    (
        _compile(r"(?:week\s*ends?|(?:по\s+)?выходн\w*)" + _LATIN_END + r"|周末|双休日"),
        _days(WEEKEND),
    ),
    (_compile(r"(?:day\s+after\s+tomorrow|послезавтра)" + _LATIN_END + r"|后天"), _relative(2)),
    (
        _compile(r"(?:tonight|this\s+evening|сегодня\s+вечером)" + _LATIN_END + r"|今晚"),
        lambda _m, today: [_Date(today), _Marker(_Word.EVENING)],
    ),
    (_compile(r"(?:today|сегодня)" + _LATIN_END + r"|今天|今日"), _relative(0)),
    (_compile(r"(?:tomorrow|завтра)" + _LATIN_END + r"|明天|明日"), _relative(1)),
    (
        _compile(r"(?:this\s+|(?:в|во)\s+(?:эт\w+\s+)?)(?:" + _WEEKDAY_NAME + ")" + _LATIN_END),
        _this_weekday,
    ),
    (
        _compile(r"(?:next\s+|(?:в|во)\s+следующ\w+\s+)(?:" + _WEEKDAY_NAME + ")" + _LATIN_END),
        _next_weekday,
    ),
    (
        _compile(r"(?P<which>[这本下])?(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"),
        _chinese_weekday,
    ),
    (
        _compile(r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"),
        lambda m, t: [_calendar_date(t, int(m["mo"]), int(m["d"]), int(m["y"]))],
    ),
    (_compile(r"(?P<d>\d{1,2})\.(?P<mo>\d{1,2})(?:\.(?P<y>\d{2,4}))?(?![\d:])"), _dotted),
    (
        _compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
        lambda m, t: [
            _calendar_date(t, int(m["mo"]), int(m["d"]), int(m["y"]) if m["y"] else None)
        ],
    ),
    (
        _compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:" + _MONTH_NAME + r")\.?" + _LATIN_END),
        lambda m, t: [_calendar_date(t, _month(m), int(m["d"]))],
    ),
    (
        _compile(r"(?:" + _MONTH_NAME + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])"),
        lambda m, t: [_calendar_date(t, _month(m), int(m["d"]))],
    ),
    (
        _compile(r"(?:" + _WEEKDAY_NAME + ")" + _LATIN_END),
        lambda m, _t: [_Days(frozenset({_weekday(m)}))],
    ),
    # Times.
    (
        _compile(r"(?P<h>\d{1,2})\s*(?::|h)\s*(?P<min>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?(?![\d])"),
        _clock_time,
    ),
    (
        _compile(r"(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s*(?P<part>утра|вечера|дня|ночи)"),
        _russian_hour,
    ),
    (
        _compile(
            r"(?P<h>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*[点點时]"
            r"\s*(?:(?P<half>半)|(?P<min>\d{1,2})\s*分?)?"
        ),
        _chinese_time,
    ),
    (
        _compile(
            r"(?P<h>\d{1,2})\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*(?:h|ч)" + _LATIN_END + ")?"
            r"(?![\d.])"
        ),
        _bare_hour,
    ),
    (_compile(r"(?:noon|midday|полдень)" + _LATIN_END + r"|中午"), _marker(_Word.NOON)),
    (
        _compile(r"(?:midnight|полночь|полуночи)" + _LATIN_END + r"|午夜|半夜"),
        _marker(_Word.MIDNIGHT),
    ),
    (_compile(r"(?:in\s+the\s+evening|вечером)" + _LATIN_END), _marker(_Word.EVENING)),
    (_compile(r"上午|早上|早晨|凌晨"), _marker(_Word.AM)),
    (_compile(r"下午|晚上|傍晚"), _marker(_Word.PM)),
    # Connectors.
    (
        _compile(
            r"(?:not\s+)?(?:until|till|til|before|up\s+to)" + _LATIN_END + r"|до" + _LATIN_END
        ),
        _marker(_Word.UNTIL),
    ),
    (
        _compile(
            r"(?:from|after|since)" + _LATIN_END + r"|(?:с|со|после)" + _LATIN_END + r"|从|自"
        ),
        _marker(_Word.FROM),
    ),
    (_compile(r"之前|以前|前"), _marker(_Word.BEFORE)),
    (_compile(r"之后|以后|后"), _marker(_Word.AFTER)),
    (_compile(r"[-–—~～]|to" + _LATIN_END + r"|по" + _LATIN_END + r"|至|到"), _marker(_Word.RANGE)),
    (_compile(_EXCEPT + r"|除了|除"), _marker(_Word.EXCEPT)),
    (_compile(_NOT + "|" + _CHINESE_NOT), _marker(_Word.NOT)),
    (_compile(_FILLER + "|" + _CHINESE_FILLER), lambda _m, _t: []),
]

_SKIPPED = re.compile(r"[\s,;.!:、，；。！：()（）&+]+")


def _tokenize(text: str, today: date) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = text.lower().replace("ё", "е")
    while position < len(text):
        skipped = _SKIPPED.match(text, position)
        if skipped:
            position = skipped.end()
            continue
        for pattern, make in _RULES:
            match = pattern.match(text, position)
            if match and match.end() > position:
                made = make(match, today)
                if make is _bare_hour:  # the one token that may be ambiguous: keep its place
                    made = [
                        dataclasses.replace(
                            made[0], at=(position, position + len(match[0].rstrip()))
                        )
                    ]
                tokens.extend(made)
                position = match.end()
                break
        else:
            raise AvailabilityNotUnderstood(f"unknown words at {text[position : position + 20]!r}")
    return tokens


# --- grammar -----------------------------------------------------------------------------------


@dataclass
class _Span:
    """A stretch of the day; None start means "from now (or midnight)", None end "until 24:00"."""

    start: int | None
    end: int | None


@dataclass
class _Clause:
    weekdays: set[int] = field(default_factory=set)
    dates: list[date] = field(default_factory=list)
    spans: list[_Span] = field(default_factory=list)
    days_first: bool = False
    excepted: set[int] = field(default_factory=set)

    @property
    def has_days(self) -> bool:
        return bool(self.weekdays or self.dates)


class _Reader:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.at = tokens, 0
        self.ambiguous: list[_Time] = []  # end hours that read as overnight or the same evening

    def peek(self, ahead: int = 0) -> _Token | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def is_word(self, *words: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return isinstance(token, _Marker) and token.word in words


def _weekday_run(first: int, last: int) -> set[int]:
    """Mon-Fri, or across the week's end: Fri-Mon."""
    return {(first + offset) % 7 for offset in range((last - first) % 7 + 1)}


def _read_days(reader: _Reader, clause: _Clause) -> None:
    token = reader.take()
    if isinstance(token, _Date):
        clause.dates.append(token.day)
        return
    assert isinstance(token, _Days)
    joins_next = reader.is_word(_Word.RANGE, _Word.UNTIL) and isinstance(reader.peek(1), _Days)
    if len(token.weekdays) == 1 and joins_next:
        reader.take()
        last = reader.take()
        assert isinstance(last, _Days)
        if len(last.weekdays) != 1:
            raise AvailabilityNotUnderstood("a range of days runs between two named days")
        clause.weekdays |= _weekday_run(next(iter(token.weekdays)), next(iter(last.weekdays)))
        return
    clause.weekdays |= token.weekdays


def _read_time(reader: _Reader, *, evening: bool = False) -> int | _Time:
    """One time of day; noon and midnight are resolved here, clock times in _span."""
    meridiem = None
    if evening and isinstance(reader.peek(), _Time):
        time = reader.take()
        assert isinstance(time, _Time)
        if time.meridiem is None and 60 <= time.minute < 12 * 60:  # "tonight 8-11"
            return _Time(time.minute, "pm", bare=False)
        return time
    if reader.is_word(_Word.AM, _Word.PM):
        meridiem = "am" if reader.take().word == _Word.AM else "pm"  # type: ignore[union-attr]
        if reader.is_word(_Word.NOON):
            reader.take()
            if isinstance(reader.peek(), _Time):
                return reader.take()  # 中午12点
            return 12 * 60
    token = reader.peek()
    if isinstance(token, _Marker) and token.word == _Word.NOON:
        reader.take()
        if isinstance(reader.peek(), _Time):
            return reader.take()
        return 12 * 60
    if isinstance(token, _Marker) and token.word == _Word.MIDNIGHT:
        reader.take()
        return -1  # resolved by its place: 0 as a start, 24:00 as an end
    if not isinstance(token, _Time):
        raise AvailabilityNotUnderstood("a time was expected")
    reader.take()
    if meridiem is not None:
        return _Time(token.minute, meridiem, bare=False)
    return token


def _twelve_hour(time: _Time) -> int:
    if time.meridiem is None:
        return time.minute
    hour, minute = divmod(time.minute, 60)
    if hour > 12 or (hour == 0 and time.meridiem == "pm"):
        raise AvailabilityNotUnderstood("a 12-hour time runs from 1 to 12")
    hour %= 12
    return (hour + (12 if time.meridiem == "pm" else 0)) * 60 + minute


def _resolve(time: int | _Time, *, as_end: bool) -> int:
    if isinstance(time, int):
        return (MINUTES_PER_DAY if as_end else 0) if time == -1 else time
    minute = _twelve_hour(time)
    return MINUTES_PER_DAY if as_end and minute == 0 and time.meridiem is None else minute


def _pair(start: int | _Time, end: int | _Time, reader: _Reader) -> _Span:
    first, last = _resolve(start, as_end=False), _resolve(end, as_end=True)
    is_bare_end = isinstance(end, _Time) and end.bare
    could_be_evening = last <= first and last <= 12 * 60 and last + 12 * 60 > first
    is_24_hour_start = isinstance(start, _Time) and start.meridiem is None and first >= 13 * 60
    if is_bare_end and could_be_evening and is_24_hour_start:
        # "18-8": a 24-hour start, so 08:00 overnight; or 20:00 the same evening. Ask.
        assert isinstance(end, _Time)
        reader.ambiguous.append(end)
    elif is_bare_end and could_be_evening:
        last += 12 * 60  # "9-5": an afternoon end said as on a 12-hour clock
    # "8pm-11": the end keeps the start's half of the day.
    if (isinstance(start, _Time) and start.meridiem == "pm" and isinstance(end, _Time)
            and end.meridiem is None and last < first and last + 12 * 60 > first):  # fmt: skip
        last += 12 * 60
    if last == first:
        raise InvalidWindow("a stretch of time needs a length")
    if last < first:
        last += MINUTES_PER_DAY  # overnight
    return _Span(first, last)


def _read_span(reader: _Reader) -> _Span:
    evening = reader.is_word(_Word.EVENING)
    if evening:
        reader.take()
    elif reader.is_word(_Word.ALL_DAY):
        reader.take()
        return _Span(0, MINUTES_PER_DAY)
    if reader.is_word(_Word.UNTIL):
        reader.take()
        return _Span(None, _resolve(_read_time(reader, evening=evening), as_end=True))
    if reader.is_word(_Word.RANGE):  # "到20点" with nothing before it
        reader.take()
        return _Span(None, _resolve(_read_time(reader, evening=evening), as_end=True))
    if reader.is_word(_Word.FROM):
        reader.take()
    start = _read_time(reader, evening=evening)
    if reader.is_word(_Word.RANGE, _Word.UNTIL):
        reader.take()
        return _pair(start, _read_time(reader), reader)
    if reader.is_word(_Word.BEFORE):
        reader.take()
        return _Span(None, _resolve(start, as_end=True))
    if reader.is_word(_Word.AFTER):
        reader.take()
    return _Span(_resolve(start, as_end=False), None)


def _is_day(token: _Token | None) -> bool:
    return isinstance(token, _Days | _Date)


def _is_time_start(reader: _Reader) -> bool:
    token = reader.peek()
    if isinstance(token, _Time):
        return True
    if isinstance(token, _Marker):
        if token.word in (
            _Word.ALL_DAY,
            _Word.NOON,
            _Word.MIDNIGHT,
            _Word.AM,
            _Word.PM,
            _Word.EVENING,
        ):
            return True
        if token.word in (_Word.UNTIL, _Word.FROM, _Word.RANGE):
            return not _is_day(reader.peek(1))
    return False


def _is_word(token: _Token | None, word: str) -> bool:
    return isinstance(token, _Marker) and token.word == word


def _exceptions(tokens: list[_Token]) -> list[_Token]:
    """ "Mon-Fri 9-17, not Wed": a "not" between days takes a day out, as "except" does.
    "except Sat" with no other days is a block, as "not Sat" is."""
    tokens = list(tokens)
    for index, token in enumerate(tokens):
        if (_is_word(token, _Word.NOT) and any(_is_day(t) for t in tokens[:index])
                and _is_day(tokens[index + 1] if index + 1 < len(tokens) else None)):  # fmt: skip
            tokens[index] = _Marker(_Word.EXCEPT)
    excepted: set[int] = set()
    for index, token in enumerate(tokens):
        if _is_word(token, _Word.EXCEPT):
            excepted.update(range(index + 1, _exception_end(tokens, index + 1)))
    if not any(_is_day(t) for i, t in enumerate(tokens) if i not in excepted):
        tokens = [_Marker(_Word.NOT) if _is_word(t, _Word.EXCEPT) else t for t in tokens]
    return tokens


def _exception_end(tokens: list[_Token], start: int) -> int:
    """Where the days after "except" end: named days and runs of them ("except Sat, Sun",
    "except Sat-Sun"); a group of days after them is what they are taken out of ("除了周六每天")."""
    end = start
    while end < len(tokens):
        token = tokens[end]
        single = isinstance(token, _Days) and len(token.weekdays) == 1
        if not ((_is_day(token) and (single or end == start)) or _is_word(token, _Word.RANGE)):
            break
        end += 1
    return end


def _read_exception(reader: _Reader, clause: _Clause) -> None:
    reader.take()
    end = reader.at + _exception_end(reader.tokens[reader.at :], 0)
    taken_out = _Clause()
    while reader.at < end and _is_day(reader.peek()):
        _read_days(reader, taken_out)
    if taken_out.dates or not taken_out.weekdays:
        raise AvailabilityNotUnderstood("only days of the week can be taken out")
    clause.excepted |= taken_out.weekdays


def _clauses(tokens: list[_Token]) -> tuple[list[_Clause], bool, list[_Time]]:
    """Group tokens into clauses of days and times; a day after a finished clause starts the
    next one, so "Mon-Fri 8-18, Sat 10-14" and "8-18 Mon-Fri" read alike."""
    tokens = _exceptions(tokens)
    blocked = any(_is_word(t, _Word.NOT) for t in tokens)
    reader = _Reader([t for t in tokens if not _is_word(t, _Word.NOT)])
    clauses: list[_Clause] = [_Clause()]
    while reader.peek() is not None:
        clause = clauses[-1]
        if reader.is_word(_Word.EXCEPT):
            _read_exception(reader, clause)
            continue
        if reader.is_word(_Word.FROM, _Word.RANGE) and _is_day(reader.peek(1)):
            reader.take()  # "с понедельника по пятницу", "по пятницам"
            continue
        if _is_day(reader.peek()):
            if clause.spans and clause.has_days:
                clause = _Clause()
                clauses.append(clause)
            if not clause.spans:
                clause.days_first = True
            _read_days(reader, clause)
        elif _is_time_start(reader):
            if clause.spans and clause.has_days and not clause.days_first:
                clause = _Clause()
                clauses.append(clause)
            clause.spans.append(_read_span(reader))
        else:
            raise AvailabilityNotUnderstood("words out of place")
    for clause in clauses:
        if clause.excepted:
            if clause.dates or not clause.weekdays - clause.excepted:
                raise AvailabilityNotUnderstood("days taken out of days not named")
            clause.weekdays -= clause.excepted
    # "Mon-Fri 8-12, 14-18": a clause of times alone belongs to the days before it.
    for previous, clause in itertools.pairwise(clauses):
        if not clause.has_days and previous.has_days:
            clause.weekdays, clause.dates = set(previous.weekdays), list(previous.dates)
    if not all(clause.has_days for clause in clauses):
        raise AvailabilityNotUnderstood("which days is not said")
    return clauses, blocked, reader.ambiguous


# --- meaning -----------------------------------------------------------------------------------


def _weekly(weekdays: Iterable[int], span: _Span) -> list[WeeklyRule]:
    start = 0 if span.start is None else span.start
    end = MINUTES_PER_DAY if span.end is None else span.end
    rules = []
    for weekday in sorted(weekdays):
        rules.append(WeeklyRule(weekday, start, min(end, MINUTES_PER_DAY)))
        if end > MINUTES_PER_DAY:
            rules.append(WeeklyRule((weekday + 1) % 7, 0, end - MINUTES_PER_DAY))
    return rules


def _window(day: date, span: _Span, zone: ZoneInfo, now: datetime) -> Interval | None:
    start = now if span.start is None else local_instant(day, span.start, zone)
    if span.start is None and day != now.astimezone(zone).date():
        start = local_instant(day, 0, zone)
    end = local_instant(day, MINUTES_PER_DAY if span.end is None else span.end, zone)
    if end <= now:
        return None
    return Interval(max(start, _next_minute(now)), end)


def _next_minute(now: datetime) -> datetime:
    whole = now.replace(second=0, microsecond=0)
    return whole if whole == now else whole + timedelta(minutes=1)


def _next_occurrences(weekdays: Iterable[int], today: date) -> list[date]:
    return sorted(today + timedelta(days=(weekday - today.weekday()) % 7) for weekday in weekdays)


def parse_availability(text: str, *, zone: ZoneInfo, now: datetime) -> ParsedAvailability:
    """Read an owner's message about when a spot is free, or blocked, in the spot's zone.

    Raises AvailabilityNotUnderstood for anything it cannot read with certainty (AmbiguousHours,
    with both readings, for an end hour that reads two ways), InvalidWindow for a stretch
    without length, and WindowInPast when every time named is already over.
    """
    text = text.strip()
    parsed, ambiguous = _parse(text, zone, now)
    if not ambiguous:
        return parsed
    readings: list[Reading] = []
    error: DomainError | None = None
    for kind in (OVERNIGHT, SAME_DAY):
        said = _rewritten(text, ambiguous, kind)
        try:
            readings.append(Reading(kind, said, _parse(said, zone, now)[0]))
        except DomainError as refused:  # "today 18-8" at 21:00 can only be overnight
            error = error or refused
    if len(readings) == 2:
        raise AmbiguousHours((readings[0], readings[1]))
    if readings:
        return readings[0].parsed
    assert error is not None
    raise error


def _rewritten(text: str, ambiguous: list[_Time], kind: str) -> str:
    """The text with each two-way end hour written out: "18-8" becomes "18-08:00" overnight,
    "18-20:00" the same evening; either reads one way only."""
    lowered = text.lower().replace("ё", "е")
    said = text if len(lowered) == len(text) else lowered
    for time in sorted(ambiguous, key=lambda t: t.at or (0, 0), reverse=True):
        assert time.at is not None
        hour = time.minute // 60 + (12 if kind == SAME_DAY else 0)
        said = f"{said[: time.at[0]]}{hour:02d}:00{said[time.at[1] :]}"
    return said


def _parse(text: str, zone: ZoneInfo, now: datetime) -> tuple[ParsedAvailability, list[_Time]]:
    now = ensure_utc(now)
    today = now.astimezone(zone).date()
    tokens = _tokenize(text, today)
    if not tokens:
        raise AvailabilityNotUnderstood("empty")
    clauses, blocked, ambiguous = _clauses(tokens)
    weekly: list[WeeklyRule] = []
    windows: list[Interval] = []
    named_windows = 0
    for clause in clauses:
        spans = clause.spans or [_Span(0, MINUTES_PER_DAY)]
        dates = list(clause.dates)
        if blocked:
            dates += _next_occurrences(clause.weekdays, today)
        elif clause.weekdays:
            for span in spans:
                weekly.extend(_weekly(clause.weekdays, span))
        for day in dates:
            for span in spans:
                named_windows += 1
                window = _window(day, span, zone, now)
                if window is not None:
                    windows.append(window)
    if named_windows and not windows and not weekly:
        raise WindowInPast("every time named is over")
    parsed = ParsedAvailability(
        weekly=tuple(sorted(set(weekly), key=lambda r: (r.weekday, r.start_minute))),
        windows=tuple(sorted(set(windows), key=lambda w: w.start)),
        blocked=blocked,
    )
    return parsed, ambiguous
