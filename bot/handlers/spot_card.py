"""A spot's card opened from the search results (see bot/spot_card_view.py), and the routes
to it in the driver's navigation apps."""

from __future__ import annotations

import html
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.incoming import chat_of
from bot.spot_buttons import Navigate, OpenSpot
from bot.spot_card_view import compose_spot_card, send_composed
from core.geo import GeoPoint
from core.guidance import route_links
from core.services import spots

log = logging.getLogger(__name__)


@on_button(OpenSpot)
async def spot_opened(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: OpenSpot
) -> None:
    # Read before the button is answered: a spot no longer listed is said on the button.
    card = await compose_spot_card(context, pressed.spot_id)
    await query.answer()
    await send_composed(context, chat_of(update).id, card)


@on_button(Navigate)
async def navigate(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: Navigate
) -> None:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        spot = (await spots.card(uow, pressed.spot_id)).spot
    await query.answer()
    search = context.user_data.search
    origin = GeoPoint(search.lat, search.lon) if search is not None else None
    links = route_links(
        GeoPoint(spot.lat, spot.lon), name=spot.title, origin=origin,
        chinese=context.language == "zh_Hans",
    )  # fmt: skip
    await context.bot.send_message(
        chat_of(update).id,
        _("Open the route to “{title}” in your navigation app:").format(
            title=html.escape(spot.title)
        ),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(link.app, url=link.url)] for link in links]
        ),
    )


def handlers() -> list[BaseHandler]:
    return [
        spot_opened,
        navigate,
    ]
