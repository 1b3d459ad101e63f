"""Requests to book a spot that does not book instantly: the owner accepts or declines with a
button, and the driver hears the answer (with the invoice when accepted)."""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import ParkShareContext
from bot.handlers.payments import offer_payment
from bot.i18n import translator
from bot.keyboards import CallbackData, inline, unpack_pressed
from bot.owner_notices import tier_text
from bot.waiting_drivers import tell_of_freed_spots
from core.db.models import Booking
from core.money import Money
from core.services import bookings, people, spots, stays
from core.status import BookingStatus


@dataclass(frozen=True)
class AnswerRequest(CallbackData):
    prefix = "req"
    choices = {"answer": frozenset({"accept", "decline"})}  # noqa: RUF012
    booking_id: int
    answer: str


async def notify_owner_of_request(context: ParkShareContext, booking_id: int) -> None:
    async with context.db.reading() as uow:
        booking = await bookings.get(uow, booking_id)
        spot = await spots.get(uow, booking.spot_id)
        owner = await people.get(uow, spot.owner_id)
        driver = await people.get(uow, booking.driver_id)
    i18n = translator(owner.language)
    _ = i18n.gettext
    text = _(
        "🔔 Request #{id} for <b>{title}</b>\n{start} – {end}\nYou earn {price} before our "
        "commission."
    ).format(
        id=booking.id, title=html.escape(spot.title),
        start=i18n.moment(booking.start_at, spot.timezone),
        end=i18n.moment(booking.end_at, spot.timezone),
        price=i18n.money(Money(booking.price_minor, booking.currency)),
    ) + "\n" + tier_text(driver, i18n)  # fmt: skip
    keyboard = inline(
        [
            [
                (_("✅ Accept"), AnswerRequest(booking.id, "accept")),
                (_("❌ Decline"), AnswerRequest(booking.id, "decline")),
            ]
        ]
    )
    # An owner who blocked the bot cannot answer; the request then expires by itself.
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(owner.telegram_id, text, reply_markup=keyboard)


async def request_answered(update: Update, context: ParkShareContext) -> None:
    query = update.callback_query
    _ = context.i18n.gettext
    pressed = await unpack_pressed(query, AnswerRequest, context.i18n)
    if pressed is None:
        return
    accept = pressed.answer == "accept"
    async with context.db.unit_of_work() as uow:
        answered = await stays.answer_request(
            uow, context.clock, booking_id=pressed.booking_id,
            owner_id=context.user_data.person_id, accept=accept,
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
    await update.effective_message.reply_text(answer.format(id=booking.id))
    await tell_driver(context, driver.telegram_id, driver.language, booking)
    await tell_of_freed_spots(context, answered.freed)


async def tell_driver(
    context: ParkShareContext, chat_id: int, language: str, booking: Booking
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
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError:
        return  # a driver who blocked the bot pays no more; the booking lapses by itself
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        await offer_payment(
            context, booking.id, chat_id=chat_id, driver_id=booking.driver_id, i18n=i18n
        )


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(request_answered, pattern=AnswerRequest.pattern())]
