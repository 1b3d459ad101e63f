"""What a spot offers, in the words the driver's card and the managers' listing card share."""

from __future__ import annotations

from bot.i18n import Translator
from bot.vehicle_labels import FITS_LABELS
from core.db.models import Spot


def fits_text(spot: Spot, i18n: Translator) -> str:
    """The vehicles a spot takes and its features: "Fits: small cars, covered, EV charger"."""
    _ = i18n.gettext
    features = [_(FITS_LABELS[spot.max_vehicle_size])]
    if spot.covered:
        features.append(_("covered"))
    if spot.ev_charger:
        features.append(_("EV charger"))
    return _("Fits: {features}").format(features=", ".join(features))
