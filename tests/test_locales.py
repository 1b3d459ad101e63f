"""Every string the code marks for translation is in every catalog, translated."""

import pytest
from babel.messages.pofile import read_po

from bot.errors import MESSAGES
from core.errors import all_codes
from locales.update import LANGUAGES, extract, po_path

EXTRACTED = {message.id for message in extract() if message.id}


def catalog(language):
    with po_path(language).open("rb") as source:
        return read_po(source, locale=language)


def forms(text):
    """A message's one text, or every plural form of it."""
    return list(text) if isinstance(text, tuple) else [text]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_has_every_message_in_the_code(language):
    assert EXTRACTED - {message.id for message in catalog(language)} == set()


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_message_is_translated(language):
    untranslated = [
        m.id for m in catalog(language) if m.id and (not all(forms(m.string)) or m.fuzzy)
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_keep_the_placeholders(language):
    import re

    placeholder = re.compile(r"\{\w+\}")
    broken = [
        m.id
        for m in catalog(language)
        if m.id
        for form in forms(m.string)
        if set(placeholder.findall(forms(m.id)[-1])) != set(placeholder.findall(form))
    ]
    assert broken == []


def test_every_domain_error_code_has_a_message():
    assert all_codes() - set(MESSAGES) == set()
