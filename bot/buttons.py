"""The one way a pressed inline button reaches its handler, as aiogram's typed callback
filters do: the handler is registered on its callback class's prefix and is called with the
data already unpacked and validated. A press whose data no button of ours could have sent is
answered here ("This button is not valid.") and never reaches the handler."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler

from bot.context import ParkShareContext
from bot.keyboards import CallbackData, unpack_pressed

Pressed = TypeVar("Pressed", bound=CallbackData)
Result = TypeVar("Result")

ButtonCallback = Callable[[Update, ParkShareContext, CallbackQuery, Pressed], Awaitable[Result]]


def on_button(
    kind: type[Pressed],
    *,
    pattern: str | None = None,
    managers: bool = False,
    forged: Any = None,
) -> Callable[[ButtonCallback[Pressed, Result]], CallbackQueryHandler[ParkShareContext, Any]]:
    """A ``CallbackQueryHandler`` for presses of ``kind``'s buttons (or of those ``pattern``
    names, when one family's buttons go to two handlers). ``managers``: the button lives in the
    managers' group, so a forged press is answered in the group's language. ``forged`` is what
    the handler returns for a forged press: in a conversation, the state to stay in or end."""

    def register(
        callback: ButtonCallback[Pressed, Result],
    ) -> CallbackQueryHandler[ParkShareContext, Any]:
        @functools.wraps(callback)
        async def pressed(update: Update, context: ParkShareContext) -> Any:
            query = update.callback_query
            assert query is not None  # the handler takes callback queries only
            i18n = context.managers_i18n if managers else context.i18n
            data = await unpack_pressed(query, kind, i18n)
            if data is None:
                return forged
            return await callback(update, context, query, data)

        return CallbackQueryHandler(pressed, pattern=pattern or kind.pattern())

    return register
