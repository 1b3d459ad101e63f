"""The last word on anything a handler raised: a domain rule refused is explained in the
person's language; anything else is logged and apologised for."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.errors import explain
from core.errors import DomainError

log = logging.getLogger(__name__)


async def on_error(update: object, context: ParkShareContext) -> None:
    error = context.error
    if isinstance(error, DomainError):
        text = explain(error, context.i18n)
    else:
        log.error("update failed", exc_info=error)
        text = context.i18n.gettext("Sorry, something went wrong on our side. Please try again.")
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message:
            await update.effective_message.reply_text(text)
    except TelegramError:
        log.warning("could not tell the person about an error", exc_info=True)
