"""What a banned person reads, wherever the ban reaches them."""

from __future__ import annotations

import html

from bot.i18n import translator


def banned_notice(language: str, reason: str | None) -> str:
    _ = translator(language).gettext
    return _(
        "Your ParkShare account is suspended: {reason}. You can't search, list or book. Your "
        "existing bookings are with our managers, who will contact you here."
    ).format(reason=html.escape(reason or _("a manager's decision")))
