"""The search's read model: one statement per search, on each store's own spatial index.

Nearest first, free for the whole window (``spot_free_time``), approved, with what the filters
ask for, at most ``wanted`` rows, each with its rating and its owner's credit score.

- PostgreSQL: a bounded KNN, the largest radius's box and circle, and ``ORDER BY place <->
  point LIMIT wanted``: the GiST index hands spots over nearest first until enough pass.
- SQLite: an R*Tree has no nearest-first scan, so the statement widens a radius itself (a
  recursive CTE growing it from the first radius) until the circle holds ``wanted`` spots that
  pass, or the largest radius is reached; then it ranks that circle by distance.

Core statements, built once per shape and run on a plain connection: the ORM's result machinery
would cost more than the queries themselves. What the rows mean (distances, prices, orders) is
decided in ``core.services.search``."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Float,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import Function

from core.db.free_time import CoversWindow
from core.db.models import Person, Rating, Spot, SpotFreeTime, VehicleSize
from core.db.spatial import PLACE, GeographyPoint, spot_place
from core.status import SpotStatus


@dataclass(frozen=True, slots=True)
class Shape:
    """What decides a statement's text; everything else is a parameter."""

    covered: bool = False
    ev_charger: bool = False
    sizes: tuple[VehicleSize, ...] | None = None
    max_price: bool = False
    min_rating: bool = False


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
    # Each wider circle's radius over the last's (SQLite's widening).
    growth: float = 2.0
    days: int = 0
    rest_minutes: int = 0
    currency: str = ""
    price_limit_minor: int = 0
    min_rating: float = 0.0


def _param(name: str, type_: Any) -> BindParameter[Any]:
    return bindparam(name, type_=type_)


_LAT, _LON = _param("lat", Float()), _param("lon", Float())
_START_S, _END_S = _param("start_s", BigInteger()), _param("end_s", BigInteger())
_WANTED = _param("wanted", Integer())
_FIRST, _MAX = _param("first_radius", Float()), _param("max_radius", Float())
_DAYS, _REST = _param("days", Integer()), _param("rest_minutes", Integer())

_AVERAGE = select(func.avg(Rating.stars)).where(Rating.spot_id == Spot.id).scalar_subquery()
_RATING_COUNT = select(func.count()).where(Rating.spot_id == Spot.id).scalar_subquery()


def _window_price() -> ColumnElement[int]:
    """``core.pricing.price_for_window`` in SQL, for the window's whole days and minutes."""
    hourly = Spot.hourly_price_minor
    daily = func.coalesce(Spot.daily_price_minor, 0)  # 0 is no day rate, as in price_of
    whole_day = hourly * 24
    day_rate = case((daily == 0, whole_day), (daily < whole_day, daily), else_=whole_day)
    rest_cost = (hourly * _REST * 2 + 60) // 120  # minutes to minor units, half up
    rest_capped = case((daily == 0, rest_cost), (rest_cost < daily, rest_cost), else_=daily)
    return _DAYS * day_rate + rest_capped


def _conditions(shape: Shape) -> list[ColumnElement[bool]]:
    """Approved, free for the whole window, and what the filters ask for."""
    conditions: list[ColumnElement[bool]] = [
        Spot.status == SpotStatus.APPROVED,
        CoversWindow(SpotFreeTime.free, _START_S, _END_S),
    ]
    if shape.covered:
        conditions.append(Spot.covered.is_(True))
    if shape.ev_charger:
        conditions.append(Spot.ev_charger.is_(True))
    if shape.sizes is not None:
        conditions.append(Spot.max_vehicle_size.in_(shape.sizes))
    if shape.max_price:
        conditions.append(Spot.currency == _param("currency", String()))
        conditions.append(_window_price() <= _param("price_limit", Integer()))
    if shape.min_rating:
        conditions.append(func.coalesce(_AVERAGE, 0) >= _param("min_rating", Float()))
    return conditions


# What a hit shows.
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
    _AVERAGE.label("average"),
    _RATING_COUNT.label("rating_count"),
)


def _details(nearest: Any, *extra: ColumnElement[Any]) -> Select[Any]:
    """The details of the ranked ids, read only for them (ratings are a subquery each)."""
    return (
        select(*_DETAIL_COLUMNS, *extra)
        .select_from(nearest)
        .join(Spot, Spot.id == nearest.c.id)
        .join(Person, Person.id == Spot.owner_id)
        .order_by(nearest.c.rank)
    )


@functools.cache
def _sqlite_statement(shape: Shape) -> Select[Any]:
    lat_per_m, lon_per_m = _param("lat_per_m", Float()), _param("lon_per_m", Float())
    m_per_lat, m_per_lon = _param("m_per_lat", Float()), _param("m_per_lon", Float())
    north_south = (Spot.lat - _LAT) * m_per_lat
    east_west = (Spot.lon - _LON) * m_per_lon
    distance2 = north_south * north_south + east_west * east_west
    conditions = _conditions(shape)

    def in_circle(radius: ColumnElement[float]) -> Select[Any]:
        """The spots that pass within ``radius``, found through the R*Tree's box of it."""
        return (
            select(spot_place.c.id)
            .join(Spot, Spot.id == spot_place.c.id)
            .join(SpotFreeTime, SpotFreeTime.spot_id == Spot.id)
            .where(
                spot_place.c.max_lat >= _LAT - radius * lat_per_m,
                spot_place.c.min_lat <= _LAT + radius * lat_per_m,
                spot_place.c.max_lon >= _LON - radius * lon_per_m,
                spot_place.c.min_lon <= _LON + radius * lon_per_m,
                distance2 <= radius * radius,
                *conditions,
            )
        )

    def enough_within(radius: ColumnElement[float]) -> ColumnElement[Any]:
        """Not NULL when the circle holds ``wanted`` spots that pass: it stops at the last."""
        return in_circle(radius).limit(1).offset(_WANTED - literal_column("1")).scalar_subquery()

    reach = select(_FIRST.label("radius"), enough_within(_FIRST).label("enough")).cte(
        "reach", recursive=True
    )
    growth = _param("growth", Float())
    wider = case((reach.c.radius * growth < _MAX, reach.c.radius * growth), else_=_MAX)
    reach = reach.union_all(
        select(wider, enough_within(wider)).where(reach.c.enough.is_(None), reach.c.radius < _MAX)
    )
    reached = select(func.max(reach.c.radius).label("radius")).subquery("reached")
    nearest = (
        in_circle(reached.c.radius)
        .add_columns(distance2.label("rank"), reached.c.radius)
        .order_by(distance2)
        .limit(_WANTED)
        .subquery("nearest")
    )
    return _details(nearest, nearest.c.radius)


@functools.cache
def _postgresql_statement(shape: Shape) -> Select[Any]:
    point = GeographyPoint(_LON, _LAT)
    distance = PLACE.op("<->")(point)
    nearest = (
        select(Spot.id, distance.label("rank"))
        .join(SpotFreeTime, SpotFreeTime.spot_id == Spot.id)
        .where(
            # What ST_DWithin expands to, written out: PostGIS 3.3 estimates ST_DWithin on
            # geography to pass a few rows whatever the radius, and the planner then reads
            # the whole circle and sorts it (seconds, with JIT) instead of the ordered scan.
            PLACE.op("&&")(Function("_ST_Expand", point, _MAX)),
            distance <= _MAX,
            *_conditions(shape),
        )
        .order_by(distance)
        .limit(_WANTED)
        .subquery("nearest")
    )
    return _details(nearest)


def one_statement(session: Session) -> Connection:
    """The session's connection for a search, which is one statement: on a PostgreSQL engine
    without a transaction around it, which would cost two more round trips (BEGIN, and its
    end) than the search itself. A test's connection, already in a transaction, is kept."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and isinstance(bind, Engine):
        return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session.connection()


def nearest_free(
    connection: Connection, place: Place, asked: Asked, shape: Shape
) -> Sequence[Row[Any]]:
    """The rows of the spots that pass, nearest first (see ``_DETAIL_COLUMNS``, plus ``radius``,
    how far the search had to look, on SQLite)."""
    parameters: dict[str, Any] = {
        "lat": place.lat, "lon": place.lon, "start_s": asked.start_s, "end_s": asked.end_s,
        "wanted": asked.wanted, "first_radius": asked.first_radius_m,
        "max_radius": asked.max_radius_m, "growth": asked.growth, "days": asked.days,
        "rest_minutes": asked.rest_minutes,
        "currency": asked.currency, "price_limit": asked.price_limit_minor,
        "min_rating": asked.min_rating,
    }  # fmt: skip
    if connection.dialect.name == "postgresql":
        return connection.execute(_postgresql_statement(shape), parameters).all()
    parameters |= {
        "lat_per_m": 1 / place.metres_per_deg_lat,
        "lon_per_m": 1 / place.metres_per_deg_lon,
        "m_per_lat": place.metres_per_deg_lat,
        "m_per_lon": place.metres_per_deg_lon,
    }
    return connection.execute(_sqlite_statement(shape), parameters).all()


def approved_places(session: Session) -> Sequence[Row[float, float, str, str]]:
    """(lat, lon, address, timezone) of every approved spot."""
    return session.execute(
        select(Spot.lat, Spot.lon, Spot.address, Spot.timezone).where(
            Spot.status == SpotStatus.APPROVED
        )
    ).all()
