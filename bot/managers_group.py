"""Who may act in the managers' group (its administrators, and the ids in settings), and a line
told to it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import Translator

ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def is_manager(context: ParkShareContext, chat_id: int, user_id: int) -> bool:
    if user_id in context.settings.manager_ids:
        return True
    if chat_id != context.settings.manager_chat_id:
        return False
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    return member.status in ADMIN_STATUSES


def in_managers_group(update: Update, context: ParkShareContext) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.id == context.settings.manager_chat_id


async def tell_managers(context: ParkShareContext, compose: Callable[[Translator], str]) -> None:
    """A line for the managers' group, in its language (``compose`` writes it), if there is a
    group; a refused send is theirs to notice, not the caller's to fail."""
    chat_id = context.settings.manager_chat_id
    if chat_id is None:
        return
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(chat_id, compose(context.managers_i18n))
