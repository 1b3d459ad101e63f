"""A driver's live location around their booking: on the way, the owner hears once how far away
they are, not a stream of positions; at the spot, the driver has arrived as if they had checked
in; driving away once they were there, they have left as if they had said so
(``core.services.stay_checks.driver_at``)."""

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
from bot.overstay_bills import send_bill
from bot.spot_buttons import Navigate
from bot.stay_check_questions import ask_owners
from core.geo import GeoPoint
from core.services import bookings, people, stay_checks
from core.services.parties import Parties

# A live location this long before a stay is the driver on the way to it.
ON_THE_WAY = timedelta(minutes=60)


async def follow_live_location(
    update: Update, context: ParkShareContext, *, answer_driver: bool
) -> bool:
    """True when the location was the driver on the way to a booking or at it (not a search)."""
    message = message_of(update)
    location = message.location
    if location is None or not location.live_period or context.user_data.person_id is None:
        return False
    point = GeoPoint(location.latitude, location.longitude)
    async with context.db.unit_of_work() as uow:
        moved = await stay_checks.driver_at(
            uow, context.clock, driver_id=context.person_id, point=point,
            tariff=context.settings.overstay_tariff,
            here_within_m=context.settings.presence_within_m,
            bills_in_chat=context.gateways.checkout.bills_in_chat,
        )  # fmt: skip
        if moved.there:
            soon = []
        else:
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
    if moved.there:
        await _tell_presence(update, context, moved)
        return True
    if not first_time:
        return True
    eta = await context.bot_data.router.eta(point, GeoPoint(spot.lat, spot.lon))
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


async def _tell_presence(
    update: Update, context: ParkShareContext, moved: stay_checks.Moved
) -> None:
    _ = context.i18n.gettext
    if moved.arrived is not None:
        await tell_owner_arrived(context, moved.arrived)
        await message_of(update).reply_text(
            _("📍 You're at “{title}”: the owner knows you've arrived.").format(
                title=html.escape(moved.arrived.spot.title)
            )
        )
    elif moved.left is not None:
        await ask_owners(context, [moved.left])
        await message_of(update).reply_text(
            _("🚗 You've left “{title}”: we've asked the owner to confirm the spot is free.")
            .format(title=html.escape(moved.left.parties.spot.title))
        )  # fmt: skip
    if moved.bill is not None:
        await send_bill(context, moved.bill)


async def tell_owner_arrived(context: ParkShareContext, parties: Parties) -> None:
    to_owner = translator(parties.owner.language)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            parties.owner.telegram_id,
            to_owner.gettext("The driver of booking #{id} has arrived at “{title}”.").format(
                id=parties.booking.id, title=html.escape(parties.spot.title)
            ),
        )
