"""Vehicle sizes in words: a size on its own ("small car"), and what a spot fits ("small
cars", as in "Fits: small cars")."""

from __future__ import annotations

from bot.i18n import N_
from core.db.models import VehicleSize

FITS_LABELS = {
    VehicleSize.MOTORBIKE: N_("motorbikes"),
    VehicleSize.SMALL: N_("small cars"),
    VehicleSize.MEDIUM: N_("cars up to medium size"),
    VehicleSize.LARGE: N_("cars up to large / SUV"),
    VehicleSize.VAN: N_("vans"),
}


VEHICLE_LABELS = {
    VehicleSize.MOTORBIKE: N_("motorbike"),
    VehicleSize.SMALL: N_("small car"),
    VehicleSize.MEDIUM: N_("medium car"),
    VehicleSize.LARGE: N_("large car / SUV"),
    VehicleSize.VAN: N_("van"),
}
