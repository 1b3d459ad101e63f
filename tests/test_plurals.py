"""Numbers next to nouns read right in every language: each such message is an ngettext entry
whose catalog has every plural form of its language (Russian: 1 балл, 2 балла, 5 баллов)."""

import gettext
import re
import string

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import catalog_path, translator
from locales.update import LANGUAGES

TRANSLATED = [language for language in LANGUAGES if language != "en"]
COUNTS = [0, 1, 2, 5, 21, 22]
# A count placeholder followed by a countable English noun, written without ngettext.
NUMBER_BEFORE_NOUN = re.compile(
    r"(?<!#)\{\w+\} (?:points?|minutes?|hours?|days?|weeks?|stays?|photos?|spots?|bookings?|stars?"
    r"|drivers?|owners?|times|reviews?|ratings?|nights?|requests?|disputes?|payments?)\b"
)


def catalog(language):
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language)


def plural_entries():
    return [message for message in catalog("en") if isinstance(message.id, tuple)]


def fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_bot_has_plural_messages():
    assert len(plural_entries()) >= 10


def test_no_number_meets_a_noun_outside_ngettext():
    singular_only = [
        message.id
        for message in catalog("en")
        if message.id and isinstance(message.id, str)
        and ("(s)" in message.id or NUMBER_BEFORE_NOUN.search(message.id))
    ]  # fmt: skip
    assert not singular_only, "\n".join(singular_only)


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_plural_message_has_every_form_of_the_language(language):
    forms = get_plural(language).num_plurals
    for message in catalog(language):
        if not isinstance(message.id, tuple):
            continue
        assert len(message.string) == forms, message.id
        for form in message.string:
            assert form, message.id
            assert fields(form) == fields(message.id[1]), (message.id, form)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", COUNTS)
def test_each_plural_message_uses_the_catalogs_form_for_the_count(language, count):
    choose = gettext.c2py(get_plural(language).plural_expr)
    translations = {
        message.id: message.string for message in catalog(language) if isinstance(message.id, tuple)
    }
    for singular, plural in (message.id for message in plural_entries()):
        rendered = translator(language).ngettext(singular, plural, count)
        if language == "en":
            expected = singular if count == 1 else plural
        else:
            expected = translations[(singular, plural)][choose(count)]
        assert rendered == expected, (singular, count)
        filled = rendered.format(**{name: count for name in fields(rendered)})
        assert str(count) in filled or "{" not in plural, (singular, count, filled)


def test_russian_counts_read_as_a_native_speaker_counts():
    ru = translator("ru")
    points = [e for e in plural_entries() if "point" in e.id[1]]
    assert points, "the credit messages count points"
    singular, plural = points[0].id
    words = [
        ru.ngettext(singular, plural, n).format(**{name: n for name in fields(plural)})
        for n in (1, 2, 5, 21)
    ]
    assert re.search(r"\b1 балл\b", words[0]), words[0]
    assert re.search(r"\b2 балла\b", words[1]), words[1]
    assert re.search(r"\b5 баллов\b", words[2]), words[2]
    assert re.search(r"\b21 балл\b", words[3]), words[3]


# A limit written into a sentence ("up to 5 photos") drifts from the constant it describes.
LIMIT_IN_WORDS = re.compile(
    r"\b\d+ (?:characters?|photos?|minutes?|hours?|days?|weeks?|km|metres?|stays?|spots?)\b"
)


def test_no_limit_is_written_into_a_sentence():
    written = [
        message.id
        for message in catalog("en")
        for text in (message.id if isinstance(message.id, tuple) else [message.id])
        if text and LIMIT_IN_WORDS.search(text)
    ]
    assert written == []
