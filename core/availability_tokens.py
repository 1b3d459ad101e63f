"""The words of owners' hours, in English, Chinese and Russian, made into tokens.

Each language's words for days, dates, times and connectors is a table of patterns; the
grammar in core.availability_text reads the tokens and never sees a word. A word no table
knows makes the whole text fail.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.errors import AvailabilityNotUnderstood

ALL_WEEK = frozenset(range(7))
WORKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})


@dataclass(frozen=True, slots=True)
class Days:
    weekdays: frozenset[int]
    # Said to be every week ("Mondays", "every Monday", "по понедельникам", "每周一"), so never
    # one occurrence; a lone "Monday" next to "tomorrow" may be.
    every_week: bool = False
    # Days implied by a word that also says the hours ("24/7", "круглосуточно"): every day
    # only when no day is named.
    implied: bool = False


@dataclass(frozen=True, slots=True)
class OnDate:
    day: date


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    minute: int
    meridiem: str | None = None  # "am" / "pm" when said, None for a bare or 24-hour time
    bare: bool = True  # a bare hour ("9") may be a 12-hour clock time; "09:00" never is
    at: tuple[int, int] | None = field(default=None, compare=False)  # where the text says it
    spoken: bool = False  # "2点": an hour said without a part of the day, on either clock


class Word:
    """Markers that connect or qualify the tokens around them."""

    RANGE = "range"  # -, to, по, 至, 到
    FROM = "from"  # from, с, 从
    AFTER_TIME = "after_time"  # after, после: as "from", and a lone bare hour is refused
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
    EVERY = "every"  # every, each, каждый: the days after it are weekly


@dataclass(frozen=True, slots=True)
class Marker:
    word: str


Token = Days | OnDate | TimeOfDay | Marker

_LATIN_END = r"(?![a-zа-яё])"

_WEEKDAY_WORDS: dict[int, str] = {
    0: r"mon(?:day)?s?|понедельник\w*|пн",
    1: r"tue(?:s(?:day)?)?s?|вторник\w*|вт",
    2: r"wed(?:nesday)?s?|сред(?:ам|[аеуы])|ср",
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
    r"(?:available|free|open|also|only|on|at|the|is|are|it|spot|parking|and|hours?"
    r"|свободн\w*|доступн\w*|открыт\w*|тоже|также|только|на|и|есть|место|парковка"
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

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], date], list[Token]]]


def _group_number(match: re.Match[str], prefix: str) -> int:
    return next(int(name[1:]) for name, value in match.groupdict().items() if value and
                name.startswith(prefix) and name[1:].isdigit())  # fmt: skip


def _weekday(match: re.Match[str]) -> int:
    return _group_number(match, "d")


def _month(match: re.Match[str]) -> int:
    return _group_number(match, "m")


def _calendar_date(today: date, month: int, day: int, year: int | None = None) -> OnDate:
    """A date without a year is the next one to come."""
    try:
        if year is not None:
            return OnDate(date(year if year > 99 else 2000 + year, month, day))
        candidate = date(today.year, month, day)
        if candidate < today:
            candidate = date(today.year + 1, month, day)
        return OnDate(candidate)
    except ValueError as error:
        raise AvailabilityNotUnderstood(f"no such date {day}.{month}") from error


_CHINESE_NUMBER = re.compile(
    r"(?:(?P<tens>[二两三四五六七八九])?(?P<ten>十))?(?P<ones>[零一二两三四五六七八九])?"
)


def _chinese_hour(text: str) -> int:
    """ "9", "九", "十", "十二", "二十三"; "五九" is no number and is refused."""
    if text.isdigit():
        return int(text)
    number = _CHINESE_NUMBER.fullmatch(text)
    if not text or number is None:
        raise AvailabilityNotUnderstood(f"no such number {text}")
    tens = (_CHINESE_NUMERALS[number["tens"]] if number["tens"] else 1) if number["ten"] else 0
    return tens * 10 + (_CHINESE_NUMERALS[number["ones"]] if number["ones"] else 0)


def _marker(word: str) -> Callable[[re.Match[str], date], list[Token]]:
    return lambda _match, _today: [Marker(word)]


def _days(weekdays: frozenset[int]) -> Callable[[re.Match[str], date], list[Token]]:
    return lambda _match, _today: [Days(weekdays)]


def _relative(days: int) -> Callable[[re.Match[str], date], list[Token]]:
    return lambda _match, today: [OnDate(today + timedelta(days=days))]


def _clock_time(match: re.Match[str], _today: date) -> list[Token]:
    hour, minute = int(match["h"]), int(match["min"] or 0)
    meridiem = match["ampm"] and ("am" if match["ampm"].startswith("a") else "pm")
    return [TimeOfDay(_minutes(hour, minute), meridiem, bare=False)]


def _bare_hour(match: re.Match[str], _today: date) -> list[Token]:
    meridiem = match["ampm"] and ("am" if match["ampm"].startswith("a") else "pm")
    return [TimeOfDay(_minutes(int(match["h"]), 0), meridiem, bare=meridiem is None)]


def _russian_hour(match: re.Match[str], _today: date) -> list[Token]:
    part = match["part"]
    meridiem = "am" if part in ("утра", "ночи") else "pm"
    hour = int(match["h"])
    if part == "ночи" and hour == 12:
        return [TimeOfDay(0, None, bare=False)]
    return [TimeOfDay(_minutes(hour, int(match["min"] or 0)), meridiem, bare=False)]


def _chinese_time(match: re.Match[str], _today: date) -> list[Token]:
    hour = _chinese_hour(match["h"])
    minute = 30 if match["half"] else int(match["min"] or 0)
    return [TimeOfDay(_minutes(hour, minute), None, bare=False, spoken=True)]


def _dotted(match: re.Match[str], today: date) -> list[Token]:
    """ "24.12" is a date; "8.00" and "18.30" are times, as Russian writing often has them."""
    first, second = int(match["d"]), match["mo"]
    if match["y"] is None and len(second) == 2 and (second == "00" or int(second) > 12):
        return [TimeOfDay(_minutes(first, int(second)), None, bare=False)]
    return [_calendar_date(today, int(second), first, int(match["y"]) if match["y"] else None)]


def _minutes(hour: int, minute: int) -> int:
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise AvailabilityNotUnderstood(f"no such time {hour}:{minute:02d}")
    return hour * 60 + minute


def _is_plural(weekday: str) -> bool:
    """ "Fridays", "по пятницам": every week, not one day."""
    return weekday.endswith(("days", "ам", "ям"))


def _this_weekday(match: re.Match[str], today: date) -> list[Token]:
    ahead = (_weekday(match) - today.weekday()) % 7
    return [OnDate(today + timedelta(days=ahead))]


def _next_weekday(match: re.Match[str], today: date) -> list[Token]:
    ahead = (_weekday(match) - today.weekday()) % 7 or 7
    return [OnDate(today + timedelta(days=ahead))]


# "周一三五", "周六日", "周一至五": one 周 for several days; never "周二三点" (Tuesday, 3:00).
_CHINESE_HOUR = r"\d{1,2}|[零一二两三四五六七八九十]{1,3}"
_CHINESE_WEEK = r"(?P<every>每)?(?:个)?(?:周|星期|礼拜)"
_NOT_AN_HOUR = r"(?![点點时半:])"


def _chinese_weekday_run(match: re.Match[str], _today: date) -> list[Token]:
    every = match["every"] is not None
    first, last = (_CHINESE_WEEKDAYS[match[name]] for name in ("first", "last"))
    return [Days(frozenset({first}), every), Marker(Word.RANGE), Days(frozenset({last}), every)]


def _chinese_weekday_list(match: re.Match[str], _today: date) -> list[Token]:
    weekdays = [_CHINESE_WEEKDAYS[day] for day in match["days"]]
    if len(set(weekdays)) != len(weekdays):
        raise AvailabilityNotUnderstood("a day named twice")
    return [Days(frozenset(weekdays), every_week=True)]


def _chinese_day_and_evening(match: re.Match[str], _today: date) -> list[Token]:
    """ "早9晚6": from 9 in the morning to 6 in the evening."""
    morning, evening = _chinese_hour(match["a"]), _chinese_hour(match["b"])
    return [
        TimeOfDay(_minutes(morning, 0), "am", bare=False),
        Marker(Word.RANGE),
        TimeOfDay(_minutes(evening, 0), "pm", bare=False),
    ]


def _chinese_weekday(match: re.Match[str], today: date) -> list[Token]:
    weekday = _CHINESE_WEEKDAYS.get(match["wd"]) if not match["wd"].isdigit() else (
        int(match["wd"]) - 1)  # fmt: skip
    if weekday is None or not 0 <= weekday <= 6:
        raise AvailabilityNotUnderstood(match[0])
    prefix = match["which"]
    if prefix is None or prefix == "每":
        return [Days(frozenset({weekday}), every_week=prefix == "每")]
    monday = today - timedelta(days=today.weekday())
    if prefix == "下":
        monday += timedelta(days=7)
    return [OnDate(monday + timedelta(days=weekday))]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_RULES: list[_Rule] = [
    # Whole phrases first, so that their words are not read one by one.
    (
        _compile(r"24\s*/\s*7|круглосуточно|around the clock|全天候"),
        lambda _m, _t: [Days(ALL_WEEK, implied=True), Marker(Word.ALL_DAY)],
    ),
    (
        _compile(
            r"(?:all|whole|full|entire)\s+day(?:\s+long)?|24\s*h(?:ours)?"
            + _LATIN_END
            + r"|(?:весь|целый)\s+день|кругл\w*\s+сутки|сутки|24\s+часа|全天|整天|一整天|24小时"
        ),
        _marker(Word.ALL_DAY),
    ),
    (
        _compile(
            r"(?:(?:every|each)\s*day|daily|all\s+week|7\s+days(?:\s+a\s+week)?|каждый\s+день"
            r"|ежедн\w*|все\s+дни|всю\s+неделю)" + _LATIN_END + r"|每天|天天|每日|全周"
        ),
        _days(ALL_WEEK),
    ),
    (
        _compile(
            r"(?:week\s*days|wk\s*days|m\s*-\s*f|work\s*days|working\s+days|business\s+days"
            r"|mon(?:day)?\s+to\s+fri(?:day)?|(?:по\s+)?будн\w*(?:\s+дн\w*)?|рабоч\w*\s+дн\w*)"
            + _LATIN_END
            + r"|工作日|平日"
        ),
        _days(WORKDAYS),
    ),
    (
        _compile(
            r"(?:this\s+week\s*end|(?:в\s+)?эти\s+выходные)" + _LATIN_END + r"|这个?周末|本周末"
        ),
        lambda _m, today: [
            OnDate(today + timedelta(days=(day - today.weekday()) % 7)) for day in (5, 6)
        ],
    ),
    (
        _compile(
            r"(?:week\s*ends?|wk\s*ends?|(?:по\s+)?выходн\w*(?:\s+дн\w*)?)"
            + _LATIN_END
            + r"|每?个?周末|双休日"
        ),
        _days(WEEKEND),
    ),
    (_compile(r"(?:day\s+after\s+tomorrow|послезавтра)" + _LATIN_END + r"|后天"), _relative(2)),
    (
        _compile(r"(?:tonight|this\s+evening|сегодня\s+вечером)" + _LATIN_END + r"|今晚"),
        lambda _m, today: [OnDate(today), Marker(Word.EVENING)],
    ),
    (_compile(r"(?:today|сегодня)" + _LATIN_END + r"|今天|今日"), _relative(0)),
    (_compile(r"(?:tomorrow|tmrw|tmr|tmw|завтра)" + _LATIN_END + r"|明天|明日"), _relative(1)),
    (
        _compile(r"(?:this\s+|(?:в|во)\s+(?:эт\w+\s+)?)(?:" + _WEEKDAY_NAME + ")" + _LATIN_END),
        _this_weekday,
    ),
    (
        _compile(r"(?:next\s+|(?:в|во)\s+следующ\w+\s+)(?:" + _WEEKDAY_NAME + ")" + _LATIN_END),
        _next_weekday,
    ),
    (
        _compile(
            _CHINESE_WEEK
            + r"(?P<first>[一二三四五六日天])\s*[至到~\-–]\s*(?P<last>[一二三四五六日天])"
            + _NOT_AN_HOUR
        ),
        _chinese_weekday_run,
    ),
    (
        _compile(_CHINESE_WEEK + r"(?P<days>[一二三四五六日天]{2,7})" + _NOT_AN_HOUR),
        _chinese_weekday_list,
    ),
    (
        _compile(r"(?P<which>[这本下每])?(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"),
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
        lambda m, _t: [Days(frozenset({_weekday(m)}), every_week=_is_plural(m[0]))],
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
            rf"早\s*(?P<a>{_CHINESE_HOUR})\s*[点點]?\s*(?:[-~到至]\s*)?晚\s*(?P<b>{_CHINESE_HOUR})"
            r"\s*[点點]?(?![\d:])"
        ),
        _chinese_day_and_evening,
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
    (_compile(r"(?:noon|midday|полдень)" + _LATIN_END + r"|中午"), _marker(Word.NOON)),
    (
        _compile(r"(?:midnight|полночь|полуночи)" + _LATIN_END + r"|午夜|半夜"),
        _marker(Word.MIDNIGHT),
    ),
    (_compile(r"(?:in\s+the\s+evening|вечером)" + _LATIN_END), _marker(Word.EVENING)),
    (_compile(r"上午|早上|早晨|凌晨"), _marker(Word.AM)),
    (_compile(r"下午|晚上|傍晚"), _marker(Word.PM)),
    # Connectors. "Not before 9" is from 9, and "not after 18" until 18.
    (
        _compile(r"(?:not\s+(?:before|until|till|earlier\s+than)|не\s+раньше)" + _LATIN_END),
        _marker(Word.FROM),
    ),
    (
        _compile(r"(?:not\s+(?:after|later\s+than)|не\s+поз(?:же|днее))" + _LATIN_END),
        _marker(Word.UNTIL),
    ),
    (
        _compile(r"(?:until|till|til|before|up\s+to)" + _LATIN_END + r"|до" + _LATIN_END),
        _marker(Word.UNTIL),
    ),
    (_compile(r"(?:after|после)" + _LATIN_END), _marker(Word.AFTER_TIME)),
    (
        _compile(r"(?:from|since)" + _LATIN_END + r"|(?:с|со)" + _LATIN_END + r"|从|自"),
        _marker(Word.FROM),
    ),
    (_compile(r"(?:every|each|кажд\w*)" + _LATIN_END), _marker(Word.EVERY)),
    (_compile(r"之前|以前|前"), _marker(Word.BEFORE)),
    (_compile(r"之后|以后|后"), _marker(Word.AFTER)),
    (
        _compile(r"[-–—~～〜−]|to" + _LATIN_END + r"|по" + _LATIN_END + r"|至|到"),
        _marker(Word.RANGE),
    ),
    (_compile(_EXCEPT + r"|除了|除"), _marker(Word.EXCEPT)),
    (_compile(_NOT + "|" + _CHINESE_NOT), _marker(Word.NOT)),
    (_compile(_FILLER + "|" + _CHINESE_FILLER), lambda _m, _t: []),
]

_SKIPPED = re.compile(r"[\s,;.!:、，；。！：()（）&+]+")


def tokenize(text: str, today: date) -> list[Token]:
    tokens: list[Token] = []
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
                # The one token that may be ambiguous: keep its place.
                if make is _bare_hour and isinstance(hour := made[0], TimeOfDay):
                    made = [
                        dataclasses.replace(hour, at=(position, position + len(match[0].rstrip())))
                    ]
                tokens.extend(made)
                position = match.end()
                break
        else:
            raise AvailabilityNotUnderstood(f"unknown words at {text[position : position + 20]!r}")
    return _every_week(tokens)


def _every_week(tokens: list[Token]) -> list[Token]:
    """ "every Monday": the word marks the days after it as weekly and is then dropped."""
    marked: list[Token] = []
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if isinstance(token, Marker) and token.word == Word.EVERY:
            continue
        if isinstance(previous, Marker) and previous.word == Word.EVERY:
            if not isinstance(token, Days):
                raise AvailabilityNotUnderstood("“every” names no days")
            token = dataclasses.replace(token, every_week=True)
        marked.append(token)
    return marked
