"""An owner's spot as /myspots and /portfolio show it: its state, price and hours, and the
buttons that change it (for its owner, or the operator who manages it)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from bot.availability_view import describe_weekly
from bot.i18n import N_, Translator
from bot.keyboards import inline
from bot.requirement_text import asked_lines
from bot.spot_buttons import ManageSpot, OfferMonthly, SetRequirements
from core.availability import WeeklyRule
from core.db.models import Spot
from core.status import SpotStatus

STATUS_LABELS = {
    SpotStatus.DRAFT: N_("draft"),
    SpotStatus.PENDING: N_("waiting for review"),
    SpotStatus.APPROVED: N_("listed"),
    SpotStatus.PAUSED: N_("paused"),
    SpotStatus.REJECTED: N_("not approved"),
    SpotStatus.DELETED: N_("deleted"),
}


def describe(spot: Spot, rules: list[WeeklyRule], i18n: Translator) -> str:
    _ = i18n.gettext
    price = i18n.money(spot.hourly_price)
    hours = "; ".join(describe_weekly(rules, i18n)) or _("only the times you add one by one")
    text = _("<b>{title}</b> — {status}\n{price} per hour\nRegular hours: {hours}").format(
        title=html.escape(spot.title), status=_(STATUS_LABELS[spot.status]), price=price,
        hours=html.escape(hours),
    )  # fmt: skip
    return "\n".join([text, *asked_lines(spot.requirements, i18n)])


def keyboard(spot: Spot, i18n: Translator) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    first_row = []
    if spot.status == SpotStatus.PAUSED:
        first_row.append((_("▶️ Resume"), ManageSpot("resume", spot.id)))
    elif spot.status == SpotStatus.APPROVED:
        first_row.append((_("⏸ Pause"), ManageSpot("pause", spot.id)))
    # Two a row: four would cut "Возобновить" and its like on a phone.
    first_row.append((_("✏️ Prices"), ManageSpot("prices", spot.id)))
    return inline([
        first_row,
        [(_("🕒 Hours"), ManageSpot("hours", spot.id)),
         (_("📷 Photos"), ManageSpot("photos", spot.id))],
        [(_("🗓 Monthly"), OfferMonthly("start", spot.id)),
         (_("🗑 Delete"), ManageSpot("delete", spot.id))],
        [(_("🔒 Who can book"), SetRequirements("show", spot.id))],
    ])  # fmt: skip
