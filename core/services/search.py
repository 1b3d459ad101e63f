"""Finding the nearest spots that are free for a driver's whole window.

One statement on each store's own spatial index answers a search (see
``core.db.search_view``): nearest first, free for the window as ``spot_free_time`` knows it,
with the filters, ``k`` rows. Here are the prices, distances and orders of what it returns."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import Row

from core.credit import CreditTier, tier_of
from core.db import search_view
from core.db.models import VehicleSize
from core.db.uow import Database
from core.errors import InvalidInput
from core.free_time import epoch_seconds
from core.geo import METRES_PER_DEG, GeoPoint, metres_from, metres_per_deg_lon
from core.money import Money
from core.neighbourhood import OPEN_TO_ALL_WITHIN
from core.pricing import MINUTES_PER_DAY, price_for_minutes
from core.requirements import Requirements, requirements_of
from core.window import Window

# Small, so that a dense city (a thousand spots a km², 150 within 200 m) reads little more
# than it needs; each ring is read once, so starting small costs a sparse one a few R*Tree
# probes more.
FIRST_RADIUS_M = 50.0
# Each wider circle's radius over the last's: by half the area at a time, a search that just
# misses at one radius reads half as many spots at the next as it would by doubling it.
RADIUS_GROWTH = math.sqrt(2)
MAX_RADIUS_M = 25_000.0
MAX_RESULTS = 50
# A search reads at most this many spots: past it, the answer is what lies within the radius
# read so far ("nothing free within 2 km") rather than a scan of the whole city.
MAX_EXAMINED = 10_000


class SortOrder(StrEnum):
    NEAREST = "nearest"
    CHEAPEST = "cheapest"
    BEST_RATED = "best_rated"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    max_price: Money | None = None  # for the whole window
    ev_charger: bool = False
    covered: bool = False
    vehicle_size: VehicleSize | None = None
    min_rating: float | None = None
    # Only spots offered by the month (a pass can be taken there).
    monthly: bool = False


class SpotHit(NamedTuple):
    """A spot a search found. A named tuple: a search builds one for every hit, and a frozen
    dataclass of these fields cost twice as much to build."""

    spot_id: int
    title: str
    address: str
    point: GeoPoint
    timezone: str
    distance_m: int
    price: Money  # for the requested window
    hourly_price: Money
    rating: float | None
    rating_count: int
    covered: bool
    ev_charger: bool
    max_vehicle_size: VehicleSize
    owner_id: int
    owner_tier: CreditTier
    # What the owner asks of drivers; a driver who falls short sees the spot marked, with why.
    requirements: Requirements


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SpotHit]
    # How far the search looked; an empty result says "nothing free within this distance".
    radius_m: float


async def nearest_free(
    db: Database,
    *,
    point: GeoPoint,
    start: datetime,
    end: datetime,
    now: datetime,
    k: int = 10,
    filters: SearchFilters = SearchFilters(),
    order: SortOrder = SortOrder.NEAREST,
    max_radius_m: float = MAX_RADIUS_M,
    max_examined: int = MAX_EXAMINED,
) -> SearchResult:
    """The ``k`` approved spots nearest to ``point`` that are offered and unbooked for all of
    [start, end), in the requested order. Other orders rank a pool of the nearest free spots
    (three times ``k``), so "cheapest" never means "cheapest in the whole country". At most
    ``max_examined`` spots are read; the result's radius says how far that reached."""
    window = Window(start, end)
    window.check_bookable(now)
    if not 1 <= k <= MAX_RESULTS:
        raise InvalidInput(f"k={k}")
    wanted = k if order == SortOrder.NEAREST else 3 * k
    place = search_view.Place(point.lat, point.lon, METRES_PER_DEG, _metres_per_deg_lon(point))
    asked = _asked(window, filters, wanted, max_radius_m, max_examined, now)
    found = await search_view.nearest_free(db, place, asked, _shape(filters))
    metres_to = metres_from(point)
    minutes = _minutes(window)
    hits = [_hit(spot, minutes, metres_to(spot.lat, spot.lon)) for spot in found.spots]
    return SearchResult(
        hits=_ordered(hits, order)[:k],
        radius_m=_reach(found, hits, wanted, max_radius_m),
    )


def _metres_per_deg_lon(point: GeoPoint) -> float:
    # At the poles a degree of longitude is no distance; keep the box finite.
    return max(metres_per_deg_lon(point.lat), 1.0)


def _minutes(window: Window) -> int:
    """The window's length as pricing counts it: every started minute."""
    return math.ceil(window.length.total_seconds() / 60)


def _asked(
    window: Window,
    filters: SearchFilters,
    wanted: int,
    max_radius_m: float,
    max_examined: int,
    now: datetime,
) -> search_view.Asked:
    days, rest = divmod(_minutes(window), MINUTES_PER_DAY)
    limit = filters.max_price
    return search_view.Asked(
        start_s=epoch_seconds(window.start), end_s=epoch_seconds(window.end), wanted=wanted,
        first_radius_m=min(FIRST_RADIUS_M, max_radius_m), max_radius_m=max_radius_m,
        max_examined=max_examined, growth=RADIUS_GROWTH,
        days=days, rest_minutes=rest, currency="" if limit is None else limit.currency,
        price_limit_minor=0 if limit is None else limit.minor,
        min_rating=filters.min_rating or 0.0,
        open_to_all_until_s=epoch_seconds(now + OPEN_TO_ALL_WITHIN),
    )  # fmt: skip


def _shape(filters: SearchFilters) -> search_view.Shape:
    return search_view.Shape(
        covered=filters.covered, ev_charger=filters.ev_charger, min_size=filters.vehicle_size,
        max_price=filters.max_price is not None, min_rating=filters.min_rating is not None,
        monthly=filters.monthly,
    )  # fmt: skip


def _reach(
    found: search_view.Found, hits: list[SpotHit], wanted: int, max_radius_m: float
) -> float:
    """How far the search looked: as the statement says when it says (SQLite always;
    PostgreSQL when it found fewer than it wanted), otherwise the first of the growing radii
    that holds what it found."""
    if found.radius_m is not None:
        return found.radius_m
    radius = min(FIRST_RADIUS_M, max_radius_m)
    farthest = max((hit.distance_m for hit in hits), default=0)
    while radius < farthest and radius < max_radius_m:
        radius = min(radius * RADIUS_GROWTH, max_radius_m)
    return radius


def _hit(spot: search_view.FoundSpot, minutes: int, distance_m: float) -> SpotHit:
    # The equirectangular distance is within a metre or two at these ranges; the geodesic
    # would cost more than the rest of the search together.
    price, hourly = _prices(spot.hourly_price_minor, spot.daily_price_minor, spot.currency, minutes)
    return SpotHit(
        spot_id=spot.id,
        title=spot.title,
        address=spot.address,
        point=GeoPoint.stored(spot.lat, spot.lon),
        timezone=spot.timezone,
        distance_m=round(distance_m),
        price=price,
        hourly_price=hourly,
        rating=None if spot.average is None else round(float(spot.average), 2),
        rating_count=spot.rating_count,
        covered=bool(spot.covered),
        ev_charger=bool(spot.ev_charger),
        max_vehicle_size=VehicleSize(spot.max_vehicle_size),
        owner_id=spot.owner_id,
        owner_tier=tier_of(spot.credit_score),
        requirements=requirements_of(spot.min_driver_tier, spot.min_completed_stays),
    )


def _prices(hourly: int, daily: int | None, currency: str, minutes: int) -> tuple[Money, Money]:
    """A window's price and the hourly price, as ``core.pricing`` reckons them."""
    hourly_price = Money.listed(hourly, currency)
    day_price = None if not daily else Money.listed(daily, currency)
    return price_for_minutes(hourly_price, day_price, minutes), hourly_price


def _ordered(hits: list[SpotHit], order: SortOrder) -> list[SpotHit]:
    if order == SortOrder.CHEAPEST:
        return sorted(hits, key=lambda hit: (hit.price.minor, hit.distance_m))
    if order == SortOrder.BEST_RATED:
        return sorted(hits, key=lambda hit: (-(hit.rating or 0), -hit.rating_count, hit.distance_m))
    # As the store ranked them, ties as its search met them: one asking for more begins alike.
    return hits


# Spots within this distance of an area's first spot count as one area ("Berlin").
AREA_RADIUS_M = 30_000.0


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """Where ParkShare has approved spots, for a driver who searched far from all of them."""

    name: str
    spots: int
    # From the searched point to the area's nearest spot.
    distance_m: float


@dataclass(frozen=True, slots=True)
class _Area:
    """Approved spots gathered around the first one found, their seed."""

    metres_to_seed: Callable[[float, float], float]
    members: list[Row[float, float, str, str]]


async def service_areas(db: Database, *, point: GeoPoint, limit: int = 3) -> list[ServiceArea]:
    """The areas with approved spots, nearest to ``point`` first, each named by what its spots'
    addresses share ("Torstraße 12, Berlin" and "Kantstraße 3, Berlin" are in "Berlin"), or by
    its timezone's city when the addresses say nothing. Read only when a search found nothing,
    so it may look at every approved spot."""
    rows = await db.run_read(search_view.approved_places)
    areas: list[_Area] = []
    for row in rows:
        for area in areas:
            if area.metres_to_seed(row.lat, row.lon) <= AREA_RADIUS_M:
                area.members.append(row)
                break
        else:
            areas.append(_Area(metres_from(GeoPoint(row.lat, row.lon)), [row]))
    found = [
        ServiceArea(
            name=_area_name(area.members),
            spots=len(area.members),
            distance_m=min(point.distance_m(GeoPoint(row.lat, row.lon)) for row in area.members),
        )
        for area in areas
    ]
    return sorted(found, key=lambda area: area.distance_m)[:limit]


def _area_name(members: Sequence[Any]) -> str:
    """The address part most of the area's spots share, leaving out house numbers and postcodes;
    of parts shared equally, the one written first (the city before the country)."""
    counts: dict[str, int] = defaultdict(int)
    first_seen: dict[str, int] = {}
    for row in members:
        for position, part in enumerate(part.strip() for part in row.address.split(",")):
            if part and not any(character.isdigit() for character in part):
                counts[part] += 1
                first_seen[part] = min(first_seen.get(part, position), position)
    if counts:
        return max(counts, key=lambda part: (counts[part], -first_seen[part]))
    zone: str = max({row.timezone for row in members}, key=[row.timezone for row in members].count)
    return zone.rsplit("/", 1)[-1].replace("_", " ")
