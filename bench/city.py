"""A large generated city for benchmarks, loaded in bulk: owners, approved spots at random in a
square around Berlin, the demo city's weekly hours, live bookings that make some
spots busy, and past stays with ratings. The services would take hours for a million spots, so
rows go in through SQLAlchemy Core in batches; the same seed gives the same city."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Flag, StrEnum
from typing import Any

from sqlalchemy import text

from core.db.models import AvailabilityRule, Booking, Person, Rating, Role, Spot, VehicleSize
from core.db.uow import Database
from core.geo import GeoPoint
from core.grid import METRES_PER_DEG_LAT, cell_of
from core.status import BookingStatus, SpotStatus
from sandbox.demo_city import PATTERNS

CENTRE = GeoPoint(52.52, 13.405)
# Monday morning: the week ahead is what drivers search.
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
SPOTS_PER_OWNER = 50
BATCH = 20_000
# How SQLAlchemy's DateTime stores an instant in SQLite.
SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"
BOOKED_SHARE = 0.2  # spots with a live booking somewhere in the week ahead
RATED_SHARE = 0.3  # spots with a past, rated stay


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
    spots: int
    # The approved spots' coordinates, in id order, for scans that need them all.
    lats: list[float]
    lons: list[float]


async def build_city(db: Database, spot_count: int, *, box: Box = Box(), seed: int = 1) -> City:
    rng = random.Random(seed)
    owner_count = max(1, spot_count // SPOTS_PER_OWNER)
    await _insert(db, Person, (_person(n) for n in range(owner_count + 1)))
    driver_id = owner_count + 1
    points = [box.random_point(rng) for _ in range(spot_count)]
    await _insert(db, Spot, (_spot(rng, n, point, owner_count) for n, point in enumerate(points)))
    await _insert(db, AvailabilityRule, _rules(rng, spot_count))
    stays = _stays(rng, spot_count, driver_id)
    await _insert(db, Booking, (booking for booking, _rated in stays))
    await _insert(db, Rating, _ratings(rng, stays, driver_id, owner_count))
    await _analyse(db)
    return City(spot_count, [p.lat for p in points], [p.lon for p in points])


async def _insert(db: Database, model: type, rows: Iterator[dict]) -> None:
    """Rows straight to the driver in batches, COPY on PostgreSQL and executemany on SQLite,
    converted as the column types would (SQLite compares instants as text, so the format
    must be SQLAlchemy's own)."""
    table = model.__table__  # type: ignore[attr-defined]
    sqlite = db.dialect == "sqlite"
    async with db.unit_of_work() as uow:
        connection = await (await uow.session.connection()).get_raw_connection()
        driver = connection.driver_connection
        assert driver is not None  # an open connection has its driver's own connection
        for batch in _batches(rows):
            columns = list(batch[0])
            convert = [_converter(batch[0][name], sqlite=sqlite) for name in columns]
            records = [
                tuple(
                    value if to is None else to(value)
                    for value, to in zip(row.values(), convert, strict=True)
                )
                for row in batch
            ]
            if sqlite:
                await driver.executemany(
                    f"INSERT INTO {table.name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' for _ in columns)})",
                    records,
                )
            else:
                await driver.copy_records_to_table(table.name, records=records, columns=columns)


def _batches(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _converter(sample: object, *, sqlite: bool) -> Callable[[Any], object] | None:
    """How a column's values are stored, judged by one of them; None keeps them as they are."""
    if isinstance(sample, datetime):
        return (lambda v: v.astimezone(UTC).strftime(SQLITE_INSTANT)) if sqlite else None
    if isinstance(sample, Flag):
        return lambda v: int(v.value)
    if isinstance(sample, StrEnum):
        return lambda v: str(v.value)
    if isinstance(sample, bool) and sqlite:
        return int
    return None


def _person(n: int) -> dict:
    return {
        "id": n + 1, "telegram_id": 8_000_000_000 + n, "language": "en",
        "first_name": f"Owner {n + 1}", "roles": Role.OWNER, "credit_score": 600 + n % 300,
        "banned": False, "payouts_enabled": False, "created_at": NOW - timedelta(days=400),
    }  # fmt: skip


def _spot(rng: random.Random, n: int, point: GeoPoint, owners: int) -> dict:
    hourly = rng.choice((150, 200, 250, 300, 350, 400, 450))
    return {
        "id": n + 1, "owner_id": n % owners + 1, "title": f"Spot {n + 1}",
        "lat": point.lat, "lon": point.lon, "cell": cell_of(point),
        "address": f"Street {n % 997}, Berlin", "timezone": "Europe/Berlin", "currency": "EUR",
        "hourly_price_minor": hourly,
        "daily_price_minor": hourly * 8 if rng.random() < 0.5 else None,
        "covered": rng.random() < 0.4, "ev_charger": rng.random() < 0.15,
        "max_vehicle_size": rng.choice(list(VehicleSize)), "access_instructions": "",
        "instant_booking": rng.random() < 0.8, "status": SpotStatus.APPROVED,
        "created_at": NOW - timedelta(days=300),
    }  # fmt: skip


def _rules(rng: random.Random, spot_count: int) -> Iterator[dict]:
    for n in range(spot_count):
        for weekdays, start, end in rng.choice(PATTERNS):
            for weekday in weekdays:
                yield {"spot_id": n + 1, "weekday": weekday, "start_minute": start,
                       "end_minute": end}  # fmt: skip


def _stays(rng: random.Random, spot_count: int, driver_id: int) -> list[tuple[dict, bool]]:
    """Live bookings in the week ahead, and completed stays in the past (to be rated)."""
    stays = []
    for n in range(spot_count):
        if rng.random() < BOOKED_SHARE:
            start = NOW + timedelta(minutes=15 * rng.randrange(7 * 96))
            stays.append((_booking(n, driver_id, start, rng, BookingStatus.CONFIRMED), False))
        if rng.random() < RATED_SHARE:
            start = NOW - timedelta(days=rng.randint(2, 90), minutes=15 * rng.randrange(96))
            stays.append((_booking(n, driver_id, start, rng, BookingStatus.COMPLETED), True))
    for booking_id, (booking, _rated) in enumerate(stays, start=1):
        booking["id"] = booking_id
    return stays


def _booking(n: int, driver_id: int, start: datetime, rng: random.Random, status: str) -> dict:
    end = start + timedelta(hours=rng.randint(1, 6))
    return {
        "spot_id": n + 1, "driver_id": driver_id, "start_at": start, "end_at": end,
        "currency": "EUR", "price_minor": 600, "commission_minor": 90, "status": status,
        "version": 3, "created_at": start - timedelta(days=1), "updated_at": start,
    }  # fmt: skip


def _ratings(
    rng: random.Random, stays: list[tuple[dict, bool]], driver_id: int, owners: int
) -> Iterator[dict]:
    for booking, rated in stays:
        if rated:
            yield {
                "booking_id": booking["id"], "rater_id": driver_id,
                "ratee_id": (booking["spot_id"] - 1) % owners + 1, "spot_id": booking["spot_id"],
                "stars": rng.choices((5, 4, 3, 2), weights=(6, 3, 1, 0.3))[0], "comment": "",
                "created_at": booking["end_at"],
            }  # fmt: skip


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
