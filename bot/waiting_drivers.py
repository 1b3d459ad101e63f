"""Telling drivers who found nothing that a spot near them has freed up for their time."""

from __future__ import annotations

import contextlib
import html

from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import translator
from bot.keyboards import inline
from bot.spot_buttons import OpenSpot
from core.services import saved_searches
from core.services.saved_searches import FreedSpot


async def tell_waiting_drivers(context: ParkShareContext, spot_ids: list[int]) -> None:
    """For a sweep that freed time at these spots, in a unit of work of its own."""
    async with context.db.unit_of_work() as uow:
        freed = await saved_searches.freed_for_waiting_drivers(uow, context.clock, spot_ids)
    await tell_of_freed_spots(context, freed)


async def tell_of_freed_spots(context: ParkShareContext, freed: list[FreedSpot]) -> None:
    """What a use case's ``freed_for_waiting_drivers`` found, told to each driver."""
    for notice in freed:
        i18n = translator(notice.language)
        text = i18n.gettext("Good news: “{title}” near where you searched is free for {window}.")
        window = i18n.gettext("{start} – {end}").format(
            start=i18n.moment(notice.start_at, notice.timezone),
            end=i18n.moment(notice.end_at, notice.timezone),
        )
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                notice.telegram_id,
                text.format(title=html.escape(notice.spot_title), window=window),
                reply_markup=inline([[(notice.spot_title[:40], OpenSpot(notice.spot_id))]]),
            )
