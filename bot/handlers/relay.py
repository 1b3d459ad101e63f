"""The anonymous contact relay: "Message owner" / "Message driver" puts a person in a chat with
the other side of their booking. Everything they send goes through the bot under a role
("Driver of booking #12"), never a name, username or id; contact details are masked. Here the
button that opens the chat; what is sent in it goes through bot.relay_chat."""

from __future__ import annotations

import html

from telegram import CallbackQuery, KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.booking_buttons import OpenRelay
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.incoming import message_of
from bot.relay_chat import LEAVE_LABEL, ROLE_OF
from core.services import relay


@on_button(OpenRelay)
async def open_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: OpenRelay
) -> None:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        leg = await relay.open_leg(
            uow, context.clock, booking_id=pressed.booking_id,
            person_id=context.person_id,
        )  # fmt: skip
    await query.answer()
    context.user_data.relay_booking_id = pressed.booking_id
    context.user_data.answering_dispute_id = None
    other = _(ROLE_OF[leg.sender_side.other]).format(id=pressed.booking_id)
    await message_of(update).reply_text(
        _(
            "💬 You're now writing to the <b>{other}</b> (“{title}”). Everything you send here "
            "goes to them through the bot, without your name or number. Press “{leave}” or send "
            "any command to stop."
        ).format(other=other, title=html.escape(leg.parties.spot.title), leave=_(LEAVE_LABEL)),
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton(_(LEAVE_LABEL))]], resize_keyboard=True, is_persistent=True,
            input_field_placeholder=other[:64],
        ),
    )  # fmt: skip


def handlers() -> list[BaseHandler]:
    return [open_pressed]
