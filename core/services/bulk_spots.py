"""Many spots of one owner at once, for the operator who manages them (or the owner): listed
from a table, repriced, given new regular hours. Each is one transaction: all of it or none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from core.availability_text import parse_availability
from core.clock import Clock
from core.db.models import Spot, VehicleSize
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, InvalidPrice, SpotNotFound
from core.money import Money
from core.services import listings, operators, spots
from core.spot_import import ReadTable, Refusal
from core.status import SpotStatus

# A change of every price by a percentage, within these bounds.
PERCENT = re.compile(r"^\s*([+\-−]?)\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*%\s*$")
LOWEST_PERCENT, HIGHEST_PERCENT = Decimal(-90), Decimal(300)


@dataclass(frozen=True, slots=True)
class Imported:
    listed: list[Spot]
    refused: list[Refusal]


async def import_spots(
    uow: UnitOfWork, clock: Clock, *, person_id: int, owner_id: int, table: ReadTable,
    moderated: bool,
) -> Imported:  # fmt: skip
    """The good rows become the owner's listings (waiting for review when moderation is on);
    the refused ones are reported back as they were."""
    await operators.acting_for(uow, person_id=person_id, owner_id=owner_id)
    listed = []
    for row in table.rows:
        decision = await listings.submit(
            uow, clock, owner_id=owner_id, moderated=moderated, availability=row.availability,
            draft=spots.SpotDraft(
                title=row.title, point=row.point, address=row.address, hourly_price=row.hourly,
                daily_price=row.daily, covered=row.covered, ev_charger=row.ev_charger,
                max_vehicle_size=VehicleSize(row.size), access_instructions=row.instructions,
            ),
        )  # fmt: skip
        listed.append(decision.spot)
    return Imported(listed, table.refused)


def _managed(found: list[Spot]) -> list[Spot]:
    changeable = (SpotStatus.PENDING, SpotStatus.APPROVED, SpotStatus.PAUSED)
    return [spot for spot in found if spot.status in changeable]


async def _spots_of(uow: UnitOfWork, person_id: int, owner_id: int) -> list[Spot]:
    await operators.acting_for(uow, person_id=person_id, owner_id=owner_id)
    found = _managed(await uow.spots.owned_by(owner_id))
    if not found:
        raise SpotNotFound(f"owner {owner_id}")
    return found


def percent_change(text: str) -> Decimal | None:
    """A typed "+10%" or "-5 %" as a number of per cent; None for anything else."""
    match = PERCENT.match(text)
    if match is None:
        return None
    value = Decimal(match.group(2).replace(",", "."))
    return -value if match.group(1) in ("-", "−") else value


def _scaled(price: Money, percent: Decimal) -> Money:
    minor = (Decimal(price.minor) * (100 + percent) / 100).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return Money(max(int(minor), 1), price.currency)


async def reprice(
    uow: UnitOfWork, *, person_id: int, owner_id: int, hourly: Money | None = None,
    percent: Decimal | None = None,
) -> list[Spot]:  # fmt: skip
    """Every spot of the owner's at one hourly price (each keeps its daily price), or every
    price moved by ``percent``. New prices count for bookings made from now on."""
    found = await _spots_of(uow, person_id, owner_id)
    if percent is not None and not LOWEST_PERCENT <= percent <= HIGHEST_PERCENT:
        raise InvalidInput(f"{percent}%")
    for spot in found:
        if hourly is not None:
            if hourly.currency != spot.currency:
                raise InvalidPrice("currency differs from the spot's")
            new_hourly, new_daily = hourly, spot.daily_price
        elif percent is not None:
            new_hourly = _scaled(spot.hourly_price, percent)
            new_daily = _scaled(spot.daily_price, percent) if spot.daily_price else None
        else:
            raise InvalidInput("no price")
        await spots.change_prices(
            uow, spot_id=spot.id, owner_id=owner_id, hourly=new_hourly, daily=new_daily
        )
    return found


async def replace_hours(
    uow: UnitOfWork, clock: Clock, *, person_id: int, owner_id: int, text: str
) -> list[Spot]:
    """The same regular hours for every spot of the owner's, read in each spot's timezone."""
    found = await _spots_of(uow, person_id, owner_id)
    for spot in found:
        parsed = parse_availability(text, zone=ZoneInfo(spot.timezone), now=clock.now())
        await spots.replace_weekly_hours(uow, spot_id=spot.id, owner_id=owner_id, parsed=parsed)
    return found
