"""Finding the nearest spots that are free for a driver's whole window.

The search reads a box of grid cells around the driver (see ``core.grid``), ranks what it finds
by distance, and checks availability for the nearest few in batches; when too few are free it
doubles the radius. Each round costs a handful of indexed queries, however large the city."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection

from core.availability import Interval, WeeklyRule, covers, weekdays_touching
from core.clock import ensure_utc
from core.db.models import (
    AvailabilityRule,
    AvailabilityWindow,
    Booking,
    Person,
    Rating,
    Spot,
    VehicleSize,
)
from core.db.uow import Database
from core.errors import (
    BookingTooLong,
    InvalidInput,
    InvalidLocation,
    InvalidWindow,
    WindowInPast,
)
from core.geo import GeoPoint
from core.grid import box_around, cell_ranges, metres_from
from core.money import Money
from core.pricing import price_for_window
from core.services.bookings import MAX_BOOKING_LENGTH, PAST_GRACE
from core.status import LIVE_BOOKING_STATUSES, SpotStatus
from core.timezones import timezone_of

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
    owner_credit_score: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SpotHit]
    # How far the search looked; an empty result says "nothing free within this distance".
    radius_m: float
    examined: int = 0


# What a hit shows; read only for the candidates whose availability is being checked.
_DETAIL_COLUMNS = (
    Spot.id,
    Spot.lat,
    Spot.lon,
    Spot.title,
    Spot.address,
    Spot.timezone,
    Spot.currency,
    Spot.hourly_price_minor,
    Spot.daily_price_minor,
    Spot.covered,
    Spot.ev_charger,
    Spot.max_vehicle_size,
    Spot.owner_id,
    Person.credit_score,
)
# A candidate found in the grid, and the price of the window at it.
Found = tuple[float, Any, Money, tuple[float | None, int]]


def _check_query(start: datetime, end: datetime, now: datetime, k: int) -> None:
    if end <= start:
        raise InvalidWindow(f"{start} >= {end}")
    if end - start > MAX_BOOKING_LENGTH:
        raise BookingTooLong(str(end - start))
    if start < now - PAST_GRACE:
        raise WindowInPast(str(start))
    if not 1 <= k <= MAX_RESULTS:
        raise InvalidInput(f"k={k}")


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
    start, end, now = ensure_utc(start), ensure_utc(end), ensure_utc(now)
    _check_query(start, end, now, k)
    sieve = _sieve(point, start, end)
    return await db.run_read(
        # Core statements on the session's connection: the ORM's result machinery would cost
        # more than the queries themselves.
        lambda session: _search(
            session.connection(), point, start, end, k, filters, order, max_radius_m, sieve
        )
    )


# Daylight saving moves a weekly rule's instants by up to an hour on the day it changes.
_DST_SLACK_MIN = 60


def _sieve(point: GeoPoint, start: datetime, end: datetime) -> dict[str, Any]:
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
        "start": start, "end": end, "zone": zone, "weekday": local.weekday(),
        "minute_early": minute - _DST_SLACK_MIN, "minute_late": minute + _DST_SLACK_MIN,
    }  # fmt: skip


def _search(
    connection: Connection,
    point: GeoPoint,
    start: datetime,
    end: datetime,
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
            for spot_id, lat, lon in _candidates(connection, point, radius, filters, sieve)
            if spot_id not in examined and (distance := metres_to(lat, lon)) <= radius
        )
        examined.update(spot_id for _, spot_id in ranked)
        free.extend(_free_among(connection, ranked, start, end, filters, wanted - len(free)))
        if len(free) >= wanted or radius >= max_radius_m:
            break
        radius = min(radius * 2, max_radius_m)
    hits = _hits(free)
    return SearchResult(hits=_ordered(hits, order)[:k], radius_m=radius, examined=len(examined))


def _candidates(
    connection: Connection,
    point: GeoPoint,
    radius: float,
    filters: SearchFilters,
    sieve: dict[str, Any],
) -> Sequence[Any]:
    """Ids and places of the approved spots in the grid cells around ``point`` that have what
    the filters ask for and may be free (see ``_sieve``)."""
    ranges = cell_ranges(*box_around(point, radius))
    parameters = dict(sieve)
    for n, (first, last) in enumerate(ranges):
        parameters[f"first_{n}"], parameters[f"last_{n}"] = first, last
    sizes = (
        None
        if filters.vehicle_size is None
        else tuple(VEHICLE_ORDER[VEHICLE_ORDER.index(filters.vehicle_size) :])
    )
    statement = _candidates_statement(len(ranges), filters.covered, filters.ev_charger, sizes)
    return connection.execute(statement, parameters).all()


_START, _END = bindparam("start"), bindparam("end")
_BOOKED_IN_WINDOW = (
    select(Booking.id)
    .where(
        Booking.spot_id == Spot.id,
        Booking.status.in_(LIVE_BOOKING_STATUSES),
        Booking.start_at < _END,
        Booking.end_at > _START,
    )
    .exists()
)
_RULE_AROUND_START = (
    select(AvailabilityRule.id)
    .where(
        AvailabilityRule.spot_id == Spot.id,
        AvailabilityRule.weekday == bindparam("weekday"),
        AvailabilityRule.start_minute <= bindparam("minute_late"),
        AvailabilityRule.end_minute > bindparam("minute_early"),
    )
    .exists()
)
_OPENING_AT_START = (
    select(AvailabilityWindow.id)
    .where(
        AvailabilityWindow.spot_id == Spot.id,
        AvailabilityWindow.blocked.is_(False),
        AvailabilityWindow.start_at <= _START,
        AvailabilityWindow.end_at > _START,
    )
    .exists()
)


@functools.cache
def _candidates_statement(
    range_count: int, covered: bool, ev_charger: bool, sizes: tuple[VehicleSize, ...] | None
) -> Select[Any]:
    """Built once per shape: composing the statement anew for every search costs more than
    running it. The grid is read from the (status, cell, lat, lon, timezone) index."""
    # The status is repeated inside each range so that SQLite answers every range from the
    # index (a "multi-index OR") instead of reading every approved spot.
    query = select(Spot.id, Spot.lat, Spot.lon).where(
        or_(
            *(
                and_(
                    Spot.status == SpotStatus.APPROVED,
                    Spot.cell.between(bindparam(f"first_{n}"), bindparam(f"last_{n}")),
                )
                for n in range(range_count)
            )
        ),
        or_(Spot.timezone != bindparam("zone"), _RULE_AROUND_START, _OPENING_AT_START),
        ~_BOOKED_IN_WINDOW,
    )
    if covered:
        query = query.where(Spot.covered.is_(True))
    if ev_charger:
        query = query.where(Spot.ev_charger.is_(True))
    if sizes is not None:
        query = query.where(Spot.max_vehicle_size.in_(sizes))
    return query


def _price(row: Any, start: datetime, end: datetime) -> Money:
    daily = Money.optional(row.daily_price_minor or None, row.currency)
    return price_for_window(Money.of_row(row, "hourly_price"), daily, start, end)


def _within_budget(price: Money, limit: Money | None) -> bool:
    return limit is None or (price.currency == limit.currency and price.minor <= limit.minor)


def _free_among(
    connection: Connection,
    candidates: list[tuple[float, int]],
    start: datetime,
    end: datetime,
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
        facts = _batch_facts(connection, ids, start, end)
        for distance, spot_id in batch:
            row = facts.unbooked.get(spot_id)
            if row is None:
                continue
            price = _price(row, start, end)
            if not _within_budget(price, filters.max_price):
                continue
            windows = facts.windows.get(spot_id, ())
            if not covers(
                facts.rules.get(spot_id, ()),
                (Interval(s, e) for s, e, blocked in windows if not blocked),
                (Interval(s, e) for s, e, blocked in windows if blocked),
                ZoneInfo(row.timezone),
                start,
                end,
            ):
                continue
            rating = (None if row.average is None else float(row.average), row.rating_count)
            if filters.min_rating is not None and (rating[0] or 0) < filters.min_rating:
                continue
            found.append((distance, row, price, rating))
    return found


_IDS = bindparam("ids", expanding=True)
# Built once: the facts a batch of candidates needs, for any ids and window.
# A spot booked for any of the window since the grid was read does not come back at all.
_DETAILS_OF = (
    select(
        *_DETAIL_COLUMNS,
        select(func.avg(Rating.stars))
        .where(Rating.spot_id == Spot.id)
        .scalar_subquery()
        .label("average"),
        select(func.count())
        .where(Rating.spot_id == Spot.id)
        .scalar_subquery()
        .label("rating_count"),
    )
    .join(Person, Person.id == Spot.owner_id)
    .where(Spot.id.in_(_IDS), ~_BOOKED_IN_WINDOW)
)
_RULES_OF = select(
    AvailabilityRule.spot_id,
    AvailabilityRule.weekday,
    AvailabilityRule.start_minute,
    AvailabilityRule.end_minute,
).where(AvailabilityRule.spot_id.in_(_IDS))
# A short window needs the rules of two or three weekdays, not all seven.
_RULES_ON_DAYS_OF = _RULES_OF.where(
    AvailabilityRule.weekday.in_(bindparam("weekdays", expanding=True))
)
_WINDOWS_OF = select(
    AvailabilityWindow.spot_id,
    AvailabilityWindow.start_at,
    AvailabilityWindow.end_at,
    AvailabilityWindow.blocked,
).where(
    AvailabilityWindow.spot_id.in_(_IDS),
    AvailabilityWindow.start_at < _END,
    AvailabilityWindow.end_at > _START,
)


@dataclass(frozen=True, slots=True)
class _BatchFacts:
    # Only the spots with no live booking in the window.
    unbooked: dict[int, Any]
    rules: dict[int, list[WeeklyRule]]
    windows: dict[int, list[tuple[datetime, datetime, bool]]]


def _batch_facts(
    connection: Connection, ids: list[int], start: datetime, end: datetime
) -> _BatchFacts:
    in_window = {"ids": ids, "start": start, "end": end}
    weekdays = weekdays_touching(start, end)
    rules_query = (
        connection.execute(_RULES_OF, {"ids": ids})
        if weekdays is None
        else connection.execute(_RULES_ON_DAYS_OF, {"ids": ids, "weekdays": weekdays})
    )
    rules: dict[int, list[WeeklyRule]] = defaultdict(list)
    for spot_id, weekday, first, last in rules_query:
        rules[spot_id].append(WeeklyRule(weekday, first, last))
    windows: dict[int, list[tuple[datetime, datetime, bool]]] = defaultdict(list)
    for spot_id, window_start, window_end, blocked in connection.execute(_WINDOWS_OF, in_window):
        windows[spot_id].append((window_start, window_end, blocked))
    return _BatchFacts(
        unbooked={row.id: row for row in connection.execute(_DETAILS_OF, in_window)},
        rules=rules,
        windows=windows,
    )


def _hits(free: Iterable[Found]) -> list[SpotHit]:
    # The equirectangular distance is within a metre or two at these ranges; the geodesic
    # would cost more than the rest of the search together.
    return [
        SpotHit(
            spot_id=row.id,
            title=row.title,
            address=row.address,
            point=GeoPoint(row.lat, row.lon),
            timezone=row.timezone,
            distance_m=round(distance),
            price=price,
            hourly_price=Money.of_row(row, "hourly_price"),
            rating=round(rating[0], 2) if rating[0] is not None else None,
            rating_count=rating[1],
            covered=row.covered,
            ev_charger=row.ev_charger,
            max_vehicle_size=VehicleSize(row.max_vehicle_size),
            owner_id=row.owner_id,
            owner_credit_score=row.credit_score,
        )
        for distance, row, price, rating in sorted(free, key=lambda item: item[0])
    ]


def _ordered(hits: list[SpotHit], order: SortOrder) -> list[SpotHit]:
    if order == SortOrder.CHEAPEST:
        return sorted(hits, key=lambda hit: (hit.price.minor, hit.distance_m))
    if order == SortOrder.BEST_RATED:
        return sorted(hits, key=lambda hit: (-(hit.rating or 0), -hit.rating_count, hit.distance_m))
    return sorted(hits, key=lambda hit: hit.distance_m)


def default_window(now: datetime, hours: int = 2) -> tuple[datetime, datetime]:
    """ "Now for two hours", rounded up to the next five minutes so results stay stable while the
    driver reads them."""
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=-now.minute % 5)
    return start, start + timedelta(hours=hours)


# Spots within this distance of an area's first spot count as one area ("Berlin").
AREA_RADIUS_M = 30_000.0


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """Where ParkShare has approved spots, for a driver who searched far from all of them."""

    name: str
    spots: int
    # From the searched point to the area's nearest spot.
    distance_m: float


async def service_areas(db: Database, *, point: GeoPoint, limit: int = 3) -> list[ServiceArea]:
    """The areas with approved spots, nearest to ``point`` first, each named by what its spots'
    addresses share ("Torstraße 12, Berlin" and "Kantstraße 3, Berlin" are in "Berlin"), or by
    its timezone's city when the addresses say nothing. Read only when a search found nothing,
    so it may look at every approved spot."""
    rows = await db.run_read(
        lambda session: session.execute(
            select(Spot.lat, Spot.lon, Spot.address, Spot.timezone).where(
                Spot.status == SpotStatus.APPROVED
            )
        ).all()
    )
    areas: list[tuple[Any, list]] = []  # (distance from the area's first spot, its rows)
    for row in rows:
        for metres_to_seed, members in areas:
            if metres_to_seed(row.lat, row.lon) <= AREA_RADIUS_M:
                members.append(row)
                break
        else:
            areas.append((metres_from(GeoPoint(row.lat, row.lon)), [row]))
    found = [
        ServiceArea(
            name=_area_name(members),
            spots=len(members),
            distance_m=min(point.distance_m(GeoPoint(row.lat, row.lon)) for row in members),
        )
        for _, members in areas
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
    zone = max({row.timezone for row in members}, key=[row.timezone for row in members].count)
    return zone.rsplit("/", 1)[-1].replace("_", " ")
