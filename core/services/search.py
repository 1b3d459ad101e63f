"""Finding the nearest spots that are free for a driver's whole window.

The search reads a box of grid cells around the driver (see ``core.grid``), ranks what it finds
by distance, and checks availability for the nearest few in batches; when too few are free it
doubles the radius. Each round costs a handful of indexed queries, however large the city."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.engine import Connection

from core.availability import Interval, covers
from core.credit import CreditTier, tier_of
from core.db import search_view
from core.db.models import VehicleSize
from core.db.uow import Database
from core.errors import InvalidInput, InvalidLocation
from core.geo import GeoPoint
from core.grid import box_around, cell_ranges, metres_from
from core.money import Money
from core.pricing import price_of
from core.timezones import timezone_of
from core.window import Window

FIRST_RADIUS_M = 200.0
MAX_RADIUS_M = 25_000.0
MAX_RESULTS = 50
VEHICLE_ORDER = list(VehicleSize)


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


@dataclass(frozen=True, slots=True)
class SpotHit:
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


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SpotHit]
    # How far the search looked; an empty result says "nothing free within this distance".
    radius_m: float
    examined: int = 0


class Found(NamedTuple):
    """A candidate free for the window, and what was learnt of it on the way."""

    distance_m: float
    row: Row[Any]  # see ``search_view.BatchFacts.unbooked``
    price: Money  # of the window
    rating: float | None
    rating_count: int


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
) -> SearchResult:
    """The ``k`` approved spots nearest to ``point`` that are offered and unbooked for all of
    [start, end), in the requested order. Other orders rank a pool of the nearest free spots
    (three times ``k``), so "cheapest" never means "cheapest in the whole country"."""
    window = Window(start, end)
    window.check_bookable(now)
    if not 1 <= k <= MAX_RESULTS:
        raise InvalidInput(f"k={k}")
    sieve = _sieve(point, window.start)
    return await db.run_read(
        lambda session: _search(
            session.connection(), point, window, k, filters, order, max_radius_m, sieve
        )
    )


# Daylight saving moves a weekly rule's instants by up to an hour on the day it changes.
_DST_SLACK_MIN = 60


def _sieve(point: GeoPoint, start: datetime) -> dict[str, Any]:
    """What the candidates' query needs to leave out the spots that are surely not free: those
    booked in the window, and, in the driver's own timezone, those with no weekly rule or
    opening around the window's start (every covering interval contains the start)."""
    try:
        zone = timezone_of(point)
    except InvalidLocation:
        zone = ""  # at sea: no spot's timezone matches, so the rules are all checked in Python
    local = start.astimezone(ZoneInfo(zone)) if zone else start
    minute = local.hour * 60 + local.minute
    return {
        "zone": zone, "weekday": local.weekday(),
        "minute_early": minute - _DST_SLACK_MIN, "minute_late": minute + _DST_SLACK_MIN,
    }  # fmt: skip


def _search(
    connection: Connection,
    point: GeoPoint,
    window: Window,
    k: int,
    filters: SearchFilters,
    order: SortOrder,
    max_radius_m: float,
    sieve: dict[str, Any],
) -> SearchResult:
    wanted = k if order == SortOrder.NEAREST else 3 * k
    metres_to = metres_from(point)
    examined: set[int] = set()
    free: list[Found] = []
    radius = FIRST_RADIUS_M
    while True:
        ranked = sorted(
            (distance, spot_id)
            for spot_id, lat, lon in _candidates(connection, point, window, radius, filters, sieve)
            if spot_id not in examined and (distance := metres_to(lat, lon)) <= radius
        )
        examined.update(spot_id for _, spot_id in ranked)
        free.extend(_free_among(connection, ranked, window, filters, wanted - len(free)))
        if len(free) >= wanted or radius >= max_radius_m:
            break
        radius = min(radius * 2, max_radius_m)
    hits = _hits(free)
    return SearchResult(hits=_ordered(hits, order)[:k], radius_m=radius, examined=len(examined))


def _candidates(
    connection: Connection,
    point: GeoPoint,
    window: Window,
    radius: float,
    filters: SearchFilters,
    sieve: dict[str, Any],
) -> Sequence[Any]:
    """Ids and places of the approved spots around ``point`` that have what the filters ask
    for and may be free (see ``_sieve``)."""
    sizes = (
        None
        if filters.vehicle_size is None
        else tuple(VEHICLE_ORDER[VEHICLE_ORDER.index(filters.vehicle_size) :])
    )
    return search_view.candidates(
        connection,
        cell_ranges(*box_around(point, radius)),
        {**sieve, "start": window.start, "end": window.end},
        covered=filters.covered,
        ev_charger=filters.ev_charger,
        sizes=sizes,
    )


def _within_budget(price: Money, limit: Money | None) -> bool:
    return limit is None or (price.currency == limit.currency and price.minor <= limit.minor)


def _free_among(
    connection: Connection,
    candidates: list[tuple[float, int]],
    window: Window,
    filters: SearchFilters,
    wanted: int,
) -> list[Found]:
    """The nearest candidates free for the window, checked in batches until enough are found."""
    found: list[Found] = []
    # The candidates' query has left out most spots that are not free: a batch of a little
    # more than what is still wanted is usually the only one.
    batch_size = max(wanted + wanted // 2, 8)
    for first in range(0, len(candidates), batch_size):
        if len(found) >= wanted:
            break
        batch = candidates[first : first + batch_size]
        ids = [spot_id for _, spot_id in batch]
        facts = search_view.batch_facts(connection, ids, window.start, window.end)
        for distance, spot_id in batch:
            row = facts.unbooked.get(spot_id)
            if row is None:
                continue
            price = price_of(row, window)
            if not _within_budget(price, filters.max_price):
                continue
            windows = facts.windows.get(spot_id, ())
            if not covers(
                facts.rules.get(spot_id, ()),
                (Interval(w.start, w.end) for w in windows if not w.blocked),
                (Interval(w.start, w.end) for w in windows if w.blocked),
                ZoneInfo(row.timezone),
                window.start,
                window.end,
            ):
                continue
            rating = None if row.average is None else float(row.average)
            if filters.min_rating is not None and (rating or 0) < filters.min_rating:
                continue
            found.append(Found(distance, row, price, rating, row.rating_count))
    return found


def _hits(free: Iterable[Found]) -> list[SpotHit]:
    return [_hit(found) for found in sorted(free, key=lambda found: found.distance_m)]


def _hit(found: Found) -> SpotHit:
    row = found.row
    # The equirectangular distance is within a metre or two at these ranges; the geodesic
    # would cost more than the rest of the search together.
    return SpotHit(
        spot_id=row.id,
        title=row.title,
        address=row.address,
        point=GeoPoint(row.lat, row.lon),
        timezone=row.timezone,
        distance_m=round(found.distance_m),
        price=found.price,
        hourly_price=Money.of_row(row, "hourly_price"),
        rating=round(found.rating, 2) if found.rating is not None else None,
        rating_count=found.rating_count,
        covered=row.covered,
        ev_charger=row.ev_charger,
        max_vehicle_size=VehicleSize(row.max_vehicle_size),
        owner_id=row.owner_id,
        owner_tier=tier_of(row.credit_score),
    )


def _ordered(hits: list[SpotHit], order: SortOrder) -> list[SpotHit]:
    if order == SortOrder.CHEAPEST:
        return sorted(hits, key=lambda hit: (hit.price.minor, hit.distance_m))
    if order == SortOrder.BEST_RATED:
        return sorted(hits, key=lambda hit: (-(hit.rating or 0), -hit.rating_count, hit.distance_m))
    return sorted(hits, key=lambda hit: hit.distance_m)


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
