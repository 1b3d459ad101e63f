"""A large generated city for benchmarks, loaded in bulk: owners, approved spots at random in a
square around Berlin, the demo city's weekly hours, live bookings that make some spots busy,
past stays with ratings, and each spot's free time (``spot_free_time``) as the writers of hours
and bookings would keep it. The services would take hours for a million spots, so the columns
are drawn with NumPy and go to the driver as tuples: COPY on PostgreSQL (several tables at once,
on as many connections), executemany on SQLite. The same seed gives the same city."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Table,
    case,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core import free_time
from core.availability import WeeklyRule
from core.db.free_time import FreeTimeType, WithoutWindow
from core.db.models import AvailabilityRule, Role, SpotFreeTime, VehicleSize
from core.db.spatial import KEY_EV_CHARGER, place_key, place_units
from core.db.uow import Database
from core.free_time import Seconds, epoch_seconds
from core.geo import METRES_PER_DEG_LAT, GeoPoint
from core.status import BookingStatus, SpotStatus
from sandbox.demo_city import PATTERNS

CENTRE = GeoPoint(52.52, 13.405)
ZONE = "Europe/Berlin"
# Monday morning: the week ahead is what drivers search.
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
SPOTS_PER_OWNER = 50
BATCH = 50_000
SQLITE_LOADER_PRAGMAS = {
    "foreign_keys": "OFF",
    # The indexes kept in memory while they grow, not read back from the file (SQLite's
    # default cache is 2 MiB).
    "cache_size": -1024 * 1024,
    # The index sorts made with the second core's help.
    "threads": 2,
    # A city half loaded is built again, so the load need not wait for the disk.
    "synchronous": "OFF",
}
# How SQLAlchemy's DateTime stores an instant in SQLite.
SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"
BOOKED_SHARE = 0.2  # spots with a live booking somewhere in the week ahead
RATED_SHARE = 0.3  # spots with a past, rated stay
HOURLY_PRICES = (150, 200, 250, 300, 350, 400, 450)
VEHICLE_SIZES = list(VehicleSize)
STARS, STAR_WEIGHTS = (5, 4, 3, 2), (6, 3, 1, 0.3)


@dataclass(frozen=True, slots=True)
class Box:
    """A square of ``side_km`` around ``centre``."""

    centre: GeoPoint = CENTRE
    side_km: float = 50.0

    def bounds(self) -> tuple[float, float, float, float]:
        half_lat = self.side_km * 500 / METRES_PER_DEG_LAT
        half_lon = half_lat / math.cos(math.radians(self.centre.lat))
        lat, lon = self.centre.lat, self.centre.lon
        return lat - half_lat, lon - half_lon, lat + half_lat, lon + half_lon

    def random_point(self, rng: random.Random) -> GeoPoint:
        south, west, north, east = self.bounds()
        return GeoPoint(round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6))


@dataclass(frozen=True, slots=True)
class City:
    """What was built, column by column in spot id order (spot ``n + 1`` is row ``n``), for the
    brute force to answer the same questions from."""

    spots: int
    lats: np.ndarray
    lons: np.ndarray
    hourly: np.ndarray
    daily: np.ndarray  # 0 where the spot has no day rate
    covered: np.ndarray
    ev_charger: np.ndarray
    size: np.ndarray  # index into VehicleSize
    pattern: np.ndarray  # index into PATTERNS
    # The live booking's [start, end) in epoch seconds; (0, 0) where there is none.
    booked_from: np.ndarray
    booked_until: np.ndarray
    rating: np.ndarray  # the average stars; NaN where the spot has none
    # Each pattern's offered intervals over the written span (``core.free_time``).
    offered: list[list[Seconds]] = field(default_factory=list)


def draw_city(spot_count: int, *, box: Box = Box(), seed: int = 1) -> City:
    rng = np.random.default_rng(seed)
    n = spot_count
    south, west, north, east = box.bounds()
    hourly = rng.choice(HOURLY_PRICES, n)
    booked = rng.random(n) < BOOKED_SHARE
    booked_from = epoch_seconds(NOW) + 900 * rng.integers(0, 7 * 96, n)
    booked_until = booked_from + 3600 * rng.integers(1, 7, n)
    rated = rng.random(n) < RATED_SHARE
    stars = rng.choice(STARS, n, p=np.asarray(STAR_WEIGHTS) / sum(STAR_WEIGHTS))
    start, end = free_time.span_for(NOW)
    offered = [
        free_time.compute(_weekly_rules(pattern), [], [], [], ZoneInfo(ZONE), start, end)
        for pattern in PATTERNS
    ]
    return City(
        spots=n,
        lats=np.round(rng.uniform(south, north, n), 6),
        lons=np.round(rng.uniform(west, east, n), 6),
        hourly=hourly,
        daily=np.where(rng.random(n) < 0.5, hourly * 8, 0),
        covered=rng.random(n) < 0.4,
        ev_charger=rng.random(n) < 0.15,
        size=rng.integers(0, len(VEHICLE_SIZES), n),
        pattern=rng.integers(0, len(PATTERNS), n),
        booked_from=np.where(booked, booked_from, 0),
        booked_until=np.where(booked, booked_until, 0),
        rating=np.where(rated, stars, np.nan),
        offered=offered,
    )


def _weekly_rules(pattern: Sequence[tuple[Iterable[int], int, int]]) -> list[WeeklyRule]:
    return [WeeklyRule(day, first, last) for days, first, last in pattern for day in days]


async def build_city(db: Database, spot_count: int, *, box: Box = Box(), seed: int = 1) -> City:
    city = draw_city(spot_count, box=box, seed=seed)
    postgresql = db.dialect == "postgresql"
    owners = max(1, spot_count // SPOTS_PER_OWNER)
    loads = _Loads(city, owners, postgresql=postgresql)

    async def stays() -> None:
        await insert_rows(db, "booking", BOOKING_COLUMNS, loads.bookings())
        await insert_rows(db, "rating", RATING_COLUMNS, loads.ratings())  # after their bookings

    if not postgresql:
        async with _indexes_set_aside(db, LOADED_TABLES):
            await insert_rows(db, "person", PERSON_COLUMNS, loads.people())
            await insert_rows(db, "spot", SPOT_COLUMNS, loads.spots())
            await _insert_places(db)
            await _staged(db, city, _rules_from_patterns, _free_from_patterns)
            await stays()
    else:
        await insert_rows(db, "person", PERSON_COLUMNS, loads.people())
        rules = _staged(db, city, _rules_from_patterns)
        free = _staged(db, city, _free_from_patterns)
        if await _may_skip_reference_checks(db):
            # With no reference checked row by row, every table loads at once, each on its own
            # connection: the server works on two at once. On PostgreSQL the place is a
            # generated column, its GiST index kept by the COPY.
            await asyncio.gather(
                insert_rows(db, "spot", SPOT_COLUMNS, loads.spots()), rules, free, stays()
            )
        else:
            await insert_rows(db, "spot", SPOT_COLUMNS, loads.spots())
            await asyncio.gather(rules, free, stays())
    await _analyse(db)
    return city


PERSON_COLUMNS = ("id", "telegram_id", "language", "first_name", "roles", "credit_score",
                  "banned", "payouts_enabled", "created_at")  # fmt: skip
SPOT_COLUMNS = ("id", "owner_id", "title", "lat", "lon", "address", "timezone", "currency",
                "hourly_price_minor", "daily_price_minor", "covered", "ev_charger",
                "max_vehicle_size", "access_instructions", "instant_booking", "status",
                "created_at", "free_week_slots", "rating_count", "rating_star_sum")  # fmt: skip
BOOKING_COLUMNS = ("id", "spot_id", "driver_id", "start_at", "end_at", "currency",
                   "price_minor", "commission_minor", "status", "version", "created_at",
                   "updated_at")  # fmt: skip
RATING_COLUMNS = ("booking_id", "rater_id", "ratee_id", "spot_id", "stars", "comment",
                  "created_at")  # fmt: skip


class _Loads:
    """Each table's rows as tuples, in its columns' order, stored as the column types would
    (SQLite compares instants as text, so the format must be SQLAlchemy's own)."""

    def __init__(self, city: City, owners: int, *, postgresql: bool) -> None:
        self.city, self.owners, self.postgresql = city, owners, postgresql
        self._instants: dict[int, Any] = {}

    def instant(self, seconds: int) -> Any:
        """An instant given in epoch seconds, as the store's column takes it. Stays start on
        quarter hours, so a few thousand instants recur: each is converted once."""
        if (value := self._instants.get(seconds)) is None:
            moment = free_time.instant(seconds)
            value = moment if self.postgresql else moment.strftime(SQLITE_INSTANT)
            self._instants[seconds] = value
        return value

    def flag(self, value: bool) -> Any:
        return value if self.postgresql else int(value)

    def people(self) -> Iterator[tuple[Any, ...]]:
        created, no = self.instant(epoch_seconds(NOW - timedelta(days=400))), self.flag(False)
        for n in range(self.owners + 1):  # the owners, then the one driver
            yield (n + 1, 8_000_000_000 + n, "en", f"Owner {n + 1}", Role.OWNER.value,
                   600 + n % 300, no, no, created)  # fmt: skip

    def spots(self) -> Iterator[tuple[Any, ...]]:
        city, owners = self.city, self.owners
        created = self.instant(epoch_seconds(NOW - timedelta(days=300)))
        sizes = [str(size) for size in VEHICLE_SIZES]
        yes, no = self.flag(True), self.flag(False)
        approved = str(SpotStatus.APPROVED)
        # A spot's free time is its pattern's less its booking: the pattern's slots hold it.
        slots = [free_time.week_slots(offered) for offered in city.offered]
        # A rated spot has one rating, of its average's stars (``ratings``).
        stars = np.nan_to_num(city.rating).astype(int).tolist()
        columns = zip(
            city.lats.tolist(), city.lons.tolist(), city.hourly.tolist(), city.daily.tolist(),
            city.covered.tolist(), city.ev_charger.tolist(), city.size.tolist(),
            city.pattern.tolist(), stars, strict=True,
        )  # fmt: skip
        for n, (lat, lon, hourly, daily, covered, ev, size, pattern, star_sum) in enumerate(
            columns
        ):
            yield (n + 1, n % owners + 1, f"Spot {n + 1}", lat, lon, f"Street {n % 997}, Berlin",
                   ZONE, "EUR", hourly, daily or None, yes if covered else no,
                   yes if ev else no, sizes[size], "", yes, approved, created,
                   slots[pattern], 1 if star_sum else 0, star_sum)  # fmt: skip

    def _stays(self) -> Iterator[tuple[int, int, int, int, str]]:
        """(booking id, spot id, start, end, status), instants in epoch seconds: the live
        bookings, then the past stays."""
        city = self.city
        booking_id = 0
        booked = np.flatnonzero(city.booked_until)
        confirmed, completed = str(BookingStatus.CONFIRMED), str(BookingStatus.COMPLETED)
        for n, start, end in zip(
            booked.tolist(), city.booked_from[booked].tolist(), city.booked_until[booked].tolist(),
            strict=True,
        ):  # fmt: skip
            booking_id += 1
            yield booking_id, n + 1, start, end, confirmed
        now = epoch_seconds(NOW)
        for n in np.flatnonzero(~np.isnan(city.rating)).tolist():
            booking_id += 1
            # A past stay, its day and hour drawn from the spot's number.
            start = now - 86_400 * (2 + n % 89) - 900 * (n % 96)
            yield booking_id, n + 1, start, start + 3_600 * (1 + n % 6), completed

    def bookings(self) -> Iterator[tuple[Any, ...]]:
        driver, instant = self.owners + 1, self.instant
        for booking_id, spot_id, start, end, status in self._stays():
            yield (booking_id, spot_id, driver, instant(start), instant(end), "EUR", 600, 90,
                   status, 3, instant(start - 86_400), instant(start))  # fmt: skip

    def ratings(self) -> Iterator[tuple[Any, ...]]:
        driver, owners, rating = self.owners + 1, self.owners, self.city.rating.tolist()
        completed = str(BookingStatus.COMPLETED)
        for booking_id, spot_id, _start, end, status in self._stays():
            if status == completed:
                yield (booking_id, driver, (spot_id - 1) % owners + 1, spot_id,
                       int(rating[spot_id - 1]), "", self.instant(end))  # fmt: skip


# A spot's weekly pattern and live booking, and each pattern's weekly rules and offered time:
# the rules and free time of a million spots are made from these few rows by the store itself,
# in one INSERT ... SELECT each (measured on SQLite: 2.5 times as fast as a row each from here).
_staging = MetaData()
_spot_pattern = Table(
    "city_spot_pattern", _staging,
    Column("spot_id", Integer, primary_key=True), Column("pattern", Integer),
    Column("booked_from", BigInteger), Column("booked_until", BigInteger),
    prefixes=["TEMPORARY"],
)  # fmt: skip
_pattern_rule = Table(
    "city_pattern_rule", _staging,
    Column("pattern", Integer), Column("weekday", Integer), Column("start_minute", Integer),
    Column("end_minute", Integer),
    prefixes=["TEMPORARY"],
)  # fmt: skip
_pattern_free = Table(
    "city_pattern_free", _staging, Column("pattern", Integer), Column("free", FreeTimeType()),
    prefixes=["TEMPORARY"],
)  # fmt: skip


async def _staged(
    db: Database, city: City, *fills: Callable[[AsyncConnection, City], Awaitable[None]]
) -> None:
    """``fills`` run in one transaction that holds the city's patterns in temporary tables."""
    async with _loading(db) as (connection, driver):
        await connection.run_sync(lambda sync: _staging.create_all(sync))
        rows = zip(
            range(1, city.spots + 1), city.pattern.tolist(), city.booked_from.tolist(),
            city.booked_until.tolist(), strict=True,
        )  # fmt: skip
        columns = [column.name for column in _spot_pattern.columns]
        if db.dialect == "postgresql":
            await driver.copy_records_to_table(_spot_pattern.name, records=rows, columns=columns)
        else:
            await driver.executemany(f"INSERT INTO {_spot_pattern.name} VALUES (?, ?, ?, ?)", rows)
        for fill in fills:
            await fill(connection, city)
        await connection.run_sync(lambda sync: _staging.drop_all(sync))


async def _rules_from_patterns(connection: AsyncConnection, city: City) -> None:
    await connection.execute(
        insert(_pattern_rule),
        [
            {"pattern": n, "weekday": rule.weekday, "start_minute": rule.start_minute,
             "end_minute": rule.end_minute}
            for n, pattern in enumerate(PATTERNS) for rule in _weekly_rules(pattern)
        ],
    )  # fmt: skip
    spot, rule = _spot_pattern.c, _pattern_rule.c
    await connection.execute(
        insert(AvailabilityRule).from_select(
            ["spot_id", "weekday", "start_minute", "end_minute"],
            select(spot.spot_id, rule.weekday, rule.start_minute, rule.end_minute)
            .join(_pattern_rule, rule.pattern == spot.pattern)
            .order_by(spot.spot_id),
        )
    )


async def _free_from_patterns(connection: AsyncConnection, city: City) -> None:
    """Each pattern's offered time less the spot's booking, by the stores' own ``minus``."""
    await connection.execute(
        insert(_pattern_free),
        [{"pattern": n, "free": offered} for n, offered in enumerate(city.offered)],
    )
    spot, pattern = _spot_pattern.c, _pattern_free.c
    start, end = free_time.span_for(NOW)
    free = case(
        (spot.booked_until > 0, WithoutWindow(pattern.free, spot.booked_from, spot.booked_until)),
        else_=pattern.free,
    )
    await connection.execute(
        insert(SpotFreeTime).from_select(
            ["spot_id", "written_from", "written_until", "free"],
            select(
                spot.spot_id,
                literal(epoch_seconds(start), BigInteger()),
                literal(epoch_seconds(end), BigInteger()),
                free,
            ).join(_pattern_free, pattern.pattern == spot.pattern),
        )
    )


_IS_SUPERUSER = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"


async def _may_skip_reference_checks(db: Database) -> bool:
    async with db.unit_of_work() as uow:
        return bool((await uow.session.execute(text(_IS_SUPERUSER))).scalar())


@asynccontextmanager
async def _loading(db: Database) -> AsyncIterator[tuple[AsyncConnection, Any]]:
    """A transaction for loading generated rows, and its driver's own connection (for COPY and
    executemany). The rows refer only to rows the city has, loaded before or alongside, and
    checking each reference row by row took much of the load's time, so no reference is
    checked: what pg_restore's ``--disable-triggers`` does on PostgreSQL (for a superuser
    only), and SQLite's own default, which the store's connections turn on."""
    assert isinstance(db.bind, AsyncEngine)  # the city is built on a store of its own
    async with db.bind.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None  # an open connection has its driver's own connection
        sqlite = db.dialect == "sqlite"
        kept: dict[str, Any] = {}
        try:
            if sqlite:
                # Set before this connection begins a transaction (``foreign_keys`` is fixed in
                # one), and put back as they were for whoever uses the connection next.
                for pragma, value in SQLITE_LOADER_PRAGMAS.items():
                    kept[pragma] = await _pragma(driver, pragma)
                    await driver.execute(f"PRAGMA {pragma} = {value}")
            async with connection.begin():
                if not sqlite and (await connection.execute(text(_IS_SUPERUSER))).scalar():
                    await connection.execute(text("SET LOCAL session_replication_role = replica"))
                yield connection, driver
        finally:
            if kept and not await _put_back(driver, kept):
                # Not as it was (a transaction left open keeps ``foreign_keys``): not reused.
                await connection.invalidate()


async def _pragma(driver: Any, pragma: str) -> Any:
    return (await (await driver.execute(f"PRAGMA {pragma}")).fetchone())[0]


async def _put_back(driver: Any, kept: dict[str, Any]) -> bool:
    """Whether each PRAGMA is as it was again."""
    try:
        for pragma, value in kept.items():
            await driver.execute(f"PRAGMA {pragma} = {value}")
        return all([await _pragma(driver, pragma) == value for pragma, value in kept.items()])
    except Exception:  # the load's own error, if any, is the one to see
        return False


async def insert_rows(
    db: Database, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Rows straight to the driver in batches, COPY on PostgreSQL and executemany on SQLite."""
    async with _loading(db) as (_connection, driver):
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            if db.dialect == "sqlite":
                await driver.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' for _ in columns)})",
                    batch,
                )
            else:
                await driver.copy_records_to_table(table, records=batch, columns=columns)


# The tables a city fills on SQLite. Their indexes are made once they are full, as
# pg_restore does: one sort each, where a row at a time into a growing B-tree took half the
# load's time. Their triggers (the R*Trees' keepers) wait too: the R*Trees are filled in bulk.
LOADED_TABLES = ("person", "spot", "availability_rule", "spot_free_time", "booking", "rating")


@asynccontextmanager
async def _indexes_set_aside(db: Database, tables: Sequence[str]) -> AsyncIterator[None]:
    """On SQLite, the secondary indexes and triggers of ``tables`` dropped for what runs inside,
    and made again as they were written, in the schema's order, after it."""
    named = ", ".join(f"'{table}'" for table in tables)
    found = text(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND sql IS NOT NULL AND tbl_name IN ({named}) ORDER BY type = 'trigger', rowid"
    )
    async with _loading(db) as (connection, _driver):
        objects = (await connection.execute(found)).all()
        for kind, name, _sql in objects:
            await connection.exec_driver_sql(f"DROP {kind.upper()} {name}")
    try:
        yield
    finally:
        async with _loading(db) as (connection, _driver):
            for _kind, _name, sql in objects:
                await connection.exec_driver_sql(sql)


async def _insert_places(db: Database) -> None:
    """On SQLite, the R*Trees filled after the spots, keyed as their triggers key them
    (``place_key``): measured, twice as fast as the triggers row by row."""
    async with _loading(db) as (connection, _driver):
        approved = await connection.execute(
            text(
                "SELECT id, free_week_slots, ev_charger, covered, max_vehicle_size, lat, lon "
                "FROM spot WHERE status = 'approved'"
            )
        )
        places = list(_keyed_places(approved))
    columns = ("key", "min_lat", "max_lat", "min_lon", "max_lon")
    await insert_rows(db, "spot_place", columns, places)
    chargers = [place for place in places if place[0] & KEY_EV_CHARGER]
    await insert_rows(db, "spot_place_ev_charger", columns, chargers)


def _keyed_places(rows: Iterable[Any]) -> Iterator[tuple[int, int, int, int, int]]:
    """``spot_place``'s rows for (id, week slots, charger, roof, size, lat, lon)."""
    sizes = {size.value: size for size in VehicleSize}
    for spot, slots, ev_charger, covered, size, lat, lon in rows:
        key = place_key(spot, slots, ev_charger=ev_charger, covered=covered, size=sizes[size])
        lat_units, lon_units = place_units(lat), place_units(lon)
        yield key, lat_units, lat_units, lon_units, lon_units


async def settle(db: Database) -> None:
    """What autovacuum and the checkpointer do to a freshly loaded PostgreSQL before long: hint
    bits set and the visibility map written, so that the first searches do not write every page
    they read, and the load's gigabyte on disk rather than written out under the searches."""
    if db.dialect != "postgresql" or not isinstance(db.bind, AsyncEngine):
        return
    async with db.bind.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM (ANALYZE)"))
        may_checkpoint = await autocommit.scalar(
            text(
                "SELECT rolsuper OR pg_has_role('pg_checkpoint', 'MEMBER') FROM pg_roles "
                "WHERE rolname = current_user"
            )
        )
        if may_checkpoint:
            await autocommit.execute(text("CHECKPOINT"))


async def _analyse(db: Database) -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would keep."""
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("ANALYZE"))
    if db.dialect == "postgresql":
        # Ids were given explicitly; later inserts must not collide with them.
        async with db.unit_of_work() as uow:
            for table in ("person", "spot", "availability_rule", "booking", "rating"):
                await uow.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
