"""Text a person typed, made safe to store in either database.

PostgreSQL refuses NUL in ``text`` and ``jsonb`` (SQLite keeps it), and no driver can encode a
lone UTF-16 surrogate, which a JSON ``\\ud800`` escape decodes to. Such input would fail only on
one store, or only deep inside a service; it is cleaned once, where it enters."""

from __future__ import annotations

import re
from typing import Any

# NUL is dropped: it carries nothing a person meant. A lone surrogate becomes U+FFFD, as a
# decoder shows an invalid character.
_NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def is_storable(text: str) -> bool:
    return _UNSAFE.search(text) is None


def storable(text: str) -> str:
    """``text`` without what a database refuses to store."""
    if is_storable(text):
        return text
    return _SURROGATE.sub("\ufffd", text.replace(_NUL, ""))


def storable_json(value: Any) -> Any:
    """A decoded JSON value (objects, arrays, strings, numbers) with every string, keys
    included, made storable."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_json(key): storable_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable_json(item) for item in value]
    return value


def json_is_storable(value: Any) -> bool:
    if isinstance(value, str):
        return is_storable(value)
    if isinstance(value, dict):
        return all(json_is_storable(k) and json_is_storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_is_storable(item) for item in value)
    return True
