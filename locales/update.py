"""Refresh the catalogs from the code: `python -m locales.update` extracts every marked
string into parkshare.pot and merges it into each language's .po, keeping translations."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = Path(__file__).resolve().parent
LANGUAGES = ("en", "zh_Hans", "ru")
SOURCES = ("bot", "core", "payments")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    template = Catalog(project="ParkShare", copyright_holder="ParkShare", fuzzy=False)
    for source in SOURCES:
        folder = ROOT / source
        if not folder.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            template.add(
                message,
                None,
                [(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "parkshare.po"


def main() -> None:
    template = extract()
    with (LOCALES / "parkshare.pot").open("wb") as out:
        write_po(out, template, sort_output=True, include_lineno=False, width=100)
    for language in LANGUAGES:
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=language)
        else:
            catalog = Catalog(locale=language, project="ParkShare", copyright_holder="ParkShare")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        with path.open("wb") as out:
            write_po(
                out,
                catalog,
                sort_output=True,
                ignore_obsolete=True,
                include_lineno=False,
                width=100,
            )
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
