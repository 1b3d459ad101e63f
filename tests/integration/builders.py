"""Short ways to set up the people and spots a test needs, through the real services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from core.db.models import Booking, Person, Spot
from core.db.uow import Database
from core.geo import GeoPoint
from core.money import Money
from core.services import booking_payments, bookings, people, spots
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


@dataclass(frozen=True, slots=True)
class Stay:
    """Olga's spot, and Dana's booking of it: what most money stories start from."""

    owner: Person
    driver: Person
    spot: Spot
    booking: Booking


async def a_stay(
    db: Database,
    clock: FrozenClock,
    *,
    start_in: timedelta = timedelta(hours=1),
    length: timedelta = timedelta(hours=2),
    hourly_minor: int = 300,
    owner: Person | None = None,
    driver: Person | None = None,
) -> Stay:
    """A booking awaiting payment (the spot books instantly), starting ``start_in`` from now;
    between Olga and Dana unless the people are given."""
    owner = owner or await a_person(db, clock, "Olga")
    driver = driver or await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=hourly_minor)
    start = clock.now() + start_in
    async with db.unit_of_work() as uow:
        booking = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start, end=start + length,
            commission_basis_points=1500,
        )  # fmt: skip
    return Stay(owner, driver, spot, booking)


async def a_payment(
    db: Database,
    clock: FrozenClock,
    booking: Booking,
    *,
    external_id: str = "paid",
    amount: Money | None = None,
    gateway: str = "sandbox",
    provider_charge_id: str | None = None,
    held: bool = False,
) -> booking_payments.PaymentOutcome:
    """The gateway reports the driver's payment of the booking's price (or ``amount``)."""
    async with db.unit_of_work() as uow:
        return await booking_payments.record_payment(
            uow, clock, gateway=gateway, payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id,
            amount=amount or booking.price,
            external_id=external_id, provider_charge_id=provider_charge_id, held=held,
        )  # fmt: skip
