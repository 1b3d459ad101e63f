"""Availability as owners type it, in English, Chinese and Russian.

"Mon-Fri 08:00-18:00", "weekends all day", "tomorrow 9-17", "工作日 8:00-18:00",
"пн-пт 8-18", "not available Friday". Named weekdays and day groups become weekly rules in the
spot's local time; today, tomorrow and dates become one-off windows, converted to UTC in the
spot's zone on the day itself, so daylight-saving changes fall where they belong. A word the
parser does not know makes the whole text fail: an owner is shown examples, never a guess.

Decisions a reader of owners' texts needs to know:
- "after X" ("после X", "X点以后") is from X to the end of that day; "before X" ("до X",
  "X点之前") from the start of that day to X (on today, from now). "Not before X" is from X.
  A bare hour from 1 to 11 after "after" ("after 6", "после 6", "6点以后") is refused: it is
  as often evening as morning, and the wrong one would offer hours never offered.
- Days in one list read alike: "today and Friday" and "в пятницу и субботу" are one-off
  (the Friday after the date before it); "tomorrow and Saturdays" mixes a date with days said
  to be weekly and is refused.
- "24/7", "круглосуточно", "全天候" mean every day only when no day is named: "Mon, Wed 24/7"
  is Monday and Wednesday, all day. A day named twice in one list ("Mon, Wed every day") and
  days without hours after days with hours ("Mon-Fri 8-18, Sat") are refused.
- A run of dates ("20.06-25.06", "tomorrow to Saturday") is every date in it, up to a month;
  "from tomorrow" with no end is refused.
- A time alone needs a word to say it starts a stretch: "tomorrow from 9" reads, "tomorrow at
  9" and "Mon-Fri 9:00" are refused.
- Bare hours are on the 24-hour clock, except an end that can only be afternoon ("9-5",
  "9点到6点"); an end hour that reads as overnight or the same evening ("18-8") is asked
  about, while "18点到8点" is overnight.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.availability import MINUTES_PER_DAY, Interval, WeeklyRule, local_instant
from core.availability_tokens import Days, Marker, OnDate, TimeOfDay, Token, Word, tokenize
from core.clock import ensure_utc
from core.errors import AvailabilityNotUnderstood, DomainError, InvalidWindow, WindowInPast
from core.window import Window

OVERNIGHT, SAME_DAY = "overnight", "same_day"


@dataclass(frozen=True, slots=True)
class ParsedAvailability:
    """What one message says: weekly hours, one-off windows, and whether it blocks them."""

    weekly: tuple[WeeklyRule, ...] = ()
    windows: tuple[Interval, ...] = ()
    blocked: bool = False

    @property
    def is_one_window(self) -> bool:
        """One stretch of time, as a driver asks for: not weekly, not a block, not two."""
        return not (self.blocked or self.weekly or len(self.windows) != 1)


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
    # Single weekdays said plainly ("Friday"), in the order said after which date (or None):
    # next to a date in one list they are one-off too.
    loose: list[tuple[int, date | None]] = field(default_factory=list)
    every_week: bool = False  # a group, a run or "every Friday": weekly whatever surrounds it

    @property
    def has_days(self) -> bool:
        return bool(self.weekdays or self.dates)


class _Reader:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.at = tokens, 0
        self.ambiguous: list[TimeOfDay] = []  # end hours that read as overnight or the same evening

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def take_time(self) -> TimeOfDay | None:
        """The next token if it is a time of day, taken; None, and nothing taken, otherwise."""
        if isinstance(token := self.peek(), TimeOfDay):
            self.at += 1
            return token
        return None

    def is_word(self, *words: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return isinstance(token, Marker) and token.word in words


def _weekday_run(first: int, last: int) -> set[int]:
    """Mon-Fri, or across the week's end: Fri-Mon."""
    return {(first + offset) % 7 for offset in range((last - first) % 7 + 1)}


def _read_days(reader: _Reader, clause: _Clause) -> None:
    token = reader.take()
    if isinstance(token, OnDate):
        clause.dates.extend(_dates_from(token.day, reader))
        return
    assert isinstance(token, Days)
    if reader.is_word(Word.RANGE, Word.UNTIL) and isinstance(reader.peek(1), OnDate):
        raise AvailabilityNotUnderstood("a range from a weekday to a date")  # "Mon - tomorrow"
    joins_next = reader.is_word(Word.RANGE, Word.UNTIL) and isinstance(reader.peek(1), Days)
    if len(token.weekdays) == 1 and joins_next:
        reader.take()
        last = reader.take()
        assert isinstance(last, Days)
        if len(last.weekdays) != 1:
            raise AvailabilityNotUnderstood("a range of days runs between two named days")
        _add_weekdays(clause, _weekday_run(next(iter(token.weekdays)), next(iter(last.weekdays))))
        clause.every_week = True
        return
    _add_weekdays(clause, token.weekdays)
    if len(token.weekdays) == 1 and not token.every_week:
        clause.loose.append(
            (next(iter(token.weekdays)), clause.dates[-1] if clause.dates else None)
        )
    else:
        clause.every_week = True


def _dates_from(first: date, reader: _Reader) -> list[date]:
    """A date, or a run of dates from it: "20.06-25.06", "tomorrow to Saturday"."""
    if not (reader.is_word(Word.RANGE, Word.UNTIL) and _is_day(reader.peek(1))):
        return [first]
    reader.take()
    end = reader.take()
    if isinstance(end, OnDate):
        last = end.day
    elif isinstance(end, Days) and len(end.weekdays) == 1 and not end.every_week:
        last = _weekday_after(first, next(iter(end.weekdays)))
    else:
        raise AvailabilityNotUnderstood("a run of dates ends on weekly days")
    if not first < last <= first + timedelta(days=_LONGEST_RUN_OF_DATES):
        raise AvailabilityNotUnderstood("a run of dates backwards or too long")
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _add_weekdays(clause: _Clause, weekdays: Iterable[int]) -> None:
    """ "Mon, Wed every day" or "weekends, Sat" says a day twice: which days is not clear."""
    if clause.weekdays & set(weekdays):
        raise AvailabilityNotUnderstood("a day named twice in one list")
    clause.weekdays |= set(weekdays)


def _weekday_after(day: date, weekday: int) -> date:
    """The first such weekday after the day: Friday after Wednesday 3 June is 5 June."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


_LONGEST_RUN_OF_DATES = 31  # longer is no longer one-off days: weekly hours say it better


def _read_alike(clause: _Clause, today: date) -> None:
    """Days in one list are read alike. Next to a one-off date, a plain "Friday" is the next
    Friday after the date before it ("today and Friday", "в пятницу и субботу"); days said to
    be weekly next to a date are refused, as nothing says which was meant."""
    if not (clause.dates and clause.weekdays):
        return
    if clause.every_week:
        raise AvailabilityNotUnderstood("one-off and weekly days in one list")
    for weekday, after in clause.loose:
        if after is None:
            clause.dates.append(_next_occurrences([weekday], today)[0])
        else:
            clause.dates.append(_weekday_after(after, weekday))
    clause.weekdays = set()


def _read_time(reader: _Reader, *, evening: bool = False) -> int | TimeOfDay:
    """One time of day; noon and midnight are resolved here, clock times in _span."""
    meridiem = None
    if evening and (time := reader.take_time()) is not None:
        if time.meridiem is None and 60 <= time.minute < 12 * 60:  # "tonight 8-11"
            return TimeOfDay(time.minute, "pm", bare=False)
        return time
    if reader.is_word(Word.AM, Word.PM):
        meridiem = "am" if reader.is_word(Word.AM) else "pm"
        reader.take()
        if reader.is_word(Word.NOON):
            reader.take()
            if (time := reader.take_time()) is not None:
                return time  # 中午12点
            return 12 * 60
    token = reader.peek()
    if isinstance(token, Marker) and token.word == Word.NOON:
        reader.take()
        if (time := reader.take_time()) is not None:
            return time
        return 12 * 60
    if isinstance(token, Marker) and token.word == Word.MIDNIGHT:
        reader.take()
        return -1  # resolved by its place: 0 as a start, 24:00 as an end
    if not isinstance(token, TimeOfDay):
        raise AvailabilityNotUnderstood("a time was expected")
    reader.take()
    if meridiem is not None:
        return TimeOfDay(token.minute, meridiem, bare=False)
    return token


def _twelve_hour(time: TimeOfDay) -> int:
    if time.meridiem is None:
        return time.minute
    hour, minute = divmod(time.minute, 60)
    if hour > 12 or (hour == 0 and time.meridiem == "pm"):
        raise AvailabilityNotUnderstood("a 12-hour time runs from 1 to 12")
    hour %= 12
    return (hour + (12 if time.meridiem == "pm" else 0)) * 60 + minute


def _resolve(time: int | TimeOfDay, *, as_end: bool) -> int:
    if isinstance(time, int):
        return (MINUTES_PER_DAY if as_end else 0) if time == -1 else time
    minute = _twelve_hour(time)
    return MINUTES_PER_DAY if as_end and minute == 0 and time.meridiem is None else minute


def _pair(start: int | TimeOfDay, end: int | TimeOfDay, reader: _Reader) -> _Span:
    first, last = _resolve(start, as_end=False), _resolve(end, as_end=True)
    is_bare_end = isinstance(end, TimeOfDay) and end.bare
    # "9点到6点" is 18:00 as "9-5" is 17:00; "18点到8点" is overnight, 点 being a 24-hour word.
    is_spoken_end = isinstance(end, TimeOfDay) and end.spoken and end.meridiem is None
    could_be_evening = last <= first and last <= 12 * 60 and last + 12 * 60 > first
    is_24_hour_start = isinstance(start, TimeOfDay) and start.meridiem is None and first >= 13 * 60
    if is_bare_end and could_be_evening and is_24_hour_start:
        # "18-8": a 24-hour start, so 08:00 overnight; or 20:00 the same evening. Ask.
        assert isinstance(end, TimeOfDay)
        reader.ambiguous.append(end)
    elif (is_bare_end or is_spoken_end) and could_be_evening and not is_24_hour_start:
        last += 12 * 60  # "9-5": an afternoon end said as on a 12-hour clock
    # "8pm-11": the end keeps the start's half of the day.
    if (isinstance(start, TimeOfDay) and start.meridiem == "pm" and isinstance(end, TimeOfDay)
            and end.meridiem is None and last < first and last + 12 * 60 > first):  # fmt: skip
        last += 12 * 60
    if last == first:
        raise InvalidWindow("a stretch of time needs a length")
    if last < first:
        last += MINUTES_PER_DAY  # overnight
    return _Span(first, last)


def _read_span(reader: _Reader) -> _Span:
    evening = reader.is_word(Word.EVENING)
    if evening:
        reader.take()
    elif reader.is_word(Word.ALL_DAY):
        reader.take()
        return _Span(0, MINUTES_PER_DAY)
    if reader.is_word(Word.UNTIL):
        reader.take()
        return _Span(None, _resolve(_read_time(reader, evening=evening), as_end=True))
    if reader.is_word(Word.RANGE):  # "到20点" with nothing before it
        reader.take()
        return _Span(None, _resolve(_read_time(reader, evening=evening), as_end=True))
    after = reader.is_word(Word.AFTER_TIME)
    said_from = after or reader.is_word(Word.FROM)
    if said_from:
        reader.take()
    start = _read_time(reader, evening=evening)
    if reader.is_word(Word.RANGE, Word.UNTIL):
        reader.take()
        return _pair(start, _read_time(reader), reader)
    if reader.is_word(Word.BEFORE):
        reader.take()
        return _Span(None, _resolve(start, as_end=True))
    if reader.is_word(Word.AFTER):  # "18点以后"
        reader.take()
        after = said_from = True
    if not said_from:
        # "tomorrow at 9", "Mon-Fri 9:00": from 9 on, or only at 9? Not said.
        raise AvailabilityNotUnderstood("a time alone, without “from” or an end")
    if after and isinstance(start, TimeOfDay) and _either_half(start):
        # "after 6" is as often 18:00 as 06:00; reading it wrong would offer twelve hours
        # the owner never offered. "after 18:00", "after 6pm", "晚上6点以后" are read.
        raise AvailabilityNotUnderstood("a bare hour after “after” may be morning or evening")
    return _Span(_resolve(start, as_end=False), None)


def _either_half(time: TimeOfDay) -> bool:
    """An hour from 1 to 11 said with neither a part of the day nor minutes."""
    return (time.bare or time.spoken) and time.meridiem is None and 0 < time.minute < 12 * 60


def _opens_a_run(reader: _Reader) -> bool:
    """ "from tomorrow", "from Monday" with no end day: from then on, until when?"""
    day = reader.peek(1)
    one_day = isinstance(day, OnDate) or (isinstance(day, Days) and len(day.weekdays) == 1)
    return one_day and not reader.is_word(Word.RANGE, Word.UNTIL, ahead=2)


def _is_day(token: Token | None) -> bool:
    return isinstance(token, Days | OnDate)


def _is_time_start(reader: _Reader) -> bool:
    token = reader.peek()
    if isinstance(token, TimeOfDay):
        return True
    if isinstance(token, Marker):
        if token.word in (
            Word.ALL_DAY,
            Word.NOON,
            Word.MIDNIGHT,
            Word.AM,
            Word.PM,
            Word.EVENING,
        ):
            return True
        if token.word in (Word.UNTIL, Word.FROM, Word.AFTER_TIME, Word.RANGE):
            return not _is_day(reader.peek(1))
    return False


def _is_word(token: Token | None, word: str) -> bool:
    return isinstance(token, Marker) and token.word == word


def _exceptions(tokens: list[Token]) -> list[Token]:
    """ "Mon-Fri 9-17, not Wed": a "not" between days takes a day out, as "except" does.
    "except Sat" with no other days is a block, as "not Sat" is."""
    tokens = list(tokens)
    for index, token in enumerate(tokens):
        if (_is_word(token, Word.NOT) and any(_is_day(t) for t in tokens[:index])
                and _is_day(tokens[index + 1] if index + 1 < len(tokens) else None)):  # fmt: skip
            tokens[index] = Marker(Word.EXCEPT)
    excepted: set[int] = set()
    for index, token in enumerate(tokens):
        if _is_word(token, Word.EXCEPT):
            excepted.update(range(index + 1, _exception_end(tokens, index + 1)))
    if not any(_is_day(t) for i, t in enumerate(tokens) if i not in excepted):
        tokens = [Marker(Word.NOT) if _is_word(t, Word.EXCEPT) else t for t in tokens]
    named = [t for i, t in enumerate(tokens) if i not in excepted and _is_day(t)]
    if any(not (isinstance(t, Days) and t.implied) for t in named):
        # "Mon, Wed 24/7": the days named, all day, not every day of the week.
        tokens = [t for t in tokens if not (isinstance(t, Days) and t.implied)]
    return tokens


def _exception_end(tokens: list[Token], start: int) -> int:
    """Where the days after "except" end: named days and runs of them ("except Sat, Sun",
    "except Sat-Sun"); a group of days after them is what they are taken out of ("除了周六每天")."""
    end = start
    while end < len(tokens):
        token = tokens[end]
        single = isinstance(token, Days) and len(token.weekdays) == 1
        if not ((_is_day(token) and (single or end == start)) or _is_word(token, Word.RANGE)):
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


def _clauses(tokens: list[Token], today: date) -> tuple[list[_Clause], bool, list[TimeOfDay]]:
    """Group tokens into clauses of days and times; a day after a finished clause starts the
    next one, so "Mon-Fri 8-18, Sat 10-14" and "8-18 Mon-Fri" read alike."""
    tokens = _exceptions(tokens)
    blocked = any(_is_word(t, Word.NOT) for t in tokens)
    reader = _Reader([t for t in tokens if not _is_word(t, Word.NOT)])
    clauses: list[_Clause] = [_Clause()]
    while reader.peek() is not None:
        clause = clauses[-1]
        if reader.is_word(Word.EXCEPT):
            _read_exception(reader, clause)
            continue
        if reader.is_word(Word.FROM, Word.RANGE) and _is_day(reader.peek(1)):
            if reader.is_word(Word.FROM) and _opens_a_run(reader):
                raise AvailabilityNotUnderstood("from a day on: until when?")  # "from tomorrow"
            if reader.is_word(Word.RANGE) and reader.at and _is_day(reader.tokens[reader.at - 1]):
                raise AvailabilityNotUnderstood("a range of days not read")  # "weekdays - Sat"
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
        _read_alike(clause, today)
        if clause.excepted:
            # "Mon-Fri 9-17, Sat 10-14 except Wed": Wed is not among the days it follows.
            if clause.dates or not clause.excepted < clause.weekdays:
                raise AvailabilityNotUnderstood("days taken out of days not named")
            clause.weekdays -= clause.excepted
    # "Mon-Fri 8-12, 14-18": a clause of times alone belongs to the days before it.
    for previous, clause in itertools.pairwise(clauses):
        if previous.spans and not clause.spans:
            # "Mon-Fri 8-18, Sat": the same hours, or all day? Not said.
            raise AvailabilityNotUnderstood("days without hours after days with hours")
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
    # Full-width digits and punctuation ("９：００－１８：００", "，", "～") as their ASCII forms.
    text = unicodedata.normalize("NFKC", text).strip()
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


def parse_window(text: str, *, zone: ZoneInfo, now: datetime) -> Window:
    """A driver's text as the one stretch of time they need, for a search or a booking.

    Raises what ``parse_availability`` raises (``AmbiguousHours`` with both readings,
    ``WindowInPast`` when the time is over), ``WindowTooFarAhead`` when it ends after the
    bookable horizon, and ``InvalidWindow`` for anything but one stretch of time of a bookable
    length."""
    parsed = parse_availability(text, zone=zone, now=now)
    if not parsed.is_one_window:
        raise InvalidWindow("a driver asks for one stretch of time")
    window = Window(parsed.windows[0].start, parsed.windows[0].end)
    window.check_within_horizon(now)
    return window


def _rewritten(text: str, ambiguous: list[TimeOfDay], kind: str) -> str:
    """The text with each two-way end hour written out: "18-8" becomes "18-08:00" overnight,
    "18-20:00" the same evening; either reads one way only."""
    lowered = text.lower().replace("ё", "е")
    said = text if len(lowered) == len(text) else lowered
    for time in sorted(ambiguous, key=lambda t: t.at or (0, 0), reverse=True):
        assert time.at is not None
        hour = time.minute // 60 + (12 if kind == SAME_DAY else 0)
        said = f"{said[: time.at[0]]}{hour:02d}:00{said[time.at[1] :]}"
    return said


def _parse(text: str, zone: ZoneInfo, now: datetime) -> tuple[ParsedAvailability, list[TimeOfDay]]:
    now = ensure_utc(now)
    today = now.astimezone(zone).date()
    tokens = tokenize(text, today)
    if not tokens:
        raise AvailabilityNotUnderstood("empty")
    clauses, blocked, ambiguous = _clauses(tokens, today)
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
