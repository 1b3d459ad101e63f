"""Text outside any flow: the time a driver asked to search for, an owner's new hours, the time
for a search under way, an address to park near, or else a hint."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import ParkShareContext
from bot.handlers import owner_availability, search


async def text_received(update: Update, context: ParkShareContext) -> None:
    if await search.try_max_price(update, context):
        return
    search_draft = context.user_data.search
    if search_draft is not None and search_draft.awaiting_window:
        await search.try_window(update, context)
        return
    if await owner_availability.try_hours(update, context):
        return
    if await search.try_window(update, context):
        return
    if await search.try_address(update, context):
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
