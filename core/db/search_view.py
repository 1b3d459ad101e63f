"""The search's read model: one statement per search, on each store's own spatial index.

Nearest first, free for the whole window (``spot_free_time``), approved, with what the filters
ask for, at most ``wanted`` rows, each with its rating and its owner's credit score, and how far
the search looked. A search reads at most ``max_examined`` spots, so that a question nothing
answers (every spot of a city closed at night) costs milliseconds, not a scan of the city.

- PostgreSQL: a bounded KNN, ``ORDER BY place <-> point`` within the largest radius's box and
  circle: the GiST index of approved spots (of those with a charger, when one is asked) hands
  them over nearest first until enough pass.
  The scan has each spot's row in hand, so a spot whose week's slots
  (``core.free_time.week_slots``) miss the window's is passed over before its free time is read:
  at night most spots are closed.
- SQLite: an R*Tree has no nearest-first scan, so the statement widens a radius itself (a
  recursive CTE of rings, each read once) until it holds ``wanted`` spots that pass, then ranks
  them by distance. The index's key (``core.db.spatial.place_key``) carries the outline of
  the week a spot may be free in, its charger, roof and size, so most spots closed at the
  window's hours, and every one without what the driver asked for, are passed over on the
  index's entry. A search for a charger reads an R*Tree of the spots with one alone. The
  rest is tested as the index hands the spots over, but in a first ring holding many (a dense
  city's) nearest first, only until ``wanted`` pass: no spot's row is read (prices come from
  their covering index, stars and a group's offer are asked by the id), and a spot's free time
  last, only if it passed the rest.

On both stores a search for a charger reads the index of spots with one, and a spot without a
charger does not count against ``max_examined``; every other spot the index hands over does.

Core statements, compiled once per shape and run through the driver
(``core.db.driver_reads``). What the rows mean (distances, prices, orders) is decided in
``core.services.search``."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Float,
    Integer,
    Row,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import Function
from sqlalchemy.sql.selectable import FromClause

from core.db.driver_reads import DriverStatement
from core.db.free_time import CoversWindow
from core.db.models import (
    Community,
    PassOffer,
    Person,
    Rating,
    Spot,
    SpotCommunity,
    SpotFreeTime,
    VehicleSize,
)
from core.db.spatial import (
    KEY_COVERED,
    KEY_OUTLINE_SHIFT,
    KEY_SIZE_MASK,
    KEY_SIZE_SHIFT,
    KEY_SPOT_SHIFT,
    PLACE,
    PLACE_UNITS_PER_DEGREE,
    SIZE_RANKS,
    GeographyPoint,
    spot_place,
    spot_place_ev_charger,
)
from core.db.uow import Database
from core.free_time import slots_touched, week_outline
from core.status import SpotStatus


@dataclass(frozen=True, slots=True)
class Shape:
    """What decides a statement's text; everything else is a parameter."""

    covered: bool = False
    ev_charger: bool = False
    # The smallest size asked for: a spot that takes it or a larger one.
    min_size: VehicleSize | None = None
    max_price: bool = False
    min_rating: bool = False
    # Only spots offered by the month.
    monthly: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """Where the driver is, and the scale of a degree there (equirectangular)."""

    lat: float
    lon: float
    metres_per_deg_lat: float
    metres_per_deg_lon: float


@dataclass(frozen=True, slots=True)
class Asked:
    """The search's parameters: window in epoch seconds, and the price of a window of its length
    as ``core.pricing.price_for_window`` splits it, into whole days and the minutes left."""

    start_s: int
    end_s: int
    wanted: int
    first_radius_m: float
    max_radius_m: float
    max_examined: int
    # Each wider circle's radius over the last's (SQLite's widening).
    growth: float = 2.0
    days: int = 0
    rest_minutes: int = 0
    currency: str = ""
    price_limit_minor: int = 0
    min_rating: float = 0.0
    # Stays starting after this (epoch seconds) at a spot offered to a group first are its
    # members' (``core.neighbourhood``); None: no such limit.
    open_to_all_until_s: int | None = None


class FoundSpot(NamedTuple):
    """What a hit shows, in the order of ``_DETAIL_COLUMNS``."""

    id: int
    lat: float
    lon: float
    title: str
    address: str
    timezone: str
    currency: str
    hourly_price_minor: int
    daily_price_minor: int | None
    covered: bool
    ev_charger: bool
    max_vehicle_size: str
    owner_id: int
    min_driver_tier: str | None
    min_completed_stays: int
    credit_score: int
    average: float | None  # None without ratings
    rating_count: int


@dataclass(frozen=True, slots=True)
class Found:
    spots: list[FoundSpot]
    # Every spot within this distance was read (None: PostgreSQL found all it wanted, and
    # did not look how far).
    radius_m: float | None


def _param(name: str, type_: Any) -> BindParameter[Any]:
    return bindparam(name, type_=type_)


_LAT, _LON = _param("lat", Float()), _param("lon", Float())
_START_S, _END_S = _param("start_s", BigInteger()), _param("end_s", BigInteger())
_WANTED, _MAX_EXAMINED = _param("wanted", Integer()), _param("max_examined", Integer())
_FIRST, _MAX = _param("first_radius", Float()), _param("max_radius", Float())
_DAYS, _REST = _param("days", Integer()), _param("rest_minutes", Integer())
_OPEN_UNTIL = _param("open_to_all_until_s", BigInteger())
_SLOTS = _param("slots", BigInteger())


# A spot's average stars from its row (``Spot.rating_count``); NULL without ratings.
_AVERAGE = cast(Spot.rating_star_sum, Float) / func.nullif(Spot.rating_count, 0)
_MIN_RATING = _param("min_rating", Float())


def _window_price() -> ColumnElement[int]:
    """``core.pricing.price_for_window`` in SQL, for the window's whole days and minutes."""
    hourly = Spot.hourly_price_minor
    daily = func.coalesce(Spot.daily_price_minor, 0)  # 0 is no day rate, as in price_of
    whole_day = hourly * 24
    day_rate = case((daily == 0, whole_day), (daily < whole_day, daily), else_=whole_day)
    rest_cost = (hourly * _REST * 2 + 60) // 120  # minutes to minor units, half up
    rest_capped = case((daily == 0, rest_cost), (rest_cost < daily, rest_cost), else_=daily)
    return _DAYS * day_rate + rest_capped


def _open_to_public(
    spot_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> ColumnElement[bool]:
    """Never a spot offered to an active group only, or first when the window starts past the
    time it opens to all: a public search cannot tell its members (they find it in the group,
    ``/spots``). Asked by the id alone, so that SQLite need not read the spot's row for it."""
    return ~exists().where(
        SpotCommunity.spot_id == spot_id,
        SpotCommunity.community_id == Community.id,
        Community.active.is_(True),
        or_(SpotCommunity.only.is_(True), _START_S > _OPEN_UNTIL),
    )


def _row_filters(shape: Shape) -> list[ColumnElement[bool]]:
    """What the filters ask of a spot, with its row in hand; but a charger, which PostgreSQL's
    own index of spots with one tells (``_indexed_with``)."""
    conditions: list[ColumnElement[bool]] = []
    if shape.covered:
        conditions.append(Spot.covered.is_(True))
    if shape.min_size is not None:
        # Written into the text: the sizes are part of the shape.
        fitting = list(VehicleSize)[SIZE_RANKS[shape.min_size] :]
        conditions.append(
            Spot.max_vehicle_size.in_([literal_column(f"'{size.value}'") for size in fitting])
        )
    if shape.max_price:
        conditions += _priced_within()
    if shape.min_rating:
        conditions.append(func.coalesce(_AVERAGE, 0) >= _MIN_RATING)
    return conditions + _filters_by_id(shape, Spot.id)


def _priced_within() -> list[ColumnElement[bool]]:
    return [
        Spot.currency == _param("currency", String()),
        _window_price() <= _param("price_limit", Integer()),
    ]


def _filters_by_id(
    shape: Shape, spot_id: ColumnElement[int] | InstrumentedAttribute[int]
) -> list[ColumnElement[bool]]:
    """What the filters ask of a spot's offers, found by its id."""
    conditions: list[ColumnElement[bool]] = []
    if shape.monthly:
        conditions.append(exists().where(PassOffer.spot_id == spot_id, PassOffer.active.is_(True)))
    return conditions


_OUTLINE = _param("outline", BigInteger())
# SQLite's covering index of each spot's prices (migration 0032).
_SPOT_PRICES_INDEX = "ix_spot_prices"


def _places_indexed(shape: Shape) -> Table:
    """SQLite: the spatial index a search reads, as PostgreSQL's ``_indexed_with``: of approved
    spots, or of those with a charger."""
    return spot_place_ev_charger if shape.ev_charger else spot_place


def _keyed_spot(places: Table) -> ColumnElement[int]:
    """A spot's id in its spatial index's key."""
    return places.c.key.op(">>")(KEY_SPOT_SHIFT)


def _key_filters(shape: Shape, places: Table) -> list[ColumnElement[bool]]:
    """The window's outline of the week, and the roof and size asked for, tested on the index's
    own entry: a spot that fails costs no page. (Every spot of the charger's index has one.)"""
    key = places.c.key
    conditions = [key.op(">>")(KEY_OUTLINE_SHIFT).op("&")(_OUTLINE) == _OUTLINE]
    if shape.covered:
        roof: ColumnElement[int] = literal_column(str(KEY_COVERED))
        conditions.append(key.op("&")(roof) == roof)
    if shape.min_size is not None:
        size = key.op(">>")(KEY_SIZE_SHIFT).op("&")(KEY_SIZE_MASK)
        conditions.append(size >= literal_column(str(SIZE_RANKS[shape.min_size])))
    return conditions


# What a hit shows of the spot's own row, then of its owner and its ratings (from its row too).
_SPOT_COLUMNS = (
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
    Spot.min_driver_tier,
    Spot.min_completed_stays,
)
_DETAIL_COLUMNS = (
    *_SPOT_COLUMNS,
    Person.credit_score,
    _AVERAGE.label("average"),
    Spot.rating_count,
)


def _details(reached: FromClause, nearest: FromClause) -> Select[Any]:
    """How far the search looked, then the details of the ranked ids, read only for them. One
    row with no spot when nothing passed."""
    return (
        select(reached.c.radius, *_DETAIL_COLUMNS)
        .select_from(reached)
        .outerjoin(nearest, true())
        .outerjoin(Spot, Spot.id == nearest.c.id)
        .outerjoin(Person, Person.id == Spot.owner_id)
        .order_by(nearest.c.rank, nearest.c.id)
    )


def _square_metres(radius: ColumnElement[float]) -> ColumnElement[int]:
    return cast(radius * radius, Integer)


# SQLite: the driver's place in the spatial index's units, and a unit's metres there.
_LAT_UNITS, _LON_UNITS = _param("lat_units", Float()), _param("lon_units", Float())
_M_PER_LAT_UNIT = _param("m_per_lat_unit", Float())
_M_PER_LON_UNIT = _param("m_per_lon_unit", Float())


@dataclass(frozen=True, slots=True)
class _Ring:
    """SQLite: the spots of a spatial index from ``nearest2`` square metres away to the circle of
    radius ``outer``. Distances come from the R*Tree's own boxes, each a point held to a
    centimetre. The R*Tree holds only approved spots, and its key tells most of what a search
    asks."""

    shape: Shape
    nearest2: ColumnElement[int]
    outer: ColumnElement[float]

    @property
    def places(self) -> Table:
        return _places_indexed(self.shape)

    @property
    def spot_id(self) -> ColumnElement[int]:
        return _keyed_spot(self.places)

    @property
    def distance2(self) -> ColumnElement[int]:
        """In whole square metres, and tested by BETWEEN, which SQLite evaluates once a spot:
        reckoning it is most of what a spot the index hands over costs. Whole numbers let the
        rings meet exactly, each spot in one."""
        places = self.places
        north_south = (places.c.min_lat - _LAT_UNITS) * _M_PER_LAT_UNIT
        east_west = (places.c.min_lon - _LON_UNITS) * _M_PER_LON_UNIT
        return cast(north_south * north_south + east_west * east_west, Integer)

    @property
    def within(self) -> list[ColumnElement[bool]]:
        places = self.places
        lat, lon, per_lat, per_lon = _LAT_UNITS, _LON_UNITS, _M_PER_LAT_UNIT, _M_PER_LON_UNIT
        # A spot a little past ``outer`` is still within its whole square metres: the box
        # reaches a metre further, or one due north of the driver would fall between two rings.
        reach = self.outer + literal_column("1.0")
        return [
            places.c.max_lat >= lat - reach / per_lat,
            places.c.min_lat <= lat + reach / per_lat,
            places.c.max_lon >= lon - reach / per_lon,
            places.c.min_lon <= lon + reach / per_lon,
            self.distance2.between(self.nearest2, _square_metres(self.outer)),
        ]


def _passes(shape: Shape, spot_id: ColumnElement[int]) -> list[ColumnElement[bool]]:
    """SQLite: what a spot whose key passed must pass besides, cheapest first (SQLite stops at
    the first that fails); each reads a page, a spot's free time one of its own, so last.
    Neither the price nor the stars are read from the spot's row, a page of a large table,
    rarely cached: the prices come from their covering index (named, or SQLite takes the row
    by its id), the stars are averaged from the ratings' index."""
    priced = exists(
        select(Spot.hourly_price_minor)
        .with_hint(Spot, f"INDEXED BY {_SPOT_PRICES_INDEX}", "sqlite")
        .where(Spot.id == spot_id, *_priced_within())
    )
    rated = func.coalesce(
        select(func.avg(Rating.stars)).where(Rating.spot_id == spot_id).scalar_subquery(), 0
    )
    free = (
        select(CoversWindow(SpotFreeTime.free, _START_S, _END_S))
        .where(SpotFreeTime.spot_id == spot_id)
        .scalar_subquery()
    )
    return [
        _open_to_public(spot_id),
        *([priced] if shape.max_price else []),
        *([rated >= _MIN_RATING] if shape.min_rating else []),
        *_filters_by_id(shape, spot_id),
        free.is_(True),
    ]


def _found_as_read(ring: _Ring) -> ColumnElement[Any]:
    """``[examined, [[id, distance²], ...]]``: how many spots the ring holds, and every one
    that passes, tested as the index hands them over, in one pass."""
    places = ring.places
    passes = and_(*_key_filters(ring.shape, places), *_passes(ring.shape, ring.spot_id))
    listed = func.json_group_array(func.json_array(ring.spot_id, ring.distance2)).filter(passes)
    found = select(func.json_array(func.count(), listed)).select_from(places).where(*ring.within)
    return found.scalar_subquery()


def _found_nearest_first(ring: _Ring, examined: ColumnElement[int]) -> ColumnElement[Any]:
    """As ``_found_as_read``, of a ring holding ``examined`` spots, but those whose key passes
    are tested nearest first, only until ``wanted`` pass."""
    places = ring.places
    nearest_first = (
        select(ring.spot_id.label("id"), ring.distance2.label("distance2"))
        .where(*ring.within, *_key_filters(ring.shape, places))
        .order_by(ring.distance2, ring.spot_id)
        # Keeps SQLite from merging the tests into this query, ahead of its sort.
        .limit(literal_column("-1"))
        .correlate_except(places)
        .subquery("nearest_first")
    )
    passing = (
        select(nearest_first.c.id, nearest_first.c.distance2)
        .where(*_passes(ring.shape, nearest_first.c.id))
        .limit(_WANTED)
        .subquery("passing")
    )
    listed = select(func.json_group_array(func.json_array(passing.c.id, passing.c.distance2)))
    return func.json_array(examined, listed.scalar_subquery())


def _found_in_first_ring(ring: _Ring) -> ColumnElement[Any]:
    """The first ring's ``[examined, [[id, distance²], ...]]``. In a dense city it holds a
    hundred spots whose key passes, and a search rarely looks further: they are then tested
    nearest first, which costs a sort but spares most of their pages. Where spots are sparse
    the rings are small until the last, and tested as read: sorting them would cost more than
    it spares."""
    places = ring.places
    counted = (
        select(
            func.count().label("examined"),
            func.count().filter(and_(*_key_filters(ring.shape, places))).label("keyed"),
        )
        .where(*ring.within)
        .subquery("first_ring")
    )
    # Past twice ``wanted`` spots whose key passes, the sort is worth it.
    found = case(
        (counted.c.keyed > 2 * _WANTED, _found_nearest_first(ring, counted.c.examined)),
        else_=_found_as_read(ring),
    )
    return select(found).select_from(counted).scalar_subquery()


@functools.cache
def _sqlite_statement(shape: Shape) -> DriverStatement:
    """Rings of √2 the last radius, each read once, until they hold ``wanted`` spots that
    pass, or the largest radius, or ``max_examined`` spots read; then the nearest of those
    that passed. The last ring's radius is how far the search looked."""
    growth = _param("growth", Float())
    first_ring = _Ring(shape, literal_column("0"), _FIRST)
    first = select(
        _FIRST.label("radius"),
        literal_column("0").label("examined"),
        literal_column("0").label("passed"),
        _found_in_first_ring(first_ring).label("found"),
    ).cte("ring", recursive=True)
    wider = case((first.c.radius * growth < _MAX, first.c.radius * growth), else_=_MAX)
    examined = first.c.examined + func.json_extract(first.c.found, literal_column("'$[0]'"))
    passed = first.c.passed + func.json_array_length(first.c.found, literal_column("'$[1]'"))
    next_ring = _Ring(shape, _square_metres(first.c.radius) + literal_column("1"), wider)
    ring = first.union_all(
        select(
            wider,
            examined,
            passed,
            _found_as_read(next_ring),
        ).where(passed < _WANTED, first.c.radius < _MAX, examined < _MAX_EXAMINED)
    )
    passing = (
        func.json_each(ring.c.found, literal_column("'$[1]'"))
        .table_valued("value")
        .alias("passing")
    )
    nearest = (
        select(
            func.json_extract(passing.c.value, literal_column("'$[0]'")).label("id"),
            func.json_extract(passing.c.value, literal_column("'$[1]'")).label("rank"),
        )
        .select_from(ring.join(passing, true()))
        # Whole square metres tie now and then: the id keeps the order the same each time.
        .order_by(literal_column("rank"), literal_column("id"))
        .limit(_WANTED)
        .subquery("nearest")
    )
    reached = select(func.max(ring.c.radius).label("radius")).subquery("reached")
    return DriverStatement.compile(_details(reached, nearest), "sqlite")


def _indexed_with(shape: Shape) -> list[ColumnElement[bool]]:
    """PostgreSQL: which of its spatial indexes hands the candidates over, as the conditions
    that index holds, written into the text so that the plan may use it: of approved spots, or
    of approved spots with a charger (migration 0030). Nearest spots without one are then not
    read, and, tested before the limit, never count against ``max_examined``: at night most of
    the nearest open spots have no charger, and read one by one they were most of a search's
    time."""
    approved = Spot.status == literal_column(f"'{SpotStatus.APPROVED.value}'")
    return [approved, Spot.ev_charger.is_(True)] if shape.ev_charger else [approved]


@functools.cache
def _postgresql_statement(shape: Shape) -> DriverStatement:
    """The approved spots nearest first from the GiST index, at most ``max_examined`` of them;
    of those, the first ``wanted`` that pass the filters and are free for the window. How far the
    search looked is read only when it found fewer: the largest radius, or the distance of the
    last spot it examined when it stopped there."""
    point = GeographyPoint(_LON, _LAT)
    distance = PLACE.op("<->")(point)
    # Whether a spot passes the filters is a column, not a condition: a spot that does not is
    # still one the search read, and counts against ``max_examined``. A spot whose week's
    # slots miss the window's is passed over on its own row, its free time never read.
    # Cheapest first (PostgreSQL stops at the first that fails): the row's own columns, then
    # what is looked up by the spot's id.
    in_slots = Spot.free_week_slots.op("&")(_SLOTS) == _SLOTS
    passes = and_(in_slots, *_row_filters(shape), _open_to_public(Spot.id))
    # What a hit shows of the spot's row; the scan has the row in hand already.
    shown = (*_SPOT_COLUMNS, _AVERAGE.label("average"), Spot.rating_count)
    candidates = (
        select(*shown, distance.label("rank"), passes.label("passes"))
        .where(
            # The largest radius's box: what ST_DWithin expands to. PostGIS 3.3 estimates
            # ST_DWithin on geography to pass a few rows whatever the radius, and the planner
            # then reads the whole circle and sorts it (seconds, with JIT) instead of the
            # ordered scan. The circle is tested on the rank, outside: each distance reckoned
            # again cost a sixth of a search. The box's corners are reached only once all of
            # the circle was read.
            PLACE.op("&&")(Function("_ST_Expand", point, _MAX)),
            *_indexed_with(shape),
        )
        .order_by(distance)
        .limit(_MAX_EXAMINED)
        # A subquery, not a CTE: the plan then knows it comes ordered by distance, and reads
        # it only until ``wanted`` pass instead of sorting all of it.
        .subquery("candidate")
    )
    nearest = (
        select(*(candidates.c[column.key] for column in shown), candidates.c.rank)
        .join(SpotFreeTime, SpotFreeTime.spot_id == candidates.c.id)
        .where(
            candidates.c.passes,
            candidates.c.rank <= _MAX,
            CoversWindow(SpotFreeTime.free, _START_S, _END_S),
        )
        .order_by(candidates.c.rank)
        .limit(_WANTED)
        .cte("nearest")
    )
    stopped_at = case(
        (func.count() < _MAX_EXAMINED, _MAX), else_=func.least(func.max(candidates.c.rank), _MAX)
    )
    looked = case(
        (
            select(func.count()).select_from(nearest).scalar_subquery() < _WANTED,
            select(stopped_at).select_from(candidates).scalar_subquery(),
        ),
        else_=None,
    )
    reached = select(looked.label("radius")).subquery("reached")
    details = (
        select(
            reached.c.radius,
            *(nearest.c[column.key] for column in _SPOT_COLUMNS),
            Person.credit_score,
            nearest.c.average,
            nearest.c.rating_count,
        )
        .select_from(reached)
        .outerjoin(nearest, true())
        .outerjoin(Person, Person.id == nearest.c.owner_id)
        # The rows come in the scan's order, so spots at one address (which tie) stay in it:
        # PostgreSQL's sort leaves rows already in order as they are. A search asking for more
        # then begins with what one asking for fewer found, as each results page asks for as
        # many as it shows. Ordering ties by id instead cost every candidate sorted (in the
        # scan), or a quarter more a search (``FETCH … WITH TIES``, then a sort by id).
        .order_by(nearest.c.rank)
    )
    return DriverStatement.compile(details, "postgresql")


async def nearest_free(database: Database, place: Place, asked: Asked, shape: Shape) -> Found:
    """The spots that pass, nearest first, and how far the search looked."""
    parameters: dict[str, Any] = {
        "lat": place.lat, "lon": place.lon, "start_s": asked.start_s, "end_s": asked.end_s,
        "wanted": asked.wanted, "first_radius": asked.first_radius_m,
        "max_radius": asked.max_radius_m, "max_examined": asked.max_examined,
        "growth": asked.growth, "days": asked.days, "rest_minutes": asked.rest_minutes,
        "currency": asked.currency, "price_limit": asked.price_limit_minor,
        "min_rating": asked.min_rating,
        # No limit: later than any window.
        "open_to_all_until_s": asked.open_to_all_until_s
        if asked.open_to_all_until_s is not None
        else asked.end_s,
        "lat_units": place.lat * PLACE_UNITS_PER_DEGREE,
        "lon_units": place.lon * PLACE_UNITS_PER_DEGREE,
        "m_per_lat_unit": place.metres_per_deg_lat / PLACE_UNITS_PER_DEGREE,
        "m_per_lon_unit": place.metres_per_deg_lon / PLACE_UNITS_PER_DEGREE,
    }  # fmt: skip
    parameters["slots"] = slots = slots_touched(asked.start_s, asked.end_s)
    parameters["outline"] = week_outline(slots)
    if database.dialect == "postgresql":
        statement = _postgresql_statement(shape)
    else:
        statement = _sqlite_statement(shape)
    rows = await database.read_rows(statement, parameters)
    radius = rows[0][0] if rows else None
    return Found(
        [FoundSpot._make(row[1:]) for row in rows if row[1] is not None],
        None if radius is None else float(radius),
    )


def approved_places(session: Session) -> Sequence[Row[float, float, str, str]]:
    """(lat, lon, address, timezone) of every approved spot."""
    return session.execute(
        select(Spot.lat, Spot.lon, Spot.address, Spot.timezone).where(
            Spot.status == SpotStatus.APPROVED
        )
    ).all()
