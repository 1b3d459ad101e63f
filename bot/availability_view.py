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


def describe_weekly(rules: Iterable[WeeklyRule], i18n: Translator) -> list[str]:
    names = get_day_names("abbreviated", locale=i18n.locale)
    by_hours: dict[tuple[int, int], list[int]] = defaultdict(list)
    for rule in rules:
        by_hours[(rule.start_minute, rule.end_minute)].append(rule.weekday)
    lines = []
    for (start, end), weekdays in sorted(by_hours.items(), key=lambda item: min(item[1])):
        days = ", ".join(
            names[first] if first == last else f"{names[first]}–{names[last]}"
            for first, last in _day_runs(weekdays)
        )
        hours = (
            i18n.gettext("all day")
            if (start, end) == (0, 1440)
            else (f"{_clock(start)}–{_clock(end)}")
        )
        lines.append(f"{days} {hours}")
    return lines


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
