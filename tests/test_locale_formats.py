"""Numbers, moments and distances as each reader's locale writes them, and examples a reader
can copy: what a message shows as an example, the parser reads."""

import re
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol

from bot.i18n import catalog_path, translator
from core.price_text import parse_price

LANGUAGES = ["en", "zh_Hans", "ru"]
PRICE_EXAMPLES = [
    "What is the price per hour? For example: 3.50, €3/h, 30 元 or 200 ₽.",
    "New price per hour for “{title}”? For example: 3.50",
    "That price doesn't look right. Send an amount such as 3.50.",
]
AMOUNT = re.compile(r"(?:[€$£¥₽]\s?)?\d+(?:[.,]\d+)?(?:\s?(?:[€$£¥₽元]|/ч|/h))*")


def translation(language, msgid):
    if language == "en":
        return msgid
    with catalog_path(language).open("rb") as source:
        message = read_po(source, locale=language).get(msgid)
    assert message is not None, msgid
    return message.string


DECIMAL_COMMA = [language for language in LANGUAGES if get_decimal_symbol(language) == ","]


def test_russian_is_among_the_languages_with_a_decimal_comma():
    assert DECIMAL_COMMA == ["ru"]


@pytest.mark.parametrize("language", DECIMAL_COMMA)
def test_no_translation_writes_a_decimal_point_where_its_locale_writes_a_comma(language):
    with catalog_path(language).open("rb") as source:
        strings = [m.string for m in read_po(source, locale=language) if m.id]
    flat = [s for item in strings for s in (item if isinstance(item, tuple) else (item,))]
    assert not [s for s in flat if re.search(r"\d\.\d", s or "")]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("msgid", PRICE_EXAMPLES)
def test_every_price_an_example_shows_is_one_the_parser_reads(language, msgid):
    text = translation(language, msgid).replace("{title}", "")
    examples = [m.group(0) for m in AMOUNT.finditer(text)]
    assert examples
    for example in examples:
        assert parse_price(example, default_currency="EUR").minor > 0, example


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Thu, Dec 3 09:05"), ("zh_Hans", "12月3日周四 09:05"), ("ru", "чт, 3 дек. 09:05")],
)
def test_a_moment_has_the_weekday_and_a_24_hour_time(language, expected):
    moment = datetime(2026, 12, 3, 8, 5, tzinfo=UTC)
    assert translator(language).moment(moment, "Europe/Berlin") == expected


@pytest.mark.parametrize(
    ("language", "metres", "expected"),
    [
        ("en", 349, "350 m"), ("en", 2449, "2.4 km"), ("en", 25049, "25 km"),
        ("ru", 2449, "2,4 км"), ("ru", 25049, "25 км"), ("zh_Hans", 2449, "2.4公里"),
    ],
)  # fmt: skip
def test_a_distance_is_rounded_as_a_phone_shows_it(language, metres, expected):
    assert translator(language).distance(metres) == expected
