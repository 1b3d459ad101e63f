"""What the anonymous relay must not carry: phone numbers, @usernames, links to a Telegram
profile and e-mail addresses typed into a message are masked before it reaches the other side."""

from __future__ import annotations

import re

MASK = "•••"
# At least this many digits make a run of digits a phone number, not a time, price or count.
PHONE_MIN_DIGITS = 7

_PHONE = re.compile(r"(?<![\w@])\+?\(?\d[\d\s().\-]{5,}\d(?!\w)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}")
_USERNAME = re.compile(r"(?<![\w.])@[A-Za-z][A-Za-z0-9_]{3,31}\b")
_PROFILE_LINK = re.compile(r"(?:https?://)?(?:t\.me|telegram\.me|wa\.me)/[^\s]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _phone_or_not(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(character.isdigit() for character in found)
    if digits < PHONE_MIN_DIGITS or _DATE.fullmatch(found.strip()):
        return found
    return MASK


def mask_contacts(text: str) -> str:
    text = _PROFILE_LINK.sub(MASK, text)
    text = _EMAIL.sub(MASK, text)
    text = _USERNAME.sub(MASK, text)
    return _PHONE.sub(_phone_or_not, text)
