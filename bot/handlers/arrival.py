"""A driver on the way moves their live location: the owner hears once how far away they are,
not a stream of positions (bot.arrival_eta). The first share of a live location arrives as a
location message, which search's handler takes and passes to the same check."""

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
