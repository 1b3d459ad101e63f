"""How a stay reads to people: one booking number, its window in the spot's timezone, and the
time its extensions added."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import Translator
from core.db.models import Spot
from core.services.stays import Stay


def duration_text(length: timedelta, i18n: Translator) -> str:
    """'2 h', '30 min', '1 h 30 min' in the reader's language and plural forms."""
    minutes = int(length.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(i18n.ngettext("{count} h", "{count} h", hours).format(count=hours))
    if minutes or not parts:
        parts.append(i18n.ngettext("{count} min", "{count} min", minutes).format(count=minutes))
    return " ".join(parts)


def window_text(stay: Stay, spot: Spot, i18n: Translator) -> str:
    """'Booking #12 · 1/6/26, 09:00 – 1/6/26, 13:00 (extended by 2 h)'."""
    _ = i18n.gettext
    window = _("{start} – {end}").format(
        start=i18n.moment(stay.start_at, spot.timezone), end=i18n.moment(stay.end_at, spot.timezone)
    )
    if stay.extensions:
        window += " " + _("(extended by {duration})").format(
            duration=duration_text(stay.added, i18n)
        )
    return _("Booking #{id} · {window}").format(id=stay.id, window=window)
