"""Availability as a person reads it, in their language: "Mon–Fri 08:00–18:00"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, get_day_names

from bot.i18n import Translator
from core.availability import Interval, WeeklyRule


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _day_runs(weekdays: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for day in sorted(weekdays):
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def describe_weekly(
    rules: Iterable[WeeklyRule], i18n: Translator, *, overnight: bool = False
) -> list[str]:
    """``overnight``: an evening that runs to midnight and the next morning from it read as
    one night ("Mon–Sun 19:00–08:00"), as a pass's band is held; an owner's hours show each
    day's part, as they are asked about them."""
    names = get_day_names("abbreviated", locale=i18n.locale)
    by_hours: dict[tuple[int, int], list[int]] = defaultdict(list)
    for weekday, start, end in _nights_joined(rules) if overnight else _spans(rules):
        by_hours[(start, end)].append(weekday)
    lines = []
    for (start, end), weekdays in sorted(by_hours.items(), key=lambda item: min(item[1])):
        days = ", ".join(
            names[first] if first == last else f"{names[first]}–{names[last]}"
            for first, last in _day_runs(weekdays)
        )
        hours = (
            i18n.gettext("all day")
            if (start, end) == (0, 1440)
            else (f"{_clock(start)}–{_clock(end % 1440 if end > 1440 else end)}")
        )
        lines.append(f"{days} {hours}")
    return lines


def _spans(rules: Iterable[WeeklyRule]) -> list[tuple[int, int, int]]:
    return [(rule.weekday, rule.start_minute, rule.end_minute) for rule in rules]


def _nights_joined(rules: Iterable[WeeklyRule]) -> list[tuple[int, int, int]]:
    """Spans of the day, an evening to midnight joined with the next day's morning (its end
    past 1440)."""
    rules = sorted(set(rules), key=lambda r: (r.weekday, r.start_minute))
    mornings = {r.weekday: r for r in rules if r.start_minute == 0 and r.end_minute < 1440}
    joined: list[tuple[int, int, int]] = []
    used: set[WeeklyRule] = set()
    for rule in rules:
        morning = mornings.get((rule.weekday + 1) % 7)
        if rule.end_minute == 1440 and rule.start_minute > 0 and morning and morning not in used:
            joined.append((rule.weekday, rule.start_minute, 1440 + morning.end_minute))
            used |= {rule, morning}
    joined += [_spans([rule])[0] for rule in rules if rule not in used]
    return joined


def describe_windows(windows: Iterable[Interval], zone: str, i18n: Translator) -> list[str]:
    tz = ZoneInfo(zone)
    lines = []
    for window in windows:
        start, end = window.start.astimezone(tz), window.end.astimezone(tz)
        day = format_skeleton("MMMEd", start, locale=i18n.locale)
        ends_at_midnight = end.time() == time(0) and end.date() == start.date() + timedelta(days=1)
        if start.date() == end.date() or ends_at_midnight:
            lines.append(f"{day} {start:%H:%M}–{'24:00' if ends_at_midnight else f'{end:%H:%M}'}")
        else:
            until = format_skeleton("MMMEd", end, locale=i18n.locale)
            lines.append(f"{day} {start:%H:%M} – {until} {end:%H:%M}")
    return lines
