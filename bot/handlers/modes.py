"""While a person writes to the other side of a booking, or answers a manager, their messages
go there and nowhere else. Any command ends the mode and then does what it always does."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot import relay_chat
from bot.context import ParkShareContext
from bot.dispute_answers import take_answer
from bot.errors import explain
from bot.incoming import message_of
from core.errors import DomainError


async def in_mode(update: Update, context: ParkShareContext) -> None:
    data = context.user_data_if_any
    if data is None or (data.relay_booking_id is None and data.answering_dispute_id is None):
        return
    message = message_of(update)
    if message.text and message.text.startswith("/"):
        data.answering_dispute_id = None
        await relay_chat.leave(update, context)
        return
    try:
        if data.relay_booking_id is not None:
            await relay_chat.forward(update, context)
        else:
            await take_answer(update, context)
    except DomainError as error:
        # Answered here: the message was meant for the other side, not for any other flow.
        await message.reply_text(explain(error, context.i18n), reply_markup=ReplyKeyboardRemove())
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler]:
    return [
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL
            & ~filters.SUCCESSFUL_PAYMENT,
            in_mode,
        )
    ]  # fmt: skip
