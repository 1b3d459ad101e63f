"""Signs of work in the chat, only when a wait is long enough to be noticed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import Message
from telegram.error import TelegramError


@contextlib.asynccontextmanager
async def action_if_slow(message: Message, action: str, after_s: float) -> AsyncIterator[None]:
    """Shows ``action`` in the chat (Telegram's "finding location…") once the block has taken
    ``after_s``; a quicker answer arrives without, and without spending a message of the
    bot's sending budget on it. Once on its way, the action goes out before the answer. With
    no wait at all it goes out first: the block may not let the timer run (an SQLite search
    runs in place, bounded well under any wait worth setting)."""
    if after_s <= 0:
        with contextlib.suppress(TelegramError):
            await message.reply_chat_action(action)
        yield
        return
    waited = asyncio.Event()

    async def show_later() -> None:
        await asyncio.sleep(after_s)
        waited.set()
        with contextlib.suppress(TelegramError):
            await message.reply_chat_action(action)

    shown = asyncio.create_task(show_later())
    try:
        yield
    finally:
        if not waited.is_set():
            shown.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await shown
