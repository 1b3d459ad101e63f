"""Inline and reply keyboards, and the one codec for callback data.

A button press is a request from a possibly hostile client: data is decoded strictly here and
the handler still authorises whatever the ids point at."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from functools import lru_cache
from typing import Any, ClassVar, Self, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.i18n import Translator

SEPARATOR = ":"
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data


class ForgedCallback(ValueError):
    """Callback data that no button of ours could have sent."""


@dataclass(frozen=True)
class CallbackData:
    """Typed callback data with a prefix per action, e.g. ``lang:ru``. Subclasses declare
    ``prefix`` and int/str fields; ``choices`` limits a str field to known values."""

    prefix: ClassVar[str]
    choices: ClassVar[dict[str, frozenset[str]]] = {}

    def pack(self) -> str:
        parts = [self.prefix, *(str(getattr(self, f.name)) for f in fields(self))]
        if any(SEPARATOR in part for part in parts[1:]):
            raise ValueError(f"separator inside callback data {parts}")
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data}")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(cls.prefix)}(:|$)")

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        parts = (data or "").split(SEPARATOR)
        declared = fields(cls)
        # A field added later has a default, so a button sent before it still reads.
        required = sum(1 for f in declared if f.default is MISSING)
        if parts[0] != cls.prefix or not required <= len(parts) - 1 <= len(declared):
            raise ForgedCallback(data)
        values: dict[str, object] = {}
        for field, raw in zip(declared, parts[1:], strict=False):
            if field.type in (int, "int"):
                if not re.fullmatch(r"-?\d{1,18}", raw):
                    raise ForgedCallback(data)
                values[field.name] = int(raw)
            else:
                allowed = cls.choices.get(field.name)
                if allowed is not None and raw not in allowed:
                    raise ForgedCallback(data)
                values[field.name] = raw
        unpacked = cls(**values)
        if not unpacked.is_valid():
            raise ForgedCallback(data)
        return unpacked

    def is_valid(self) -> bool:
        """Rules across fields or on numbers that ``choices`` can't say (a known percentage)."""
        return True


Pressed = TypeVar("Pressed", bound=CallbackData)


async def unpack_pressed(
    query: CallbackQuery, kind: type[Pressed], i18n: Translator
) -> Pressed | None:
    """The pressed button's data; ``None`` once the presser has been told it is not valid."""
    try:
        return kind.unpack(query.data)
    except ForgedCallback:
        await query.answer(i18n.gettext("This button is not valid."), show_alert=True)
        return None


# A button: its label, and the data it sends or the URL it opens.
Button = tuple[str, "CallbackData | str"]
KeyboardRow = Sequence[Button]


def inline(rows: Sequence[KeyboardRow]) -> InlineKeyboardMarkup:
    """Rows of (label, callback data or URL) pairs."""
    return InlineKeyboardMarkup([[_button(label, target) for label, target in row] for row in rows])


class KeptButton(InlineKeyboardButton):
    """A button that is turned into what Telegram reads once, however often it is sent."""

    __slots__ = ("_as_sent",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        # Immutable once built; python-telegram-bot lets a protected attribute be set later.
        as_sent: dict[str, Any] | None = getattr(self, "_as_sent", None)
        if as_sent is None:
            as_sent = self._as_sent = super().to_dict(recursive)
        return dict(as_sent)


# Most buttons are the same for everybody who reads one language (a search's windows, orders
# and filters), and python-telegram-bot's objects are slow to build and to serialise: buttons
# are immutable, so one built before is used again.
@lru_cache(maxsize=4096)
def _button(label: str, target: CallbackData | str) -> InlineKeyboardButton:
    if isinstance(target, str):
        return KeptButton(label, url=target)
    return KeptButton(label, callback_data=target.pack())


def location_request(label: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
