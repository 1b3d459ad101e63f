"""Text outside any flow: the time a driver asked to search for, an owner's new hours, the time
for a search under way, an address to park near, or else a hint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import ParkShareContext
from bot.drafts import SearchInput
from bot.incoming import message_of

# A reader takes whatever text comes, explaining what it could not use; it says False to pass
# text nobody asked for on to the next reader.
Reader = Callable[[Update, ParkShareContext], Awaitable[bool]]


def handlers(*, asked: dict[SearchInput, Reader], unasked: tuple[Reader, ...]) -> list[BaseHandler]:
    """``asked``: what the person was asked to type, and the reader of their answer.
    ``unasked``: the readers text nobody asked for is tried on, in order. The features own
    their readers; bot/app.py lists them."""

    async def text_received(update: Update, context: ParkShareContext) -> None:
        expected = context.user_data.asked_for
        if expected is not None:
            await asked[expected](update, context)
            return
        for reader in unasked:
            if await reader(update, context):
                return
        await message_of(update).reply_text(
            context.i18n.gettext(
                "I didn't understand that. Share your location to find a spot, or send /help."
            )
        )

    return [
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            text_received,
        )
    ]
