"""Listing spots and moving them through moderation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from core.availability import WeeklyRule
from core.clock import Clock, ensure_utc
from core.db.models import (
    AvailabilityRule,
    AvailabilityWindow,
    Person,
    Role,
    Spot,
    SpotPhoto,
    VehicleSize,
)
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, InvalidPrice, InvalidWindow, SpotHasBookings, SpotNotFound
from core.geo import GeoPoint
from core.money import Money
from core.requirements import Requirements
from core.services import operators, people
from core.status import SpotStatus
from core.timezones import timezone_of

if TYPE_CHECKING:
    from core.availability_text import ParsedAvailability

MAX_PHOTOS = 5
MAX_TITLE = 80


@dataclass(slots=True)
class SpotDraft:
    """What an owner has told us about a spot so far."""

    title: str
    point: GeoPoint
    hourly_price: Money
    daily_price: Money | None = None
    address: str = ""
    covered: bool = False
    ev_charger: bool = False
    max_vehicle_size: VehicleSize = VehicleSize.MEDIUM
    access_instructions: str = ""
    instant_booking: bool = True
    photo_file_ids: list[str] = field(default_factory=list)


def _validate(draft: SpotDraft) -> None:
    title = draft.title.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput("title", field="title")
    if draft.hourly_price.is_negative() or draft.hourly_price.minor == 0:
        raise InvalidPrice(str(draft.hourly_price.minor))
    if draft.daily_price is not None:
        if draft.daily_price.currency != draft.hourly_price.currency:
            raise InvalidPrice("daily price currency differs")
        if draft.daily_price.minor <= 0:
            raise InvalidPrice(str(draft.daily_price.minor))
    if len(draft.photo_file_ids) > MAX_PHOTOS:
        raise InvalidInput("photos", field="photos")


async def create(
    uow: UnitOfWork, clock: Clock, *, owner_id: int, draft: SpotDraft, moderated: bool = True
) -> Spot:
    """A new listing: waiting for a manager when moderation is on, approved at once otherwise."""
    _validate(draft)
    owner = await people.get_active(uow, owner_id)
    spot = Spot(
        owner_id=owner.id,
        title=draft.title.strip(),
        lat=draft.point.lat,
        lon=draft.point.lon,
        address=draft.address.strip()[:255],
        timezone=timezone_of(draft.point),
        hourly_price=draft.hourly_price,
        daily_price=draft.daily_price,
        covered=draft.covered,
        ev_charger=draft.ev_charger,
        max_vehicle_size=draft.max_vehicle_size,
        access_instructions=draft.access_instructions.strip(),
        instant_booking=draft.instant_booking,
        status=SpotStatus.DRAFT,
        created_at=clock.now(),
        photos=[
            SpotPhoto(position=index, telegram_file_id=file_id)
            for index, file_id in enumerate(draft.photo_file_ids)
        ],
    )
    spot.move_to(SpotStatus.PENDING if moderated else SpotStatus.APPROVED)
    owner.roles = owner.roles | Role.OWNER
    uow.spots.add(spot)
    await uow.spots.flush()
    return spot


async def get(uow: UnitOfWork, spot_id: int) -> Spot:
    spot = await uow.spots.get(spot_id)
    if spot is None:
        raise SpotNotFound(str(spot_id))
    return spot


async def get_owned(uow: UnitOfWork, spot_id: int, owner_id: int) -> Spot:
    """A spot, only for its owner or the operator who manages it: anyone else is told it does
    not exist."""
    spot = await get(uow, spot_id)
    if not await operators.may_manage(uow, spot, owner_id):
        raise SpotNotFound(str(spot_id))
    return spot


async def set_status(
    uow: UnitOfWork, spot_id: int, status: SpotStatus, *, reason: str = ""
) -> Spot:
    spot = await get(uow, spot_id)
    spot.move_to(status)
    spot.rejection_reason = reason or None if status == SpotStatus.REJECTED else None
    return spot


async def add_weekly_rule(
    uow: UnitOfWork,
    *,
    spot_id: int,
    owner_id: int,
    weekday: int,
    start_minute: int,
    end_minute: int,
) -> AvailabilityRule:
    (rule,) = await add_weekly_rules(
        uow, spot_id=spot_id, owner_id=owner_id,
        rules=[WeeklyRule(weekday, start_minute, end_minute)],
    )  # fmt: skip
    return rule


async def add_weekly_rules(
    uow: UnitOfWork, *, spot_id: int, owner_id: int, rules: Iterable[WeeklyRule]
) -> list[AvailabilityRule]:
    await get_owned(uow, spot_id, owner_id)
    added = []
    for rule in rules:
        if not 0 <= rule.weekday <= 6 or not 0 <= rule.start_minute < rule.end_minute <= 24 * 60:
            raise InvalidWindow(f"{rule.weekday} {rule.start_minute}-{rule.end_minute}")
        added.append(
            AvailabilityRule(
                spot_id=spot_id, weekday=rule.weekday,
                start_minute=rule.start_minute, end_minute=rule.end_minute,
            )
        )  # fmt: skip
    uow.spots.add(*added)
    await uow.spots.flush()
    return added


async def add_window(
    uow: UnitOfWork,
    *,
    spot_id: int,
    owner_id: int,
    start: datetime,
    end: datetime,
    blocked: bool = False,
) -> AvailabilityWindow:
    """A one-off opening (``blocked=False``) or a block, given as the instants the owner meant."""
    await get_owned(uow, spot_id, owner_id)
    start, end = ensure_utc(start), ensure_utc(end)
    if end <= start:
        raise InvalidWindow(f"{start} >= {end}")
    window = AvailabilityWindow(spot_id=spot_id, start_at=start, end_at=end, blocked=blocked)
    uow.spots.add(window)
    await uow.spots.flush()
    return window


@dataclass(frozen=True, slots=True)
class AvailabilityChange:
    """What one message added, so that it can be undone exactly."""

    spot_id: int
    rule_ids: list[int]
    window_ids: list[int]


async def add_availability(
    uow: UnitOfWork, *, spot_id: int, owner_id: int, parsed: ParsedAvailability
) -> AvailabilityChange:
    """Record what an owner said about when the spot is free (or blocked)."""
    rules = await add_weekly_rules(uow, spot_id=spot_id, owner_id=owner_id, rules=parsed.weekly)
    windows = [
        await add_window(
            uow,
            spot_id=spot_id,
            owner_id=owner_id,
            start=window.start,
            end=window.end,
            blocked=parsed.blocked,
        )
        for window in parsed.windows
    ]
    return AvailabilityChange(spot_id, [rule.id for rule in rules], [w.id for w in windows])


async def replace_weekly_hours(
    uow: UnitOfWork, *, spot_id: int, owner_id: int, parsed: ParsedAvailability
) -> AvailabilityChange:
    """New regular hours instead of the old ones; one-off openings and blocks stay."""
    await get_owned(uow, spot_id, owner_id)
    if parsed.blocked or not parsed.weekly:
        raise InvalidWindow("regular hours are needed here")
    await uow.spots.clear_weekly_rules(spot_id)
    return await add_availability(uow, spot_id=spot_id, owner_id=owner_id, parsed=parsed)


async def undo_availability(uow: UnitOfWork, *, owner_id: int, change: AvailabilityChange) -> None:
    await get_owned(uow, change.spot_id, owner_id)
    await uow.spots.remove_availability(change.spot_id, change.rule_ids, change.window_ids)


async def owned(uow: UnitOfWork, owner_id: int) -> list[Spot]:
    return await uow.spots.owned_by(owner_id)


async def manageable(uow: UnitOfWork, person_id: int) -> list[Spot]:
    """The person's own spots, then those of the owners they manage spots for."""
    found = await uow.spots.owned_by(person_id)
    for operatorship, _owner in await uow.operators.clients_of(person_id):
        found += await uow.spots.owned_by(operatorship.owner_id)
    return found


async def set_owner_status(
    uow: UnitOfWork, clock: Clock, *, spot_id: int, owner_id: int, status: SpotStatus
) -> Spot:
    """The owner pauses, resumes or withdraws a spot. Withdrawing is refused while bookings
    are still to come: those drivers count on the spot."""
    spot = await get_owned(uow, spot_id, owner_id)
    if status == SpotStatus.DELETED and await uow.bookings.upcoming_live_of_spot(
        spot.id, after=clock.now()
    ):
        raise SpotHasBookings(str(spot_id))
    return await set_status(uow, spot.id, status)


async def change_prices(
    uow: UnitOfWork, *, spot_id: int, owner_id: int, hourly: Money, daily: Money | None
) -> Spot:
    """New prices apply to bookings made from now on; existing bookings keep theirs."""
    spot = await get_owned(uow, spot_id, owner_id)
    if hourly.minor <= 0 or (daily is not None and daily.minor <= 0):
        raise InvalidPrice(str(hourly.minor))
    if hourly.currency != spot.currency or (daily and daily.currency != spot.currency):
        raise InvalidPrice("currency differs from the spot's")
    spot.hourly_price, spot.daily_price = hourly, daily
    return spot


async def set_requirements(
    uow: UnitOfWork,
    *,
    spot_id: int,
    owner_id: int,
    requirements: Requirements,
    instant_booking: bool,
) -> Spot:
    """What the owner asks of drivers from now on, and whether each booking waits for their
    yes; bookings made already stand."""
    spot = await get_owned(uow, spot_id, owner_id)
    spot.min_driver_tier = requirements.min_tier.value if requirements.min_tier else None
    spot.min_completed_stays = requirements.min_completed_stays
    spot.instant_booking = instant_booking
    return spot


async def first_photos(uow: UnitOfWork, spot_ids: list[int]) -> dict[int, str]:
    return await uow.spots.first_photos(spot_ids) if spot_ids else {}


async def replace_photos(
    uow: UnitOfWork, *, spot_id: int, owner_id: int, file_ids: list[str]
) -> Spot:
    """New photos instead of the old ones, in the order they were sent."""
    if not 1 <= len(file_ids) <= MAX_PHOTOS:
        raise InvalidInput("photos", field="photos")
    spot = await get_owned(uow, spot_id, owner_id)
    await uow.spots.replace_photos(spot.id, file_ids)
    return spot


@dataclass(frozen=True, slots=True)
class Decision:
    """A listing as a manager reviews it: the spot with its photos, its owner, its weekly hours."""

    spot: Spot
    owner: Person
    weekly_hours: tuple[WeeklyRule, ...] = ()


async def review(uow: UnitOfWork, spot_id: int) -> Decision:
    spot = await uow.spots.get(spot_id, with_photos=True)
    if spot is None:
        raise SpotNotFound(str(spot_id))
    owner = await people.get(uow, spot.owner_id)
    return Decision(spot, owner, tuple(await uow.spots.weekly_rules(spot_id)))


async def pending_review(uow: UnitOfWork, *, limit: int = 10) -> list[Decision]:
    """Listings waiting for a manager, oldest first."""
    return [
        await review(uow, spot.id) for spot, _owner in await uow.spots.pending_with_owners(limit)
    ]


async def moderate(uow: UnitOfWork, spot_id: int, *, approve: bool, reason: str = "") -> Decision:
    """A manager's verdict on a pending listing; a second verdict on the same spot is refused."""
    spot = await set_status(
        uow, spot_id, SpotStatus.APPROVED if approve else SpotStatus.REJECTED, reason=reason
    )
    return await review(uow, spot.id)


@dataclass(frozen=True, slots=True)
class SpotCard:
    """What a driver sees of a listed spot before booking."""

    spot: Spot
    rating: float | None
    rating_count: int
    owner_credit_score: int


async def card(uow: UnitOfWork, spot_id: int) -> SpotCard:
    """A bookable spot's details; one that is not approved looks like no spot."""
    spot = await uow.spots.get(spot_id, with_photos=True)
    if spot is None or spot.status != SpotStatus.APPROVED:
        raise SpotNotFound(str(spot_id))
    rating, count = await uow.spots.rating_of(spot_id)
    owner = await people.get(uow, spot.owner_id)
    return SpotCard(spot, rating, count, owner.credit_score)
