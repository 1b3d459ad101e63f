"""Translations and locale-aware formatting. Catalogs are the `.po` files in ``locales/``,
compiled in memory at first use, so no binary catalog is ever committed or installed."""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit

import locales
from core.money import Money
from core.services.people import SUPPORTED_LANGUAGES

DOMAIN = "parkshare"
LOCALES_DIR = Path(locales.__file__).parent
LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "ru": "Русский"}
# Babel takes tens of microseconds to format one value, and a list of search results formats the
# same few again and again (rounded distances, the usual prices, this hour's window): what a
# language made of a value is kept, up to this many of each kind.
FORMATS_REMEMBERED = 4096


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


class Translator:
    """One language's messages and formats."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._translations = translations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def money(self, amount: Money) -> str:
        return _money(amount, self.locale)

    def moment(self, instant: datetime, zone: str) -> str:
        """Day and 24-hour time in the place's zone: "Thu, Dec 3 09:00", "12月3日周四 09:00"."""
        return _moment(instant, zone, self.locale)

    def clock(self, instant: datetime, zone: str) -> str:
        """The 24-hour time of day in the place's zone, as every timetable shows it."""
        return _clock(instant, zone, self.locale)

    def month(self, first_day: date) -> str:
        """A month as its name and year, e.g. "June 2026", "2026年6月", "июнь 2026 г."."""
        return format_skeleton("yMMMM", first_day, locale=self.locale)

    def percent(self, share: float) -> str:
        return format_percent(share, "#,##0.#%", locale=self.locale)

    def distance(self, metres: float) -> str:
        """As a phone shows it: "350 m", "2.4 km", "25 km" ("2,4 км", "2.4公里")."""
        if metres < 1000:
            return _length(max(10, round(metres, -1)), "length-meter", self.locale)
        kilometres = metres / 1000
        shown = round(kilometres, 1) if kilometres < 10 else round(kilometres)
        return _length(shown, "length-kilometer", self.locale)

    def number(self, value: float) -> str:
        return _number(value, self.locale)


@lru_cache(maxsize=FORMATS_REMEMBERED)
def _money(amount: Money, locale: Locale) -> str:
    return format_currency(amount.to_decimal(), amount.currency, locale=locale)


@lru_cache(maxsize=FORMATS_REMEMBERED)
def _moment(instant: datetime, zone: str, locale: Locale) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{format_skeleton('MMMEd', local, locale=locale)} {_clock(instant, zone, locale)}"


@lru_cache(maxsize=FORMATS_REMEMBERED)
def _clock(instant: datetime, zone: str, locale: Locale) -> str:
    return format_time(instant.astimezone(ZoneInfo(zone)), "HH:mm", locale=locale)


@lru_cache(maxsize=FORMATS_REMEMBERED)
def _length(value: float, unit: str, locale: Locale) -> str:
    return format_unit(value, unit, "short", locale=locale)


@lru_cache(maxsize=FORMATS_REMEMBERED)
def _number(value: float, locale: Locale) -> str:
    return format_decimal(value, locale=locale)


def _compile(language: str) -> gettext.NullTranslations:
    path = catalog_path(language)
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@cache
def translator(language: str) -> Translator:
    if language not in SUPPORTED_LANGUAGES:
        language = "en"
    return Translator(language, _compile(language))
