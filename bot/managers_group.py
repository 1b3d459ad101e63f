"""Who may act in the managers' group: its administrators, and the ids in settings."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import ParkShareContext

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
