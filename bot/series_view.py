"""A weekly series in words: its stays one per line, what is free and what is taken, in the
spot's zone, for the driver's offer, /bookings and the owner's notice."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.telegram_text import fit_html
from core.db.models import Booking, Spot
from core.services.series import Plan


def stay_line(start: datetime, end: datetime, zone: str, i18n: Translator) -> str:
    """ "Thu, Dec 3 08:00 – 18:00"; a stay that ends on another day shows both days."""
    local = ZoneInfo(zone)
    same_day = start.astimezone(local).date() == end.astimezone(local).date()
    ends = i18n.clock(end, zone) if same_day else i18n.moment(end, zone)
    return i18n.gettext("{start} – {end}").format(start=i18n.moment(start, zone), end=ends)


def plan_text(plan: Plan, i18n: Translator) -> str:
    """The offer of a pattern at a spot: how many stays, their price, and which are taken."""
    _ = i18n.gettext
    spot, free, taken = plan.spot, plan.free, plan.taken
    lines = [
        _("🔁 <b>{title}</b> every week: {pattern}").format(
            title=html.escape(spot.title), pattern=html.escape(plan.pattern.text)
        )
    ]
    if free:
        lines.append(
            i18n.ngettext(
                "{count} stay, {price} in all.", "{count} stays, {price} in all.", len(free)
            ).format(count=len(free), price=i18n.money(plan.price))
        )
    if taken:
        lines.append("")
        lines.append(
            i18n.ngettext(
                "Already taken ({count}):", "Already taken ({count}):", len(taken)
            ).format(count=len(taken))
        )
        lines += [
            "• " + stay_line(o.window.start, o.window.end, spot.timezone, i18n) for o in taken
        ]
    if free:
        lines.append("")
        lines.append(_("Free:"))
        lines += ["• " + stay_line(o.window.start, o.window.end, spot.timezone, i18n) for o in free]
    return fit_html("\n".join(lines))


def series_text(spot: Spot, pattern: str, stays: list[Booking], i18n: Translator) -> str:
    """The stays of a series, each with its booking number; a month of a monthly pass has
    no pattern."""
    _ = i18n.gettext
    title = html.escape(spot.title)
    lines = [
        _("🔁 <b>{title}</b> every week: {pattern}").format(
            title=title, pattern=html.escape(pattern)
        )
        if pattern
        else _("🗓 <b>{title}</b>, monthly pass").format(title=title)
    ]
    lines += [
        _("#{id} · {stay}").format(
            id=stay.id, stay=stay_line(stay.start_at, stay.end_at, spot.timezone, i18n)
        )
        for stay in stays
    ]
    return fit_html("\n".join(lines))
