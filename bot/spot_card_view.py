"""A spot's card for a driver: photo, place, price for their window, distance, driving time,
rating, features and what the owner asks of drivers, with Book and Navigate buttons; from a
search result or a link shared in any chat."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.drafts import SearchDraft
from bot.i18n import Translator
from bot.keyboards import Button, inline
from bot.pass_messages import offer_line
from bot.requirement_text import asked_lines, why_not
from bot.spot_buttons import BookSpot, Navigate, TakePass
from bot.spot_view import fits_text
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, fit_html
from core.db.models import Spot
from core.geo import GeoPoint
from core.pricing import price_of
from core.services import passes, people, spots
from core.window import DEFAULT_WINDOW, Window, window_for

log = logging.getLogger(__name__)


def _window(
    context: ParkShareContext, zone: str, search: SearchDraft | None
) -> tuple[datetime, datetime]:
    if search is not None:
        return datetime.fromisoformat(search.start_at), datetime.fromisoformat(search.end_at)
    window = window_for(DEFAULT_WINDOW, context.clock.now(), zone)
    return window.start, window.end


@dataclass(frozen=True, slots=True)
class SpotCardMessage:
    spot: Spot
    text: str
    keyboard: InlineKeyboardMarkup


async def compose_spot_card(
    context: ParkShareContext, spot_id: int, *, from_link: bool = False
) -> SpotCardMessage:
    """Everything the card says, read at once; ``SpotNotFound`` for a spot not listed. From a
    link shared elsewhere, the driver's own last search (its time, its place) is no guide."""
    search = None if from_link else context.user_data.search
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        details = await spots.card(uow, spot_id)
        monthly = await passes.offer_of(uow, spot_id)
        asked = details.spot.requirements
        short = (
            (await people.driver_record(uow, context.person_id)).short_of(asked)
            if asked.any
            else []
        )
    spot = details.spot
    start, end = _window(context, spot.timezone, search)
    text = "\n".join([await _card_text(context, details, start, end, search),
                      *asked_lines(asked, context.i18n)])  # fmt: skip
    rows: list[list[Button]] = [
        [(_("📅 Book"), BookSpot(spot.id)), (_("🧭 Navigate"), Navigate(spot.id))]
    ]
    if monthly is not None:
        text += "\n" + offer_line(monthly, context.i18n)
        rows.append([(_("🗓 Monthly pass"), TakePass("quote", spot.id))])
    if short:
        # The way there stays open; booking waits until the driver meets what is asked.
        text += "\n\n" + why_not(short, context.i18n)
        rows = [[(_("🧭 Navigate"), Navigate(spot.id))]]
    return SpotCardMessage(spot, text, inline(rows))


async def send_composed(context: ParkShareContext, chat_id: int, card: SpotCardMessage) -> None:
    """The card, with the photo when the owner sent one (the map pin above it when not)."""
    spot = card.spot
    if spot.photos:
        await context.bot.send_photo(
            chat_id, spot.photos[0].telegram_file_id, caption=fit_html(card.text, MAX_CAPTION),
            reply_markup=card.keyboard,
        )  # fmt: skip
    else:
        await _send_venue(context, chat_id, spot)
        await context.bot.send_message(
            chat_id, fit_html(card.text, MAX_TEXT), reply_markup=card.keyboard
        )


async def _send_venue(context: ParkShareContext, chat_id: int, spot: Spot) -> None:
    """The map pin above the card: a convenience, so the card with its Book button follows
    even when Telegram refuses the pin."""
    try:
        await context.bot.send_venue(
            chat_id, latitude=spot.lat, longitude=spot.lon, title=spot.title,
            address=spot.address or f"{spot.lat:.5f}, {spot.lon:.5f}",
        )  # fmt: skip
    except TelegramError:
        log.warning("a spot's venue could not be sent", exc_info=True)


async def _card_text(
    context: ParkShareContext,
    details: spots.SpotCard,
    start: datetime,
    end: datetime,
    search: SearchDraft | None,
) -> str:
    i18n: Translator = context.i18n
    _ = i18n.gettext
    spot = details.spot
    hourly = spot.hourly_price
    price = price_of(spot, Window(start, end))
    lines = [
        f"<b>{html.escape(spot.title)}</b>",
        html.escape(spot.address),
        _("{price} for {start} – {end} ({hourly} per hour)").format(
            price=i18n.money(price), start=i18n.moment(start, spot.timezone),
            end=i18n.moment(end, spot.timezone), hourly=i18n.money(hourly),
        ),
    ]  # fmt: skip
    if search is not None:
        origin = GeoPoint(search.lat, search.lon)
        eta = await context.bot_data.router.eta(origin, GeoPoint(spot.lat, spot.lon))
        minutes = max(round(eta.duration_s / 60), 1)
        template = (
            _("🚗 about {minutes} min, {distance} (estimated)")
            if eta.estimated
            else _("🚗 {minutes} min, {distance} by car")
        )
        lines.append(template.format(minutes=minutes, distance=i18n.distance(eta.distance_m)))
    if details.rating is not None:
        lines.append(
            i18n.ngettext(
                "★ {rating} from {count} stay",
                "★ {rating} from {count} stays",
                details.rating_count,
            ).format(rating=i18n.number(round(details.rating, 1)), count=details.rating_count)
        )
    else:
        lines.append(_("New listing, no ratings yet"))
    lines.append(fits_text(spot, i18n))
    return "\n".join(lines)
