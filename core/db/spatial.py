"""The stores' own spatial indexes of spots' places (migration 0013), which the models leave
out because each store has its own: SQLite an R*Tree virtual table kept by triggers, PostgreSQL
a PostGIS ``geography`` column generated from ``lat``/``lon`` with a GiST index. Statements
reach them through the names below."""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, literal_column
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, UserDefinedType

from core.db.models import VehicleSize
from core.free_time import OUTLINE_GROUPS, week_outline

# SQLite: one box per approved spot (migration 0014), a point's box being the point, in whole
# ten-millionths of a degree (a centimetre; migration 0029): 32-bit floats would round it
# outwards by up to a metre. Its integer key carries, below the spot's id, what searches ask
# of every spot: when in the week it may be free (``core.free_time.week_outline``), its
# charger, its roof and the largest vehicle it takes.
# A search tests them on the index's own entries, reading no page for a spot that fails them:
# the R*Tree's auxiliary columns would cost a lookup a spot, and more dimensions would
# change how it groups spots (both measured, far slower).
_SPATIAL = MetaData()


def _places(name: str) -> Table:
    return Table(
        name,
        _SPATIAL,
        Column("key", Integer, primary_key=True),
        Column("min_lat", Integer),
        Column("max_lat", Integer),
        Column("min_lon", Integer),
        Column("max_lon", Integer),
    )


spot_place = _places("spot_place")
# The same entries for the approved spots with a charger alone (migration 0030), as
# PostgreSQL's ``ix_spot_place_ev_charger``: a search for a charger reads no other spot.
spot_place_ev_charger = _places("spot_place_ev_charger")
PLACE_UNITS_PER_DEGREE = 10_000_000


def place_units(degrees: float) -> int:
    """A latitude or longitude as ``spot_place`` holds it; SQLite's ``round`` takes halves
    away from zero."""
    return int(math.copysign(math.floor(abs(degrees) * PLACE_UNITS_PER_DEGREE + 0.5), degrees))


KEY_EV_CHARGER = 1
KEY_COVERED = 1 << 1
KEY_SIZE_SHIFT, KEY_SIZE_MASK = 2, 0b111  # the rank of ``VehicleSize``, in its order
KEY_OUTLINE_SHIFT = 5
KEY_SPOT_SHIFT = KEY_OUTLINE_SHIFT + len(OUTLINE_GROUPS)
# A signed 64-bit key leaves the spot's id 35 bits: 34 billion spots.
MAX_KEYED_SPOT_ID = (1 << (63 - KEY_SPOT_SHIFT)) - 1
SIZE_RANKS = {size: rank for rank, size in enumerate(VehicleSize)}


def place_key(
    spot_id: int, week_slots: int, *, ev_charger: bool, covered: bool, size: VehicleSize
) -> int:
    """The key SQLite's triggers give a spot in ``spot_place`` (migration 0029)."""
    if not 0 < spot_id <= MAX_KEYED_SPOT_ID:
        raise ValueError(f"spot id {spot_id} is past what the spatial index can key")
    return (
        spot_id << KEY_SPOT_SHIFT
        | week_outline(week_slots) << KEY_OUTLINE_SHIFT
        | SIZE_RANKS[size] << KEY_SIZE_SHIFT
        | (KEY_COVERED if covered else 0)
        | (KEY_EV_CHARGER if ev_charger else 0)
    )


class Geography(UserDefinedType[Any]):
    """PostGIS's type, named so that reading the schema (Alembic's comparison) knows it."""

    cache_ok = True

    def __init__(self, *_reflected: Any, **_options: Any) -> None:
        """Reflection passes the modifiers (``Point,4326``); the search needs none of them."""

    def get_col_spec(self, **_kw: Any) -> str:
        return "geography"


ischema_names.setdefault("geography", Geography)

# PostgreSQL: ``spot.place``, a geography(Point, 4326).
PLACE: ColumnElement[Any] = literal_column("spot.place", Geography())


class GeographyPoint(FunctionElement[Any]):
    """A point from longitude and latitude, as PostGIS geography: ``GeographyPoint(lon, lat)``."""

    type = NullType()
    inherit_cache = True
    name = "geography_point"


@compiles(GeographyPoint, "postgresql")
def _geography_point(element: GeographyPoint, compiler: SQLCompiler, **kw: Any) -> str:
    lon, lat = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"CAST(ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326) AS geography)"


# What the R*Tree, PostGIS and its extension bring with them; the models know none of it.
_ENGINE_TABLES = frozenset(
    {
        f"{index}{shadow}"
        for index in ("spot_place", "spot_place_ev_charger")
        for shadow in ("", "_node", "_parent", "_rowid")
    }
    | {"spatial_ref_sys"}
)
_ENGINE_INDEXES = frozenset(
    {
        "ix_spot_place",
        "ix_spot_place_ev_charger",
        "ix_spot_place_order",
        "ix_spot_free_time_place_order",
        # SQLite's covering index of a spot's prices (migration 0032), which the search names.
        "ix_spot_prices",
    }
)
# PostgreSQL's: a spot's place, and its free time's copy of the place's order (migration 0027).
_ENGINE_COLUMNS = frozenset({("spot", "place"), ("spot_free_time", "place_order")})


def kept_by_models(name: str | None, type_: str, parent_names: MutableMapping[Any, Any]) -> bool:
    """Alembic's ``include_name``: leave the engines' spatial objects out of comparisons."""
    if type_ == "table":
        return name not in _ENGINE_TABLES
    if type_ == "index":
        return name not in _ENGINE_INDEXES
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in _ENGINE_COLUMNS
    return True
