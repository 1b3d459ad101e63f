"""/bookings: a driver's upcoming bookings, each with what can be done next."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import ParkShareContext
from bot.handlers.payments import PayBooking
from bot.i18n import N_, Translator
from bot.keyboards import inline
from core.db.models import Booking, Spot
from core.money import Money
from core.services import bookings
from core.status import BookingStatus

STATUS_LABELS = {
    BookingStatus.REQUESTED: N_("waiting for the owner"),
    BookingStatus.AWAITING_PAYMENT: N_("waiting for payment"),
    BookingStatus.CONFIRMED: N_("confirmed"),
    BookingStatus.ACTIVE: N_("in progress"),
    BookingStatus.COMPLETED: N_("completed"),
    BookingStatus.CANCELLED: N_("cancelled"),
    BookingStatus.EXPIRED: N_("expired"),
    BookingStatus.DISPUTED: N_("under review by a manager"),
}


def describe(booking: Booking, spot: Spot, i18n: Translator) -> str:
    _ = i18n.gettext
    return _("<b>#{id} {title}</b>\n{start} – {end}\n{price} · {status}").format(
        id=booking.id,
        title=html.escape(spot.title),
        start=i18n.moment(booking.start_at, spot.timezone),
        end=i18n.moment(booking.end_at, spot.timezone),
        price=i18n.money(Money(booking.price_minor, booking.currency)),
        status=_(STATUS_LABELS[booking.status]),
    )


async def list_bookings(update: Update, context: ParkShareContext) -> None:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        upcoming = await bookings.upcoming_of_driver(
            uow, context.clock, context.user_data.person_id
        )
    if not upcoming:
        await update.effective_message.reply_text(
            _("You have no upcoming bookings. Share your location to find a spot.")
        )
        return
    for booking, spot in upcoming:
        buttons = []
        if booking.status == BookingStatus.AWAITING_PAYMENT:
            buttons.append([(_("💳 Pay"), PayBooking(booking.id))])
        await update.effective_message.reply_text(
            describe(booking, spot, context.i18n), reply_markup=inline(buttons) if buttons else None
        )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("bookings", list_bookings, filters=filters.ChatType.PRIVATE)]
