"""Short ways to set up the people and spots a test needs, through the real services."""

from __future__ import annotations

import itertools

from core.db.models import Person, Spot
from core.db.uow import Database
from core.geo import GeoPoint
from core.money import Money
from core.services import people, spots
from core.status import SpotStatus
from tests.fakes import FrozenClock

_telegram_ids = itertools.count(10_000)
BERLIN_CENTRE = GeoPoint(52.52, 13.405)


async def a_person(
    db: Database, clock: FrozenClock, name: str = "Dana", *, telegram_id: int | None = None
) -> Person:
    async with db.unit_of_work() as uow:
        return await people.register(
            uow,
            clock,
            telegram_id=telegram_id or next(_telegram_ids),
            language_code="en",
            first_name=name,
            initial_credit=600,
        )


async def an_approved_spot(
    db: Database,
    clock: FrozenClock,
    owner: Person,
    *,
    hourly_minor: int = 300,
    status: SpotStatus = SpotStatus.APPROVED,
) -> Spot:
    """A spot open every day, all day (approved, unless a test wants it waiting for review)."""
    async with db.unit_of_work() as uow:
        spot = await spots.create(
            uow,
            clock,
            owner_id=owner.id,
            draft=spots.SpotDraft(
                title="Garage on Elm St",
                point=BERLIN_CENTRE,
                hourly_price=Money(hourly_minor, "EUR"),
            ),
        )
        if status != SpotStatus.PENDING:
            await spots.set_status(uow, spot.id, status)
        for weekday in range(7):
            await spots.add_weekly_rule(
                uow,
                spot_id=spot.id,
                owner_id=owner.id,
                weekday=weekday,
                start_minute=0,
                end_minute=1440,
            )
        return spot
