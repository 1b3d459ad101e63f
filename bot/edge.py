"""Where Telegram meets the bot: what comes in is made storable once, before any handler reads
it, and what goes out remembers the one thing Telegram allows only once, a callback answer."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application, ExtBot

from core.text import json_is_storable, storable_json

# Set by ``copies_unread``: what the bot sends is not read back.
_COPIES_UNREAD: ContextVar[bool] = ContextVar("copies_unread", default=False)

# Queries answered lately; a query can't be answered after 15 minutes anyway, and far fewer
# than this many buttons are pressed in that time by the people one process serves.
REMEMBERED_ANSWERS = 10_000


class ParkShareBot(ExtBot[Any]):
    """Telegram accepts one answer per callback query and refuses a second. The bot remembers
    which queries were answered, so that whoever speaks last (the error handler) can tell the
    person another way instead of being refused in silence."""

    __slots__ = ("_answered",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()

    def answered(self, callback_query_id: str) -> bool:
        return callback_query_id in self._answered

    async def answer_callback_query(
        self, callback_query_id: str, *args: Any, **kwargs: Any
    ) -> bool:
        # Remembered before the call: an answer that failed on the way may still have arrived,
        # and a second one would be refused.
        self._answered[callback_query_id] = None
        while len(self._answered) > REMEMBERED_ANSWERS:
            self._answered.popitem(last=False)
        return await super().answer_callback_query(callback_query_id, *args, **kwargs)

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        # True is what Telegram answers for an edited inline message: python-telegram-bot
        # then returns it as it is instead of building a Message.
        if _COPIES_UNREAD.get() and isinstance(result, dict):
            return True
        return result


@contextmanager
def copies_unread() -> Iterator[None]:
    """Messages sent or edited inside are not read back. Telegram answers each with its copy of
    the message, keyboard included, which python-telegram-bot turns into objects: for a results
    page's twenty buttons that costs more than building them (about 0.2 ms). The calls return
    True instead of a ``Message``; use it only where nobody looks at what they return."""
    token = _COPIES_UNREAD.set(True)
    try:
        yield
    finally:
        _COPIES_UNREAD.reset(token)


def answered(bot: object, callback_query_id: str) -> bool:
    """Whether ``bot`` has answered the query; a bot that doesn't keep count is assumed not to."""
    return isinstance(bot, ParkShareBot) and bot.answered(callback_query_id)


def storable_update(update: object, bot: ExtBot[Any]) -> object:
    """The update with every text, caption and name a database can store: one check for every
    kind of update, whether it came by polling or by webhook."""
    if not isinstance(update, Update):
        return update
    data = update.to_dict()
    if json_is_storable(data):
        return update
    return Update.de_json(storable_json(data), bot)


class ParkShareApplication(Application):  # type: ignore[type-arg]
    async def process_update(self, update: object) -> None:
        await super().process_update(storable_update(update, self.bot))
