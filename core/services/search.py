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

from core.availability import Interval, WeeklyRule, covers
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
from core.errors import BookingTooLong, InvalidInput, InvalidWindow, WindowInPast
from core.geo import GeoPoint
from core.grid import box_around, cell_ranges, fast_distance_m
from core.money import Money
from core.pricing import price_for_window
from core.services.bookings import MAX_BOOKING_LENGTH, PAST_GRACE
from core.status import LIVE_BOOKING_STATUSES, SpotStatus

FIRST_RADIUS_M = 400.0
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


_CANDIDATE_COLUMNS = (
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
)


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
    return await db.run_read(
        # Core statements on the session's connection: the ORM's result machinery would cost
        # more than the queries themselves.
        lambda session: _search(
            session.connection(), point, start, end, k, filters, order, max_radius_m
        )
    )


def _search(
    connection: Connection,
    point: GeoPoint,
    start: datetime,
    end: datetime,
    k: int,
    filters: SearchFilters,
    order: SortOrder,
    max_radius_m: float,
) -> SearchResult:
    wanted = k if order == SortOrder.NEAREST else 3 * k
    examined: set[int] = set()
    free: list[tuple[float, Any, Money, tuple[float | None, int]]] = []
    radius = FIRST_RADIUS_M
    while True:
        rows = _candidates(connection, point, radius)
        ranked = sorted(
            (distance, row)
            for row in rows
            if row.id not in examined
            and (distance := fast_distance_m(point, _point(row))) <= radius
        )
        matching = []
        for distance, row in ranked:
            examined.add(row.id)
            price = _price(row, start, end)
            if _matches(row, price, filters):
                matching.append((distance, row, price))
        free.extend(_free_among(connection, matching, start, end, filters, wanted - len(free)))
        if len(free) >= wanted or radius >= max_radius_m:
            break
        radius = min(radius * 2, max_radius_m)
    hits = _hits(point, free)
    return SearchResult(hits=_ordered(hits, order)[:k], radius_m=radius, examined=len(examined))


def _point(row: Any) -> GeoPoint:
    return GeoPoint(row.lat, row.lon)


def _candidates(connection: Connection, point: GeoPoint, radius: float) -> Sequence[Any]:
    ranges = cell_ranges(*box_around(point, radius))
    parameters = {}
    for n, (first, last) in enumerate(ranges):
        parameters[f"first_{n}"], parameters[f"last_{n}"] = first, last
    return connection.execute(_candidates_statement(len(ranges)), parameters).all()


@functools.cache
def _candidates_statement(range_count: int) -> Select[Any]:
    """Built once per number of grid rows: composing the statement anew for every search
    costs more than running it."""
    return (
        select(*_CANDIDATE_COLUMNS, Person.credit_score)
        .join(Person, Person.id == Spot.owner_id)
        # The status is repeated inside each range so that SQLite answers every range from
        # the (status, cell) index (a "multi-index OR") instead of reading every approved spot.
        .where(
            or_(
                *(
                    and_(
                        Spot.status == SpotStatus.APPROVED,
                        Spot.cell.between(bindparam(f"first_{n}"), bindparam(f"last_{n}")),
                    )
                    for n in range(range_count)
                )
            )
        )
    )


def _price(row: Any, start: datetime, end: datetime) -> Money:
    daily = Money(row.daily_price_minor, row.currency) if row.daily_price_minor else None
    return price_for_window(Money(row.hourly_price_minor, row.currency), daily, start, end)


def _matches(row: Any, price: Money, filters: SearchFilters) -> bool:
    if filters.ev_charger and not row.ev_charger:
        return False
    if filters.covered and not row.covered:
        return False
    if filters.vehicle_size is not None and VEHICLE_ORDER.index(
        row.max_vehicle_size
    ) < VEHICLE_ORDER.index(filters.vehicle_size):
        return False
    limit = filters.max_price
    return limit is None or (price.currency == limit.currency and price.minor <= limit.minor)


def _free_among(
    connection: Connection,
    candidates: list[tuple[float, Any, Money]],
    start: datetime,
    end: datetime,
    filters: SearchFilters,
    wanted: int,
) -> list[tuple[float, Any, Money, tuple[float | None, int]]]:
    """The nearest candidates free for the window, checked in batches until enough are found."""
    found: list[tuple[float, Any, Money, tuple[float | None, int]]] = []
    batch_size = max(wanted * 2, 8)
    for first in range(0, len(candidates), batch_size):
        if len(found) >= wanted:
            break
        batch = candidates[first : first + batch_size]
        ids = [row.id for _, row, _ in batch]
        rules, windows, busy, ratings = _batch_facts(connection, ids, start, end)
        for distance, row, price in batch:
            if row.id in busy:
                continue
            openings = [w for w in windows.get(row.id, ()) if not w[2]]
            blocks = [w for w in windows.get(row.id, ()) if w[2]]
            if not covers(
                rules.get(row.id, ()),
                (Interval(s, e) for s, e, _ in openings),
                (Interval(s, e) for s, e, _ in blocks),
                ZoneInfo(row.timezone),
                start,
                end,
            ):
                continue
            rating = ratings.get(row.id, (None, 0))
            if filters.min_rating is not None and (rating[0] or 0) < filters.min_rating:
                continue
            found.append((distance, row, price, rating))
    return found


_IDS = bindparam("ids", expanding=True)
# Built once: the four facts a batch of candidates needs, for any ids and window.
_RULES_OF = select(
    AvailabilityRule.spot_id,
    AvailabilityRule.weekday,
    AvailabilityRule.start_minute,
    AvailabilityRule.end_minute,
).where(AvailabilityRule.spot_id.in_(_IDS))
_WINDOWS_OF = select(
    AvailabilityWindow.spot_id,
    AvailabilityWindow.start_at,
    AvailabilityWindow.end_at,
    AvailabilityWindow.blocked,
).where(
    AvailabilityWindow.spot_id.in_(_IDS),
    AvailabilityWindow.start_at < bindparam("end"),
    AvailabilityWindow.end_at > bindparam("start"),
)
_BUSY_AMONG = select(Booking.spot_id).where(
    Booking.spot_id.in_(_IDS),
    Booking.status.in_(LIVE_BOOKING_STATUSES),
    Booking.start_at < bindparam("end"),
    Booking.end_at > bindparam("start"),
)
_RATINGS_OF = (
    select(Rating.spot_id, func.avg(Rating.stars), func.count())
    .where(Rating.spot_id.in_(_IDS))
    .group_by(Rating.spot_id)
)


def _batch_facts(
    connection: Connection, ids: list[int], start: datetime, end: datetime
) -> tuple[
    dict[int, list[WeeklyRule]],
    dict[int, list[tuple[datetime, datetime, bool]]],
    set[int],
    dict[int, tuple[float | None, int]],
]:
    of_ids = {"ids": ids}
    in_window = {"ids": ids, "start": start, "end": end}
    rules: dict[int, list[WeeklyRule]] = defaultdict(list)
    for spot_id, weekday, first, last in connection.execute(_RULES_OF, of_ids):
        rules[spot_id].append(WeeklyRule(weekday, first, last))
    windows: dict[int, list[tuple[datetime, datetime, bool]]] = defaultdict(list)
    for spot_id, window_start, window_end, blocked in connection.execute(_WINDOWS_OF, in_window):
        windows[spot_id].append((window_start, window_end, blocked))
    busy = set(connection.execute(_BUSY_AMONG, in_window).scalars())
    ratings = {
        spot_id: (float(average), count)
        for spot_id, average, count in connection.execute(_RATINGS_OF, of_ids)
    }
    return rules, windows, busy, ratings


def _hits(
    origin: GeoPoint, free: Iterable[tuple[float, Any, Money, tuple[float | None, int]]]
) -> list[SpotHit]:
    # The equirectangular distance is within a metre or two at these ranges; the geodesic
    # would cost more than the rest of the search together.
    return [
        SpotHit(
            spot_id=row.id,
            title=row.title,
            address=row.address,
            point=_point(row),
            timezone=row.timezone,
            distance_m=round(distance),
            price=price,
            hourly_price=Money(row.hourly_price_minor, row.currency),
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
