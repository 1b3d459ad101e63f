"""Banned people: whatever they send in a private chat, they are told why they can't go on,
and nothing else sees the update."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.ban_notice import banned_notice
from bot.context import ParkShareContext
from core.db.uow import handlers_begin
from core.services import people


async def stop_the_banned(update: Update, context: ParkShareContext) -> None:
    try:
        await _stop_the_banned(update, context)
    finally:
        # Past the gate, the update's use case runs: in one unit of work, which is counted.
        handlers_begin()


async def _stop_the_banned(update: Update, context: ParkShareContext) -> None:
    chat = update.effective_chat
    data = context.user_data_if_any
    person_id = data.person_id if data is not None else None
    if person_id is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    if not (update.message or update.edited_message or update.callback_query):
        return
    # Registration hands over what it has just read or written; otherwise one read.
    standing = context.standing or await people.standing(context.db, person_id)
    context.standing = standing
    if standing is None or not standing.banned:
        return
    text = banned_notice(context.language, standing.ban_reason)
    if update.callback_query:
        await update.callback_query.answer(text[:200], show_alert=True)
    elif update.message:
        await update.message.reply_text(text)
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, stop_the_banned)]
