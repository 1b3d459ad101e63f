"""Spot cards in any chat: typing @<bot> offers the spots free near the sender for the next
hours (their location when their app shares it, else the place typed after the bot's name),
each with its photo, price and a "Book in ParkShare" link that opens the spot in the bot and
names who shared it. A card sent to a chat is counted as a share."""

from __future__ import annotations

import html
import re

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, ChosenInlineResultHandler, InlineQueryHandler

from bot.context import ParkShareContext
from bot.i18n import Translator
from bot.spot_links import spot_link
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, fit_html
from core.errors import DomainError, GeocoderUnavailable
from core.geo import GeoPoint
from core.geocoding import locate_typed
from core.services import people, referrals, spots
from core.services.search import SpotHit, nearest_free
from core.timezones import timezone_of
from core.window import DEFAULT_WINDOW, window_for

CARDS = 10
# Fewer letters than this name no place yet: the geocoder is not asked at every keystroke.
MIN_PLACE_LENGTH = 3
# Results depend on who asks (their link) and on time: kept by Telegram only briefly.
CACHE_S = 30
RESULT_ID = re.compile(r"^spot:(\d{1,12})$")


async def spot_cards(update: Update, context: ParkShareContext) -> None:
    query = update.inline_query
    assert query is not None
    i18n = context.i18n
    if await _banned(context):
        # Nothing to hand on in others' chats: the bot's own chat tells them why.
        await query.answer([], cache_time=0, is_personal=True)
        return
    hits = await _spots_near(context, query)
    if hits is None:
        await _answer(
            query, [], cache_time=0,
            button=InlineQueryResultsButton(
                i18n.gettext("📍 Share your location, or type a place"), start_parameter="driver"
            ),
        )  # fmt: skip
        return
    async with context.db.unit_of_work() as uow:
        code = await referrals.code_of(uow, context.person_id)
        photos = await spots.first_photos(uow, [hit.spot_id for hit in hits])
    username = context.bot.username
    results = [
        _card(hit, spot_link(username, hit.spot_id, code), photos.get(hit.spot_id), i18n)
        for hit in hits
    ]
    await _answer(query, results, cache_time=CACHE_S)


async def _spots_near(context: ParkShareContext, query: InlineQuery) -> list[SpotHit] | None:
    """The free spots near the sender's location or the place typed; None when the query
    names no place (yet: each keystroke asks again), or one no spot can be at."""
    text = query.query.strip()
    try:
        if query.location is not None:
            point = GeoPoint(query.location.latitude, query.location.longitude)
        elif len(text) >= MIN_PLACE_LENGTH:
            point = (
                await locate_typed(context.bot_data.geocoder, text, language=context.language)
            ).point
        else:
            return None
        now = context.clock.now()
        window = window_for(DEFAULT_WINDOW, now, timezone_of(point))
        found = await nearest_free(
            context.db, point=point, start=window.start, end=window.end, now=now, k=CARDS
        )
    except (DomainError, GeocoderUnavailable):
        return None  # a place not found, at sea, or out of the bookable range
    return found.hits


async def _answer(query: InlineQuery, results: list, **options) -> None:
    """Answered privately (each link names its sender); a query the person typed past before
    the answer came is too old to answer, and nobody waits for it."""
    try:
        await query.answer(results, is_personal=True, **options)
    except BadRequest as error:
        if "query is too old" not in error.message:
            raise


def _card(hit: SpotHit, link: str, photo: str | None, i18n: Translator):
    _ = i18n.gettext
    rating = (
        _("★{rating} ({count})").format(
            rating=i18n.number(round(hit.rating, 1)), count=hit.rating_count
        )
        if hit.rating is not None
        else _("new")
    )
    summary = _("{hourly} per hour · {rating} · {distance}").format(
        hourly=i18n.money(hit.hourly_price), rating=rating, distance=i18n.distance(hit.distance_m)
    )
    text = "\n".join([
        f"🅿️ <b>{html.escape(hit.title)}</b>",
        html.escape(hit.address),
        html.escape(summary),
        _("Private parking on ParkShare: book it in the bot, pay safely, and the money is held "
          "until the stay is over."),
    ])  # fmt: skip
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(_("📅 Book in ParkShare"), url=link)]])
    result_id = f"spot:{hit.spot_id}"
    if photo is not None:
        return InlineQueryResultCachedPhoto(
            result_id, photo, title=hit.title, description=summary,
            caption=fit_html(text, MAX_CAPTION), parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )  # fmt: skip
    return InlineQueryResultArticle(
        result_id, hit.title,
        InputTextMessageContent(fit_html(text, MAX_TEXT), parse_mode=ParseMode.HTML),
        description=summary, reply_markup=keyboard,
    )  # fmt: skip


async def _banned(context: ParkShareContext) -> bool:
    standing = context.standing or await people.standing(context.db, context.person_id)
    return standing is not None and standing.banned


async def card_sent(update: Update, context: ParkShareContext) -> None:
    chosen = update.chosen_inline_result
    assert chosen is not None
    if (match := RESULT_ID.match(chosen.result_id)) is None or await _banned(context):
        return  # not a card of ours (or not one we offered): nothing to count
    async with context.db.unit_of_work() as uow:
        await referrals.shared(
            uow, context.clock, person_id=context.person_id, spot_id=int(match.group(1))
        )


def handlers() -> list[BaseHandler]:
    return [InlineQueryHandler(spot_cards), ChosenInlineResultHandler(card_sent)]
