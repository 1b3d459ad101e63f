"""Whether a button's label fits a phone-width Telegram button, by script.

Telegram cuts a label that does not fit with "…". The budget is that of a 360 dp wide phone,
the narrowest common one: a keyboard 340 dp wide, 4 dp between buttons, 8 dp padding each
side of a label, and 14 sp medium text: a Latin letter 4 to 11 dp wide (7 mostly), a Cyrillic
one 7.5 to 10.5, a Chinese character 14 and an emoji 17."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

KEYBOARD_DP = 340.0
GAP_DP = 4.0
PADDING_DP = 16.0
NARROW = set("ijlft!|.,:;'’()[]-–/·1rI ")
WIDE = set("mwMWшщжмыюШЩЖМЫЮ")


# Every label of every keyboard is measured letter by letter, and Unicode's tables are slow to
# ask: each letter's width is worked out once.
@lru_cache(maxsize=4096)
def glyph_width(char: str) -> float:
    if unicodedata.category(char) in ("Mn", "Me", "Cf") or char == "\ufe0f":
        return 0.0
    if ord(char) >= 0x1F000 or unicodedata.category(char) == "So":
        return 17.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 14.0
    if char in NARROW:
        return 4.0
    if char in WIDE:
        return 10.5
    if "CYRILLIC" in unicodedata.name(char, ""):
        return 9.0 if char.isupper() else 7.5
    return 8.5 if char.isupper() else 7.0


def label_width(label: str) -> float:
    return sum(glyph_width(char) for char in label)


def budget(buttons_in_row: int) -> float:
    per_button = (KEYBOARD_DP - GAP_DP * (buttons_in_row - 1)) / buttons_in_row
    return per_button - PADDING_DP


def fit_label(label: str, buttons_in_row: int = 1, *, keep: str = "") -> str:
    """The label, cut with "…" where Telegram would cut it, keeping ``keep`` whole at its end:
    for labels made of what people typed (a spot's name), whose length nobody chose."""
    room = budget(buttons_in_row) - label_width(keep)
    if label_width(label) <= room:
        return label + keep
    room -= glyph_width("…")
    kept = []
    for char in label:
        room -= glyph_width(char)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…" + keep


def labels_that_do_not_fit(markup: dict[str, Any] | None) -> list[str]:
    """Each label of an inline or reply keyboard wider than its share of the row."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    too_wide = []
    for row in rows:
        for button in row:
            label = button["text"] if isinstance(button, dict) else str(button)
            if label_width(label) > budget(len(row)):
                too_wide.append(
                    f"{label!r} ({label_width(label):.0f} of {budget(len(row)):.0f} dp)"
                )
    return too_wide
