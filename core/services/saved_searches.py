"""A driver who found nothing is told when a spot near there frees up for their time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from core.db.models import SavedSearch, Spot
from core.db.uow import UnitOfWork
from core.errors import InvalidWindow
from core.geo import GeoPoint, box_around
from core.services import bookings, people
from core.status import SpotStatus
from core.window import Window

MAX_RADIUS_M = 5_000


async def save(
    uow: UnitOfWork,
    clock: Clock,
    *,
    person_id: int,
    point: GeoPoint,
    radius_m: float,
    start: datetime,
    end: datetime,
) -> SavedSearch:
    window = Window(start, end)
    if window.end <= clock.now():
        raise InvalidWindow("a saved search needs a time still to come")
    start, end = window.start, window.end
    saved = SavedSearch(
        person_id=person_id, lat=point.lat, lon=point.lon,
        radius_m=round(min(radius_m, MAX_RADIUS_M)), start_at=start, end_at=end,
        created_at=clock.now(),
    )  # fmt: skip
    uow.saved_searches.add(saved)
    await uow.saved_searches.flush()
    return saved


async def now_satisfied_by(uow: UnitOfWork, clock: Clock, spot: Spot) -> list[SavedSearch]:
    """The saved searches this spot now answers: near enough, free for their whole time.
    Each is marked told, so a driver hears once."""
    return await _mark_answered(uow, clock, await _answered_by(uow, clock, spot))


async def _answered_by(uow: UnitOfWork, clock: Clock, spot: Spot) -> list[SavedSearch]:
    if spot.status != SpotStatus.APPROVED:
        return []
    point = GeoPoint(spot.lat, spot.lon)
    satisfied = []
    waiting = await uow.saved_searches.waiting_in(box_around(point, MAX_RADIUS_M), clock.now())
    for saved in waiting:
        if saved.person_id == spot.owner_id:
            continue
        if GeoPoint(saved.lat, saved.lon).distance_m(point) > saved.radius_m:
            continue
        if not await bookings.is_free(uow, spot, saved.start_at, saved.end_at):
            continue
        satisfied.append(saved)
    return satisfied


async def _mark_answered(
    uow: UnitOfWork, clock: Clock, satisfied: list[SavedSearch]
) -> list[SavedSearch]:
    """Those of ``satisfied`` no other writer answered meanwhile, marked told. In id order,
    as every writer marks them, so two marking the same searches never wait on each other."""
    return [
        saved
        for saved in sorted(satisfied, key=lambda saved: saved.id)
        if await uow.saved_searches.mark_answered(saved, clock.now())
    ]


@dataclass(frozen=True, slots=True)
class FreedSpot:
    """A driver to tell that a spot near where they searched is now free for their time."""

    telegram_id: int
    language: str
    spot_id: int
    spot_title: str
    timezone: str
    start_at: datetime
    end_at: datetime


async def freed_for_waiting_drivers(
    uow: UnitOfWork, clock: Clock, spot_ids: list[int]
) -> list[FreedSpot]:
    """Part of anything that may free time at these spots (approval, new hours, a resumed
    spot, a cancelled, declined or expired booking), in its unit of work: the drivers whose
    saved search the spots now answer, each marked told."""
    answering: dict[int, Spot] = {}  # each search answered by the first spot that does
    satisfied = []
    for spot_id in dict.fromkeys(spot_ids):
        spot = await uow.spots.get(spot_id)
        if spot is None:
            continue
        for saved in await _answered_by(uow, clock, spot):
            if saved.id not in answering:
                answering[saved.id] = spot
                satisfied.append(saved)
    freed = []
    for saved in await _mark_answered(uow, clock, satisfied):
        spot = answering[saved.id]
        driver = await people.get(uow, saved.person_id)
        freed.append(
            FreedSpot(
                driver.telegram_id, driver.language, spot.id, spot.title, spot.timezone,
                saved.start_at, saved.end_at,
            )
        )  # fmt: skip
    return freed
