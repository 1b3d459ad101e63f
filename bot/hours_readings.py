"""Hours that read two ways ("18-8": overnight, or the same evening) are asked about, never
guessed: the question, a button for each reading, and the text written out as the one picked.
Owners' hours (in /list, /myspots and a message) and a driver's window use the same ones."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.availability_view import describe_weekly, describe_windows
from bot.i18n import Translator
from bot.keyboards import CallbackData
from bot.telegram_text import MAX_TEXT, fit_html, visible_len
from core.availability_text import OVERNIGHT, SAME_DAY, AmbiguousHours, parse_availability
from core.errors import DomainError


def reading_question(error: AmbiguousHours, text: str, zone: str, i18n: Translator) -> str:
    """The two readings of ambiguous hours, in the owner's language, to choose between."""
    night, day = (
        "; ".join(
            describe_weekly(reading.parsed.weekly, i18n)
            + describe_windows(reading.parsed.windows, zone, i18n)
        )
        for reading in error.readings
    )
    question = i18n.gettext(
        "“{text}” can be read two ways:\n🌙 overnight: {night}\n☀️ the same day: {day}\n"
        "Which one do you mean?"
    )
    # The text echoed may be as long as a message: cut it so the question still fits.
    room = MAX_TEXT - visible_len(question.format(text="", night=night, day=day))
    return question.format(
        text=fit_html(html.escape(text), max(room, 1)),
        night=html.escape(night),
        day=html.escape(day),
    )


def reading_buttons(make: Callable[[str], CallbackData], i18n: Translator) -> list[list]:
    """One row with a button for each reading; ``make`` builds the callback data from a kind."""
    return [
        [
            (i18n.gettext("🌙 Overnight"), make(OVERNIGHT)),
            (i18n.gettext("☀️ Same day"), make(SAME_DAY)),
        ]
    ]


def reading_text(
    text: str, kind: str, zone: str, now: datetime, parse: Callable[..., object] | None = None
) -> str | None:
    """The text rewritten to say the reading chosen; None once it no longer reads two ways.
    ``parse``: what reads the text (owners' hours, unless a driver's weekly pattern)."""
    try:
        (parse or parse_availability)(text, zone=ZoneInfo(zone), now=now)
    except AmbiguousHours as error:
        return next(reading.text for reading in error.readings if reading.kind == kind)
    except DomainError:
        return None
    return None


@dataclass(frozen=True)
class PickHoursReading(CallbackData):
    """Which of two readings of hours such as "18-8" the owner meant."""

    prefix = "avr"
    choices = {"kind": frozenset({OVERNIGHT, SAME_DAY})}  # noqa: RUF012
    kind: str
