"""The IANA timezone of a place, found offline."""

from __future__ import annotations

from functools import cache

from timezonefinder import TimezoneFinder

from core.errors import InvalidLocation
from core.geo import GeoPoint


@cache
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def timezone_of(point: GeoPoint) -> str:
    """The zone a spot keeps its hours in. Open sea has only nautical ``Etc/`` zones: no spots."""
    zone = _finder().timezone_at(lat=point.lat, lng=point.lon)
    if zone is None or zone.startswith("Etc/"):
        raise InvalidLocation(f"{point.lat},{point.lon}", reason="at_sea")
    return zone
