"""An owner's spot through its life, each step one use case in one unit of work: submitted,
reviewed by a manager, given hours, paused and resumed. A step that frees time at the spot
also finds the waiting drivers to tell, in the same transaction that marks them told."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.availability import WeeklyRule
from core.availability_text import ParsedAvailability, parse_availability
from core.clock import Clock
from core.db.models import Spot
from core.db.uow import UnitOfWork
from core.services import operators, saved_searches, spots
from core.services.saved_searches import FreedSpot
from core.services.spots import AvailabilityChange, Decision, SpotDraft
from core.status import SpotStatus


async def submit(
    uow: UnitOfWork,
    clock: Clock,
    *,
    owner_id: int,
    draft: SpotDraft,
    availability: ParsedAvailability,
    moderated: bool,
    listed_by: int | None = None,
) -> Decision:
    """A new listing with its hours, as the managers' card shows it; ``listed_by`` someone
    other than the owner must be the operator who manages the owner's spots."""
    if listed_by is not None:
        await operators.acting_for(uow, person_id=listed_by, owner_id=owner_id)
    spot = await spots.create(uow, clock, owner_id=owner_id, draft=draft, moderated=moderated)
    await spots.add_availability(uow, spot_id=spot.id, owner_id=owner_id, parsed=availability)
    return await spots.review(uow, spot.id)


@dataclass(frozen=True, slots=True)
class Moderated:
    decision: Decision
    freed: list[FreedSpot]


async def moderate(
    uow: UnitOfWork, clock: Clock, spot_id: int, *, approve: bool, reason: str = ""
) -> Moderated:
    """A manager's verdict; an approved spot may be what waiting drivers looked for."""
    decision = await spots.moderate(uow, spot_id, approve=approve, reason=reason)
    freed = (
        await saved_searches.freed_for_waiting_drivers(uow, clock, [decision.spot.id])
        if approve
        else []
    )
    return Moderated(decision, freed)


@dataclass(frozen=True, slots=True)
class HoursAdded:
    spot: Spot
    parsed: ParsedAvailability
    change: AvailabilityChange
    freed: list[FreedSpot]


async def add_hours(
    uow: UnitOfWork, clock: Clock, *, spot_id: int, owner_id: int, text: str
) -> HoursAdded:
    """What an owner wrote about when their spot is free, read in the spot's timezone."""
    spot = await spots.get_owned(uow, spot_id, owner_id)
    parsed = parse_availability(text, zone=ZoneInfo(spot.timezone), now=clock.now())
    change = await spots.add_availability(uow, spot_id=spot.id, owner_id=owner_id, parsed=parsed)
    freed = []
    if not parsed.blocked:
        freed = await saved_searches.freed_for_waiting_drivers(uow, clock, [spot.id])
    return HoursAdded(spot, parsed, change, freed)


@dataclass(frozen=True, slots=True)
class SpotShown:
    """A spot as its owner's list shows it, after what they pressed."""

    spot: Spot
    weekly_hours: list[WeeklyRule]
    freed: list[FreedSpot]


async def owned(uow: UnitOfWork, owner_id: int) -> list[SpotShown]:
    """An owner's spots with their weekly hours, as /myspots lists them."""
    return [
        SpotShown(spot, list(await uow.spots.weekly_rules(spot.id)), [])
        for spot in await spots.owned(uow, owner_id)
    ]


async def set_owner_status(
    uow: UnitOfWork, clock: Clock, *, spot_id: int, owner_id: int, status: SpotStatus | None
) -> SpotShown:
    """The owner pauses, resumes or withdraws a spot (``status``), or only looks at it again
    (None); a resumed spot may be what waiting drivers looked for."""
    if status is None:
        spot = await spots.get_owned(uow, spot_id, owner_id)
    else:
        spot = await spots.set_owner_status(
            uow, clock, spot_id=spot_id, owner_id=owner_id, status=status
        )
    freed = (
        await saved_searches.freed_for_waiting_drivers(uow, clock, [spot.id])
        if status == SpotStatus.APPROVED
        else []
    )
    return SpotShown(spot, list(await uow.spots.weekly_rules(spot.id)), freed)
