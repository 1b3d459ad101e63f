"""What the bot says when nothing else understood the update: never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import ParkShareContext
from bot.incoming import message_of, query_of


async def unknown_command(update: Update, context: ParkShareContext) -> None:
    await message_of(update).reply_text(
        context.i18n.gettext("I don't know that command. Send /help to see what I can do.")
    )


async def unexpected_message(update: Update, context: ParkShareContext) -> None:
    await message_of(update).reply_text(
        context.i18n.gettext(
            "I didn't understand that. Share your location to find a spot, or send /help."
        )
    )


async def unknown_button(update: Update, context: ParkShareContext) -> None:
    await query_of(update).answer(
        context.i18n.gettext("This button is no longer valid."), show_alert=True
    )


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(
            private & ~filters.TEXT & ~filters.StatusUpdate.ALL & ~filters.SUCCESSFUL_PAYMENT,
            unexpected_message,
        ),
        CallbackQueryHandler(unknown_button),
    ]
