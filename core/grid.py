"""A fixed grid over the globe for nearest-spot search. Each spot stores the number of its cell;
a box around a driver becomes a few contiguous ranges of cell numbers (one per grid row), which
a plain B-tree index answers on SQLite and PostgreSQL alike, with no full scan."""

from __future__ import annotations

import math
from collections.abc import Callable

from core.geo import GeoPoint

CELL_DEG = 0.002  # about 220 m north-south; 135 m east-west at Berlin's latitude
ROW_STRIDE = 1_000_000  # more columns than a row can have (360 / CELL_DEG = 180,000)
METRES_PER_DEG_LAT = 111_320.0


def _row(lat: float) -> int:
    return math.floor((lat + 90.0) / CELL_DEG)


def _column(lon: float) -> int:
    return math.floor((lon + 180.0) / CELL_DEG)


def cell_of(point: GeoPoint) -> int:
    return _row(point.lat) * ROW_STRIDE + _column(point.lon)


def box_around(point: GeoPoint, radius_m: float) -> tuple[float, float, float, float]:
    """South, west, north, east of a box that contains the circle of ``radius_m``."""
    dlat = radius_m / METRES_PER_DEG_LAT
    cos_lat = max(math.cos(math.radians(point.lat)), 1e-6)
    dlon = min(radius_m / (METRES_PER_DEG_LAT * cos_lat), 180.0)
    return (
        max(point.lat - dlat, -90.0),
        max(point.lon - dlon, -180.0),
        min(point.lat + dlat, 90.0),
        min(point.lon + dlon, 180.0),
    )


def cell_ranges(south: float, west: float, north: float, east: float) -> list[tuple[int, int]]:
    """Inclusive ranges of cell numbers covering the box, one per grid row."""
    first_column, last_column = _column(west), _column(min(east, 180.0 - 1e-9))
    return [
        (row * ROW_STRIDE + first_column, row * ROW_STRIDE + last_column)
        for row in range(_row(south), _row(min(north, 90.0 - 1e-9)) + 1)
    ]


def metres_from(origin: GeoPoint) -> Callable[[float, float], float]:
    """The equirectangular distance from ``origin`` to a latitude and longitude, with the
    origin's scale worked out once: ranking hundreds of candidates needs nothing slower."""
    per_deg_lat = math.radians(6_371_008.8)
    per_deg_lon = per_deg_lat * math.cos(math.radians(origin.lat))
    lat0, lon0 = origin.lat, origin.lon

    def distance(lat: float, lon: float) -> float:
        return math.hypot((lon - lon0) * per_deg_lon, (lat - lat0) * per_deg_lat)

    return distance
