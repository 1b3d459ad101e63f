"""What a person hears when they send updates faster than the bot takes them (see
``bot.updates``): once a burst, in their own language, and nothing they sent is half done."""

from __future__ import annotations

import contextlib

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.i18n import translator
from core.services.people import language_from_telegram


async def tell_flooding(bot: Bot, update: object) -> None:
    if not isinstance(update, Update) or update.effective_user is None:
        return
    if update.callback_query is not None:
        return  # a button pressed in a burst: its spinner stops by itself
    if update.inline_query is not None or update.chosen_inline_result is not None:
        return  # typing after the bot's name: the next query answers
    _ = translator(language_from_telegram(update.effective_user.language_code)).gettext
    with contextlib.suppress(TelegramError):
        await bot.send_message(
            update.effective_user.id,
            _(
                "You're sending messages faster than I can read them, so I skipped some. "
                "Please send them one at a time."
            ),
        )
