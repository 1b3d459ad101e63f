"""A driver on the way shares a live location: the owner hears once how far away they are,
not a stream of positions."""

from __future__ import annotations

import contextlib
import html
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import translator
from bot.incoming import message_of
from bot.keyboards import inline
from bot.spot_buttons import Navigate
from core.geo import GeoPoint
from core.services import bookings, people

# A live location this long before a stay is the driver on the way to it.
ON_THE_WAY = timedelta(minutes=60)


async def tell_owner_eta(update: Update, context: ParkShareContext, *, answer_driver: bool) -> bool:
    """True when the location was the driver on the way to a booking (told once)."""
    message = message_of(update)
    location = message.location
    if location is None or not location.live_period or context.user_data.person_id is None:
        return False
    async with context.db.unit_of_work() as uow:
        soon = await bookings.live_of_driver_starting_soon(
            uow, context.clock, context.person_id, within=ON_THE_WAY
        )
        if not soon:
            return False
        booking, spot = soon[0]
        first_time = await bookings.claim_notice(
            uow, context.clock, booking.id, bookings.NoticeKind.ARRIVAL_ETA
        )
        owner = await people.get(uow, spot.owner_id)
    if not first_time:
        return True
    eta = await context.bot_data.router.eta(
        GeoPoint(location.latitude, location.longitude), GeoPoint(spot.lat, spot.lon)
    )
    minutes = max(round(eta.duration_s / 60), 1)
    to_owner = translator(owner.language).gettext
    # The owner may have blocked the bot; the driver still gets their answer.
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            owner.telegram_id,
            to_owner("The driver for booking #{id} at “{title}” is about {minutes} min away.")
            .format(id=booking.id, title=html.escape(spot.title), minutes=minutes),
        )  # fmt: skip
    if answer_driver:
        _ = context.i18n.gettext
        await message.reply_text(
            _("I told the owner you're about {minutes} min away.").format(minutes=minutes),
            reply_markup=inline([[(_("🧭 Navigate"), Navigate(spot.id))]]),
        )
    return True
