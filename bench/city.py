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
import struct
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import text

from core import free_time
from core.availability import WeeklyRule
from core.db.models import Role, VehicleSize
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
LOADER_CACHE_KIB = 1024 * 1024
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
    await _insert(db, "person", PERSON_COLUMNS, loads.people())
    # On PostgreSQL the place is a generated column, its GiST index kept by the COPY.
    if postgresql:
        await _insert(db, "spot", SPOT_COLUMNS, loads.spots())
    else:
        await _insert_spots_then_their_places(db, loads.spots())

    async def stays() -> None:
        await _insert(db, "booking", BOOKING_COLUMNS, loads.bookings())
        await _insert(db, "rating", RATING_COLUMNS, loads.ratings())  # after their bookings

    rules = _insert(db, "availability_rule", RULE_COLUMNS, loads.rules())
    if postgresql:
        # Each on its own connection: the server works on two at once.
        await asyncio.gather(rules, stays(), _copy_free_time(db, city))
    else:
        await rules
        await stays()
        await _insert(db, "spot_free_time", FREE_TIME_COLUMNS, _packed_free_time(city))
    await _analyse(db)
    return city


PERSON_COLUMNS = ("id", "telegram_id", "language", "first_name", "roles", "credit_score",
                  "banned", "payouts_enabled", "created_at")  # fmt: skip
SPOT_COLUMNS = ("id", "owner_id", "title", "lat", "lon", "address", "timezone", "currency",
                "hourly_price_minor", "daily_price_minor", "covered", "ev_charger",
                "max_vehicle_size", "access_instructions", "instant_booking", "status",
                "created_at")  # fmt: skip
RULE_COLUMNS = ("spot_id", "weekday", "start_minute", "end_minute")
BOOKING_COLUMNS = ("id", "spot_id", "driver_id", "start_at", "end_at", "currency",
                   "price_minor", "commission_minor", "status", "version", "created_at",
                   "updated_at")  # fmt: skip
RATING_COLUMNS = ("booking_id", "rater_id", "ratee_id", "spot_id", "stars", "comment",
                  "created_at")  # fmt: skip
FREE_TIME_COLUMNS = ("spot_id", "written_from", "written_until", "free")


class _Loads:
    """Each table's rows as tuples, in its columns' order, stored as the column types would
    (SQLite compares instants as text, so the format must be SQLAlchemy's own)."""

    def __init__(self, city: City, owners: int, *, postgresql: bool) -> None:
        self.city, self.owners, self.postgresql = city, owners, postgresql

    def instant(self, moment: datetime) -> Any:
        return moment if self.postgresql else moment.astimezone(UTC).strftime(SQLITE_INSTANT)

    def flag(self, value: bool) -> Any:
        return value if self.postgresql else int(value)

    def people(self) -> Iterator[tuple[Any, ...]]:
        created, no = self.instant(NOW - timedelta(days=400)), self.flag(False)
        for n in range(self.owners + 1):  # the owners, then the one driver
            yield (n + 1, 8_000_000_000 + n, "en", f"Owner {n + 1}", Role.OWNER.value,
                   600 + n % 300, no, no, created)  # fmt: skip

    def spots(self) -> Iterator[tuple[Any, ...]]:
        city, owners = self.city, self.owners
        created = self.instant(NOW - timedelta(days=300))
        sizes = [str(size) for size in VEHICLE_SIZES]
        yes, no = self.flag(True), self.flag(False)
        approved = str(SpotStatus.APPROVED)
        columns = zip(
            city.lats.tolist(), city.lons.tolist(), city.hourly.tolist(), city.daily.tolist(),
            city.covered.tolist(), city.ev_charger.tolist(), city.size.tolist(), strict=True,
        )  # fmt: skip
        for n, (lat, lon, hourly, daily, covered, ev, size) in enumerate(columns):
            yield (n + 1, n % owners + 1, f"Spot {n + 1}", lat, lon, f"Street {n % 997}, Berlin",
                   ZONE, "EUR", hourly, daily or None, yes if covered else no,
                   yes if ev else no, sizes[size], "", yes, approved, created)  # fmt: skip

    def rules(self) -> Iterator[tuple[Any, ...]]:
        rows = [
            [(day, first, last) for days, first, last in pattern for day in days]
            for pattern in PATTERNS
        ]
        for n, pattern in enumerate(self.city.pattern.tolist()):
            for day, first, last in rows[pattern]:
                yield (n + 1, day, first, last)

    def _stays(self) -> Iterator[tuple[int, int, datetime, datetime, BookingStatus]]:
        """(booking id, spot id, start, end, status): the live bookings, then the past stays."""
        city = self.city
        booking_id = 0
        for n in np.flatnonzero(city.booked_until).tolist():
            booking_id += 1
            start = free_time.instant(int(city.booked_from[n]))
            end = free_time.instant(int(city.booked_until[n]))
            yield booking_id, n + 1, start, end, BookingStatus.CONFIRMED
        for n in np.flatnonzero(~np.isnan(city.rating)).tolist():
            booking_id += 1
            # A past stay, its day and hour drawn from the spot's number.
            start = NOW - timedelta(days=2 + n % 89, minutes=15 * (n % 96))
            end = start + timedelta(hours=1 + n % 6)
            yield booking_id, n + 1, start, end, BookingStatus.COMPLETED

    def bookings(self) -> Iterator[tuple[Any, ...]]:
        driver = self.owners + 1
        for booking_id, spot_id, start, end, status in self._stays():
            yield (booking_id, spot_id, driver, self.instant(start), self.instant(end), "EUR",
                   600, 90, str(status), 3, self.instant(start - timedelta(days=1)),
                   self.instant(start))  # fmt: skip

    def ratings(self) -> Iterator[tuple[Any, ...]]:
        driver, owners, rating = self.owners + 1, self.owners, self.city.rating
        for booking_id, spot_id, _start, end, status in self._stays():
            if status == BookingStatus.COMPLETED:
                yield (booking_id, driver, (spot_id - 1) % owners + 1, spot_id,
                       int(rating[spot_id - 1]), "", self.instant(end))  # fmt: skip


def free_of(city: City, n: int) -> list[Seconds]:
    """Spot ``n + 1``'s free time: its pattern's offered intervals less its live booking."""
    offered = city.offered[city.pattern[n]]
    if not city.booked_until[n]:
        return offered
    return free_time.minus(offered, int(city.booked_from[n]), int(city.booked_until[n]))


def _written_span() -> tuple[int, int]:
    start, end = free_time.span_for(NOW)
    return epoch_seconds(start), epoch_seconds(end)


def _packed_free_time(city: City) -> Iterator[tuple[Any, ...]]:
    first, last = _written_span()
    packed = [free_time.pack(offered) for offered in city.offered]
    for n, (pattern, booked) in enumerate(
        zip(city.pattern.tolist(), city.booked_until.tolist(), strict=True)
    ):
        free = free_time.pack(free_of(city, n)) if booked else packed[pattern]
        yield n + 1, first, last, free


# PostgreSQL's binary COPY: a header, then per row the field count and each field as its length
# and its binary form; an int8multirange is the count of ranges, then each range's length,
# flags (lower bound inclusive) and two int8 bounds.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_TRAILER = struct.pack("!h", -1)
_LOWER_INCLUSIVE = 0x02


def _multirange(free: Sequence[Seconds]) -> bytes:
    ranges = b"".join(
        struct.pack("!iBiqiq", 25, _LOWER_INCLUSIVE, 8, first, 8, last) for first, last in free
    )
    return struct.pack("!i", len(free)) + ranges


def _free_time_row(spot_id: int, first: int, last: int, free: bytes) -> bytes:
    return struct.pack("!hiiiqiqi", 4, 4, spot_id, 8, first, 8, last, len(free)) + free


async def _binary_free_time(city: City) -> AsyncIterator[bytes]:
    first, last = _written_span()
    encoded = [_multirange(offered) for offered in city.offered]
    rows = zip(city.pattern.tolist(), city.booked_until.tolist(), strict=True)
    yield _COPY_HEADER
    n = 0
    while chunk := list(islice(rows, BATCH)):
        yield b"".join(
            _free_time_row(
                n + 1 + i,
                first,
                last,
                _multirange(free_of(city, n + i)) if booked else encoded[pattern],
            )
            for i, (pattern, booked) in enumerate(chunk)
        )
        n += len(chunk)
    yield _COPY_TRAILER


async def _copy_free_time(db: Database, city: City) -> None:
    async with db.unit_of_work() as uow:
        driver = await _driver_connection(uow)
        await _skip_reference_checks(driver)
        await driver.copy_to_table(
            "spot_free_time", source=_binary_free_time(city), columns=FREE_TIME_COLUMNS,
            format="binary",
        )  # fmt: skip


async def _driver_connection(uow: Any) -> Any:
    connection = await (await uow.session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert driver is not None  # an open connection has its driver's own connection
    return driver


async def _skip_reference_checks(driver: Any) -> None:
    """What pg_restore's ``--disable-triggers`` does, for this transaction: the generated rows
    refer only to rows loaded before them, and checking each foreign key row by row took most
    of the load's time. Only a superuser may; anyone else loads with the checks."""
    if await driver.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        await driver.execute("SET LOCAL session_replication_role = replica")


async def _insert(
    db: Database, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Rows straight to the driver in batches, COPY on PostgreSQL and executemany on SQLite."""
    async with db.unit_of_work() as uow:
        driver = await _driver_connection(uow)
        if db.dialect == "sqlite":
            # The indexes kept in memory while they grow, not read back from the file (SQLite's
            # default cache is 2 MiB); for this connection only.
            await driver.execute(f"PRAGMA cache_size = -{LOADER_CACHE_KIB}")
        else:
            await _skip_reference_checks(driver)
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


async def _insert_spots_then_their_places(db: Database, spots: Iterable[tuple[Any, ...]]) -> None:
    """On SQLite, the R*Tree filled in one statement after the spots, its insert trigger set
    aside meanwhile: measured, twice as fast as the trigger row by row."""
    trigger = "spot_place_insert"
    async with db.unit_of_work() as uow:
        create_trigger = (
            await uow.session.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
                {"name": trigger},
            )
        ).scalar_one()
        await uow.session.execute(text(f"DROP TRIGGER {trigger}"))
    await _insert(db, "spot", SPOT_COLUMNS, spots)
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            text(
                "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
                "SELECT id, lat, lat, lon, lon FROM spot"
            )
        )
        await uow.session.execute(text(create_trigger))


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
