"""A new listing as the managers read it, with the buttons to approve or reject it: sent when
the owner submits it and again on /pending."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.availability_view import describe_weekly
from bot.i18n import Translator
from bot.keyboards import CallbackData, inline
from bot.spot_view import fits_text
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, split_html
from core.services.spots import Decision

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModerateSpot(CallbackData):
    prefix = "mod"
    choices = {"action": frozenset({"approve", "reject", "back"})}  # noqa: RUF012
    action: str
    spot_id: int


def card_text(decision: Decision, i18n: Translator) -> str:
    spot, owner = decision.spot, decision.owner
    _ = i18n.gettext
    price = _("{price} per hour").format(price=i18n.money(spot.hourly_price))
    if spot.daily_price is not None:
        price += " · " + _("{price} per day").format(price=i18n.money(spot.daily_price))
    hours = "; ".join(describe_weekly(decision.weekly_hours, i18n))
    photos = len(spot.photos)
    lines = [
        _("🆕 <b>Listing #{id}: {title}</b>").format(id=spot.id, title=html.escape(spot.title)),
        "📍 " + html.escape(spot.address or f"{spot.lat:.5f}, {spot.lon:.5f}"),
        "💶 " + price,
        _("🕒 Regular hours: {hours}").format(
            hours=html.escape(hours) if hours else _("none, only one-off times")
        ),
        fits_text(spot, i18n),
        _("🔑 Access: {access}").format(
            access=html.escape(spot.access_instructions) if spot.access_instructions else "—"
        ),
        i18n.ngettext("📷 {count} photo", "📷 {count} photos", photos).format(count=photos),
        _("Owner's credit score: {score}").format(score=owner.credit_score),
    ]
    return "\n".join(lines)


def decision_keyboard(spot_id: int, i18n: Translator):
    _ = i18n.gettext
    return inline(
        [
            [
                (_("✅ Approve"), ModerateSpot("approve", spot_id)),
                (_("❌ Reject"), ModerateSpot("reject", spot_id)),
            ]
        ]
    )


def card_parts(decision: Decision, i18n: Translator) -> list[str]:
    """The card as sent: a photo's caption first when there is a photo (Telegram allows 1,024
    characters there), the rest in messages; the buttons go on the last part."""
    first_limit = MAX_CAPTION if decision.spot.photos else None
    return split_html(card_text(decision, i18n), MAX_TEXT, first_limit=first_limit)


async def post_listing_card(
    bot: ExtBot[None], chat_id: int, decision: Decision, i18n: Translator
) -> None:
    """A listing for the managers to decide on, in their language (``i18n``): where it is,
    then the card (on its first photo) with the buttons."""
    spot = decision.spot
    # Telegram refuses a venue without an address; a spot listed by location alone has none.
    address = spot.address or f"{spot.lat:.5f}, {spot.lon:.5f}"
    try:
        await bot.send_venue(
            chat_id, latitude=spot.lat, longitude=spot.lon, title=spot.title, address=address
        )
    except TelegramError:  # the pin is a convenience; the card must still arrive
        log.warning("a listing's venue could not be sent", exc_info=True)
    parts = card_parts(decision, i18n)
    keyboard = decision_keyboard(spot.id, i18n)
    if spot.photos:
        caption = parts.pop(0)
        await bot.send_photo(
            chat_id, spot.photos[0].telegram_file_id, caption=caption,
            reply_markup=None if parts else keyboard,
        )  # fmt: skip
    for number, part in enumerate(parts, start=1):
        await bot.send_message(
            chat_id, part, reply_markup=keyboard if number == len(parts) else None
        )
