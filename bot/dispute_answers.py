"""A party's answer to a manager's question on a dispute: kept as evidence and passed on to
the managers' group."""

from __future__ import annotations

import contextlib
import html

from telegram import Update
from telegram.error import TelegramError

from bot.context import ParkShareContext, required
from bot.dispute_card import side_label
from bot.incoming import message_of
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, split_html
from core.services import disputes


async def take_answer(update: Update, context: ParkShareContext) -> None:
    """The asked party's message: kept as evidence and shown to the managers."""
    message = message_of(update)
    _ = context.i18n.gettext
    dispute_id = required(context.user_data.answering_dispute_id, "dispute answered")
    context.user_data.answering_dispute_id = None
    file_id = message.photo[-1].file_id if message.photo else None
    text = message.text or message.caption or ""
    if not (text or file_id):
        await message.reply_text(_("Only text and photos can be sent to the manager."))
        return
    async with context.db.unit_of_work() as uow:
        await disputes.answer(
            uow, context.clock, dispute_id=dispute_id, person_id=context.person_id,
            text=text, file_id=file_id,
        )  # fmt: skip
        case = await disputes.case(uow, dispute_id)
    await message.reply_text(_("Thank you. The manager has your answer."))
    chat_id = context.settings.manager_chat_id
    if chat_id is None:
        return
    i18n = context.managers_i18n
    side = case.parties.side_of(context.person_id)
    header = i18n.gettext("📝 Dispute #{id}: {side} answers").format(
        id=dispute_id, side=side_label(side, i18n)
    )
    body = f"{header}\n{html.escape(text)}" if text else header
    parts = split_html(body, MAX_TEXT, first_limit=MAX_CAPTION if file_id else None)
    with contextlib.suppress(TelegramError):
        if file_id:
            await context.bot.send_photo(chat_id, file_id, caption=parts.pop(0))
        for part in parts:
            await context.bot.send_message(chat_id, part)
