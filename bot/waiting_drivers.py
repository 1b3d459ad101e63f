"""Telling drivers who found nothing that a spot near them has freed up for their time."""

from __future__ import annotations

import contextlib
import html

from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import translator
from bot.keyboards import inline
from bot.spot_buttons import OpenSpot
from core.services import people, saved_searches


async def tell_waiting_drivers(context: ParkShareContext, spot_ids: list[int]) -> None:
    """Call after anything that may free time at these spots: approval, new hours, a resumed
    spot, a cancelled, declined or expired booking."""
    told = []
    async with context.db.unit_of_work() as uow:
        for spot_id in dict.fromkeys(spot_ids):
            spot = await uow.spots.get(spot_id)
            if spot is None:
                continue
            for saved in await saved_searches.now_satisfied_by(uow, context.clock, spot):
                told.append((saved, spot, await people.get(uow, saved.person_id)))
    for saved, spot, driver in told:
        i18n = translator(driver.language)
        text = i18n.gettext("Good news: “{title}” near where you searched is free for {window}.")
        window = i18n.gettext("{start} – {end}").format(
            start=i18n.moment(saved.start_at, spot.timezone),
            end=i18n.moment(saved.end_at, spot.timezone),
        )
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                driver.telegram_id,
                text.format(title=html.escape(spot.title), window=window),
                reply_markup=inline([[(spot.title[:40], OpenSpot(spot.id))]]),
            )
