"""Each update changes things once: the first write while handling it also records it, in the
same transaction, so the same update delivered again (Telegram retries a webhook that did not
answer in time) is stopped at its first write."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from bot.context import ParkShareContext
from core.db.uow import record_delivery_with_first_write


async def record_with_first_write(update: Update, context: ParkShareContext) -> None:
    record_delivery_with_first_write(context.bot.id, update.update_id, context.clock.now())


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, record_with_first_write)]
