"""A driver on the way moves their live location: the owner hears once how far away they are,
not a stream of positions. The first share of it comes as a location, which search takes
(bot.arrival_eta)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.arrival_eta import tell_owner_eta
from bot.context import ParkShareContext


async def live_location_moved(update: Update, context: ParkShareContext) -> None:
    await tell_owner_eta(update, context, answer_driver=False)


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(
            private & filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, live_location_moved
        ),
    ]
