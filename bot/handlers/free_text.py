"""Text outside any flow: the time a driver asked to search for, an owner's new hours, the time
for a search under way, an address to park near, or else a hint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import ParkShareContext
from bot.drafts import SearchInput
from bot.handlers import owner_availability, search

Reader = Callable[[Update, ParkShareContext], Awaitable[bool]]

# What the person was asked to type, and the function that reads their answer: it takes
# whatever comes, explaining what it could not use.
ASKED: dict[SearchInput, Reader] = {
    SearchInput.MAX_PRICE: search.try_max_price,
    SearchInput.WINDOW: search.try_window,
}
# Text nobody asked for may be any of these, tried in this order; each says False to pass on.
UNASKED: tuple[Reader, ...] = (
    owner_availability.try_hours,  # an owner's new hours
    search.try_window,  # the time for the search under way
    search.try_address,  # a place to park near
)


async def text_received(update: Update, context: ParkShareContext) -> None:
    asked = context.user_data.asked_for
    if asked is not None:
        await ASKED[asked](update, context)
        return
    for reader in UNASKED:
        if await reader(update, context):
            return
    await update.effective_message.reply_text(
        context.i18n.gettext(
            "I didn't understand that. Share your location to find a spot, or send /help."
        )
    )


def handlers() -> list[BaseHandler]:
    return [
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            text_received,
        )
    ]
