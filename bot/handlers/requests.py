"""Requests to book a spot that does not book instantly: the owner accepts or declines with a
button, and the driver hears the answer (with the invoice when accepted)."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler

from bot.booking_buttons import AnswerRequest
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import translator
from bot.incoming import message_of
from bot.payment_messages import offer_payment
from bot.waiting_drivers import tell_of_freed_spots
from core.db.models import Booking
from core.services import stays
from core.services.stays import PaymentDue
from core.status import BookingStatus


@on_button(AnswerRequest)
async def request_answered(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: AnswerRequest
) -> None:
    _ = context.i18n.gettext
    accept = pressed.answer == "accept"
    async with context.db.unit_of_work() as uow:
        answered = await stays.answer_request(
            uow, context.clock, booking_id=pressed.booking_id,
            owner_id=context.person_id, accept=accept,
        )  # fmt: skip
    booking, driver = answered.booking, answered.driver
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if accept:
        answer = _(
            "You accepted request #{id}. The driver pays now; we hold it until the stay ends."
        )
    else:
        answer = _("You declined request #{id}.")
    await message_of(update).reply_text(answer.format(id=booking.id))
    await tell_driver(context, driver.telegram_id, driver.language, booking, answered.payment)
    await tell_of_freed_spots(context, answered.freed)


async def tell_driver(
    context: ParkShareContext,
    chat_id: int,
    language: str,
    booking: Booking,
    payment: PaymentDue | None,
) -> None:
    i18n = translator(language)
    _ = i18n.gettext
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        minutes = context.settings.payment_window_minutes
        text = i18n.ngettext(
            "Good news: the owner accepted request #{id}. Pay within {minutes} minute to "
            "confirm it.",
            "Good news: the owner accepted request #{id}. Pay within {minutes} minutes to "
            "confirm it.",
            minutes,
        ).format(id=booking.id, minutes=minutes)
    else:
        text = _("Sorry, the owner declined request #{id}. Share your location to find another.")
        text = text.format(id=booking.id)
    # Sent with the owner's answer once it commits; a driver who blocked the bot does not pay,
    # and the booking lapses by itself.
    await context.bot.send_message(chat_id, text)
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        await offer_payment(
            context, booking.id, chat_id=chat_id, driver_id=booking.driver_id, i18n=i18n,
            due=payment,
        )  # fmt: skip


def handlers() -> list[BaseHandler]:
    return [request_answered]
