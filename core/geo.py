"""Places on the globe, validated on entry."""

from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.distance import geodesic

from core.errors import InvalidLocation


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        for value in (self.lat, self.lon):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidLocation(repr(value))
            if not math.isfinite(value):
                raise InvalidLocation(repr(value))
        if not -90.0 <= self.lat <= 90.0 or not -180.0 <= self.lon <= 180.0:
            raise InvalidLocation(f"{self.lat},{self.lon}")

    def to_latlon(self) -> tuple[float, float]:
        """geopy's order."""
        return (self.lat, self.lon)

    def to_lonlat(self) -> tuple[float, float]:
        """openrouteservice's (and GeoJSON's) order."""
        return (self.lon, self.lat)

    def distance_m(self, other: GeoPoint) -> float:
        return geodesic(self.to_latlon(), other.to_latlon()).meters
