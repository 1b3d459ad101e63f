"""A driver moves their live location: on the way, at the spot or driving away from it, which
bot.arrival_eta tells the owner of. The first share of a live location arrives as a location
message, which search's handler takes and passes to the same check."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.arrival_eta import follow_live_location
from bot.context import ParkShareContext


async def live_location_moved(update: Update, context: ParkShareContext) -> None:
    await follow_live_location(update, context, answer_driver=False)


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(
            private & filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, live_location_moved
        ),
    ]
