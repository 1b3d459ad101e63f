"""/help: what the bot can do, in the person's language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.commands import PRIVATE_COMMANDS
from bot.context import ParkShareContext
from bot.incoming import message_of


async def show_help(update: Update, context: ParkShareContext) -> None:
    _ = context.i18n.gettext
    lines = [f"/{name} — {_(description)}" for name, description in PRIVATE_COMMANDS]
    await message_of(update).reply_text(
        _(
            "Drivers: share your location at any time to see free spots nearby.\n"
            "Owners: list your spot and say when it's free, in plain words."
        )
        + "\n\n"
        + "\n".join(lines)
    )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("help", show_help)]
