"""Places on the globe, validated on entry."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
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

    @classmethod
    def stored(cls, lat: float, lon: float) -> GeoPoint:
        """A point read back from the store, checked when it was written: a search builds one
        for every hit, where checking again cost a quarter of the hit."""
        point = object.__new__(cls)
        object.__setattr__(point, "lat", lat)
        object.__setattr__(point, "lon", lon)
        return point

    def to_latlon(self) -> tuple[float, float]:
        """geopy's order."""
        return (self.lat, self.lon)

    def to_lonlat(self) -> tuple[float, float]:
        """openrouteservice's (and GeoJSON's) order."""
        return (self.lon, self.lat)

    def distance_m(self, other: GeoPoint) -> float:
        meters: float = geodesic(self.to_latlon(), other.to_latlon()).meters
        return meters


METRES_PER_DEG_LAT = 111_320.0


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


# The equirectangular scale of one degree of latitude, on the mean sphere.
METRES_PER_DEG = math.radians(6_371_008.8)


def metres_per_deg_lon(lat: float) -> float:
    return METRES_PER_DEG * math.cos(math.radians(lat))


def metres_from(origin: GeoPoint) -> Callable[[float, float], float]:
    """The equirectangular distance from ``origin`` to a latitude and longitude, with the
    origin's scale worked out once: ranking hundreds of candidates needs nothing slower."""
    per_deg_lat, per_deg_lon = METRES_PER_DEG, metres_per_deg_lon(origin.lat)
    lat0, lon0 = origin.lat, origin.lon

    def distance(lat: float, lon: float) -> float:
        return math.hypot((lon - lon0) * per_deg_lon, (lat - lat0) * per_deg_lat)

    return distance


# One coordinate as people type it: decimal degrees (point or comma), or degrees with minutes
# and seconds, with a sign or a hemisphere letter.
_NUMBER = r"\d+(?:[.,]\d+)?"
_DEGREE_MARKS = "°º˚"
_MINUTE_MARKS = "'′’"
_SECOND_MARKS = '"″”'


def _coordinate(tag: str, *, letter_after: bool) -> str:
    return (
        rf"(?P<pre{tag}>[NSEW])?\s*(?P<sign{tag}>[-+−])?\s*"
        rf"(?P<deg{tag}>{_NUMBER})\s*(?P<mark{tag}>[{_DEGREE_MARKS}])?"
        rf"(?:\s*(?P<min{tag}>{_NUMBER})\s*[{_MINUTE_MARKS}])?"
        rf"(?:\s*(?P<sec{tag}>{_NUMBER})\s*(?:[{_SECOND_MARKS}]|''))?"
        + (rf"\s*(?P<post{tag}>[NSEW])?" if letter_after else rf"(?P<post{tag}>)")
    )


# Hemisphere letters after each number ("52.5 N 13.4 E"), or before it ("N 52.5 E 13.4"): the
# second reading keeps "E" from being taken as the first number's letter.
_PAIRS = tuple(
    re.compile(
        rf"^\s*{_coordinate('a', letter_after=after)}\s*(?:[,;/]\s*|\s+)"
        rf"{_coordinate('b', letter_after=after)}\s*$",
        re.IGNORECASE,
    )
    for after in (True, False)
)


def parse_coordinates(text: str) -> GeoPoint | None:
    """The point a person typed as coordinates ("52.5200, 13.4050", "52,52 13,405",
    "52°31'12\\"N 13°24'18\\"E", "52° 31.2' N, 13° 24.3' E"), or None when the text is not
    coordinates. Latitude comes first unless hemisphere letters say otherwise. Two bare whole
    numbers ("52 13") are not read as a place: they are more likely a time or a house number."""
    if len(text) > 80:
        return None
    for pair in _PAIRS:
        if (match := pair.match(text)) and (point := _point(match)):
            return point
    return None


def _point(match: re.Match[str]) -> GeoPoint | None:
    first_part, second_part = _degrees(match, "a"), _degrees(match, "b")
    if first_part is None or second_part is None:
        return None
    (first, first_axis), (second, second_axis) = first_part, second_part
    if not any(
        match[f"mark{tag}"] or match[f"min{tag}"] or re.search(r"[.,]", match[f"deg{tag}"])
        for tag in ("a", "b")
    ):
        return None
    axes = (first_axis, second_axis)
    if axes in (("lon", "lat"), ("lon", None), (None, "lat")):
        first, second = second, first
    elif axes not in ((None, None), ("lat", "lon"), ("lat", None), (None, "lon")):
        return None
    try:
        return GeoPoint(first, second)
    except InvalidLocation:
        return None


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _degrees(match: re.Match[str], tag: str) -> tuple[float, str | None] | None:
    """One coordinate in signed decimal degrees and the axis its hemisphere letter names."""
    pre, post = match[f"pre{tag}"], match[f"post{tag}"]
    if pre and post:
        return None
    hemisphere = (pre or post or "").upper()
    degrees = _number(match[f"deg{tag}"])  # the pattern requires them
    minutes, seconds = (
        _number(value) if value else None for value in (match[f"min{tag}"], match[f"sec{tag}"])
    )
    if seconds is not None and minutes is None:
        return None
    if minutes is not None:
        # Minutes only after whole degrees, seconds only after whole minutes; each below 60.
        if not degrees.is_integer() or minutes >= 60 or (seconds or 0) >= 60:
            return None
        if seconds is not None and not minutes.is_integer():
            return None
        degrees += minutes / 60 + (seconds or 0) / 3600
    negative = match[f"sign{tag}"] in ("-", "−")
    if hemisphere and match[f"sign{tag}"]:
        return None
    if hemisphere in ("S", "W"):
        negative = True
    axis = {"N": "lat", "S": "lat", "E": "lon", "W": "lon"}.get(hemisphere)
    return (-degrees if negative else degrees), axis
