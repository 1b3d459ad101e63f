"""Where Telegram meets the bot: what comes in is made storable once, before any handler reads
it; what goes out after an update's first write is held and made once that write commits
(``core.db.uow.held_calls``); and the bot remembers the one thing Telegram allows only once, a
callback answer."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from telegram import TelegramObject, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ExtBot
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transient import is_transient
from core.db.uow import HeldCall, held_calls
from core.text import is_storable, storable_json

if TYPE_CHECKING:
    from bot.workers import InboxWorker

# Set by ``copies_unread``: what the bot sends is not read back.
_COPIES_UNREAD: ContextVar[bool] = ContextVar("copies_unread", default=False)
# Set by ``made_now``: calls go out at once, even after the update's first write.
_MADE_NOW: ContextVar[bool] = ContextVar("made_now", default=False)
# The Bot API's methods that answer (send, edit, delete, a button's answer), held after an
# update's first write; every one returns True or a message, which python-telegram-bot hands
# back as it is when it is True. Reads (getChatMember, getFile) go out at once.
_ANSWERING = ("send", "edit", "delete", "answer", "pin", "unpin")
_NOT_HELD = frozenset({
    "sendMediaGroup",  # returns a list of messages
    "sendChatAction",  # "finding location…" while the answer is being made; no answer itself
})  # fmt: skip
# Attempts at a held call while Telegram is unreachable, before the rest are left to whoever
# takes the update over when its lease ends (``bot.jobs.send_abandoned_answers``).
HELD_CALL_ATTEMPTS = 3

# Queries answered lately; a query can't be answered after 15 minutes anyway, and far fewer
# than this many buttons are pressed in that time by the people one process serves.
REMEMBERED_ANSWERS = 10_000
log = logging.getLogger(__name__)


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
        try:
            return await super().answer_callback_query(callback_query_id, *args, **kwargs)
        except BadRequest as error:
            if not _expired_query(error):
                raise
            # The press waited past Telegram's time for an answer (a backlog, or handled after
            # the store came back): its spinner has stopped, and the handler goes on all the same.
            log.info("a callback query was answered too late: %s", error)
            return False

    async def _do_post(self, endpoint: str, data: Any, **kwargs: Any) -> Any:
        held = None if _MADE_NOW.get() else held_calls()
        if held is not None and endpoint.startswith(_ANSWERING) and endpoint not in _NOT_HELD:
            request = RequestData([RequestParameter.from_input(key, value)
                                   for key, value in data.items()])  # fmt: skip
            if not request.contains_files:  # an upload goes out at once: none is held
                held.append(HeldCall(endpoint, request.json_parameters))
                return True
        return await super()._do_post(endpoint, data, **kwargs)

    async def make_held_calls(self, calls: list[HeldCall]) -> list[HeldCall]:
        """Make held calls in order; those not made because Telegram could not be reached
        after a few attempts are returned. One Telegram refuses (the person blocked the bot,
        a message gone) is passed over."""
        for position, call in enumerate(calls):
            for attempt in range(1, HELD_CALL_ATTEMPTS + 1):
                try:
                    await super()._do_post(call.method, dict(call.parameters))
                    break
                except TelegramError as error:
                    if not is_transient(error):
                        log.warning("a held %s was refused: %s", call.method, error)
                        break
                    if attempt == HELD_CALL_ATTEMPTS:
                        log.warning("Telegram is unreachable; %s held calls wait",
                                    len(calls) - position)  # fmt: skip
                        return calls[position:]
                    await asyncio.sleep(0.5 * attempt)
        return []

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        # True is what Telegram answers for an edited inline message: python-telegram-bot
        # then returns it as it is instead of building a Message.
        if _COPIES_UNREAD.get() and isinstance(result, dict):
            return True
        return result


def _expired_query(error: BadRequest) -> bool:
    message = error.message.lower()
    return "query is too old" in message or "query id is invalid" in message


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


@contextmanager
def made_now() -> Iterator[None]:
    """Calls inside go out at once, even after the update's first write, when what Telegram
    answers decides what the person is told next (a relayed message to someone who blocked
    the bot). Should the write then fail to commit, the update is handled again and the call
    made a second time: use it only where a repeat is harmless."""
    token = _MADE_NOW.set(True)
    try:
        yield
    finally:
        _MADE_NOW.reset(token)


def answered(bot: object, callback_query_id: str) -> bool:
    """Whether ``bot`` has answered the query; a bot that doesn't keep count is assumed not to."""
    return isinstance(bot, ParkShareBot) and bot.answered(callback_query_id)


def storable_update(update: object, bot: ExtBot[Any]) -> object:
    """The update with every text, caption and name a database can store: one check for every
    kind of update, whether it came by polling or by webhook."""
    if not isinstance(update, Update):
        return update
    if _holds_only_storable(update):
        return update
    return Update.de_json(storable_json(update.to_dict()), bot)


def _holds_only_storable(update: Update) -> bool:
    """Whether every string ``TelegramObject.to_dict`` would give is storable, checked on the
    objects themselves: building the dict cost more than the whole check (about 60
    microseconds for a shared location)."""
    pending: list[object] = [update]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not is_storable(value):
                return False
        elif isinstance(value, TelegramObject):
            # Falsy values (None, "", 0, empty tuples) hold nothing to check.
            pending.extend(filter(None, _attributes(value)))
        elif isinstance(value, tuple | list):
            pending.extend(value)
        elif isinstance(value, Mapping):  # api_kwargs: what this python-telegram-bot doesn't know
            pending.extend(value.keys())
            pending.extend(value.values())
    return True


_READERS: dict[type, tuple[attrgetter[Any], tuple[str, ...]]] = {}


def _attributes(value: TelegramObject) -> tuple[object, ...]:
    """The values of the attributes ``to_dict`` reads, read at once."""
    kind = type(value)
    if kind not in _READERS:
        fields = _public_slots(kind)
        # attrgetter gives a tuple only for two names or more; one name read twice is harmless.
        _READERS[kind] = (attrgetter(*(fields if len(fields) > 1 else fields * 2)), fields)
    read, fields = _READERS[kind]
    try:
        return read(value)  # type: ignore[no-any-return]
    except AttributeError:  # a slot never set
        return tuple(getattr(value, name, None) for name in fields)


def _public_slots(kind: type) -> tuple[str, ...]:
    """Every public slot along the class's ancestry, as ``to_dict`` reads them: the private
    ones python-telegram-bot keeps are caches, the bot and deprecated durations."""
    slots = (getattr(klass, "__slots__", ()) for klass in kind.__mro__[:-1])
    return tuple(
        name
        for names in slots
        for name in ((names,) if isinstance(names, str) else names)
        if not name.startswith("_")
    )


class ParkShareApplication(Application):  # type: ignore[type-arg]
    # Set by ``bot.app.build_application``: what handles the inbox's updates in this process.
    worker: InboxWorker

    async def process_update(self, update: object) -> None:
        await super().process_update(storable_update(update, self.bot))
