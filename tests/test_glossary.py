"""The catalogs use one word per concept: locales/glossary.toml lists them and the variants
a native reader would misread (a refund read as paying back, the driver as the spot's owner)."""

import re
import tomllib

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, catalog_path

LANGUAGES = ["zh_Hans", "ru"]
GLOSSARY = tomllib.loads((LOCALES_DIR / "glossary.toml").read_text(encoding="utf-8"))["term"]


def translations(language):
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for string in strings:
            yield msgid, string or ""


def test_every_term_names_its_word_in_each_language():
    for term in GLOSSARY:
        assert {"concept", "en", "zh_Hans", "ru"} <= term.keys(), term
        for language, patterns in term.get("wrong", {}).items():
            assert language in LANGUAGES, (term["concept"], language)
            for pattern in patterns:
                re.compile(pattern)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_uses_a_variant_the_glossary_rules_out(language):
    found = []
    for msgid, string in translations(language):
        for term in GLOSSARY:
            for pattern in term.get("wrong", {}).get(language, []):
                if re.search(pattern, string, flags=re.MULTILINE):
                    found.append(f"{msgid!r}: {pattern!r} in {string!r}; use {term[language]!r}")
    assert not found, "\n".join(found)


def test_the_check_catches_a_misread_refund():
    refund = next(term for term in GLOSSARY if term["concept"].startswith("refund"))
    assert any(re.search(p, "您将退回 €3.50。") for p in refund["wrong"]["zh_Hans"])
    assert not any(re.search(p, "您将收到 €3.50 退款。") for p in refund["wrong"]["zh_Hans"])
