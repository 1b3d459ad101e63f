"""Owners' requirements in the store: the stays a driver completed are counted by the same
statement that decides the booking; a pass taken before the owner asked more renews."""

from datetime import timedelta

import pytest

from core.credit import CreditTier
from core.errors import RequirementsNotMet
from core.requirements import Requirements, StaysShortfall
from core.services import bookings, passes, spots
from core.status import BookingStatus
from tests.integration.builders import a_payment, a_person, an_approved_spot
from tests.integration.test_series import _pass_taken


async def test_stays_an_owner_asks_for_are_counted_when_the_driver_books(db, clock):
    owner = await a_person(db, clock, "Olga")
    strict = await an_approved_spot(db, clock, owner)
    other = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    async with db.unit_of_work() as uow:
        await spots.set_requirements(
            uow, spot_id=strict.id, owner_id=owner.id,
            requirements=Requirements(min_completed_stays=1), instant_booking=True,
        )  # fmt: skip
    start = clock.now() + timedelta(hours=1)
    with pytest.raises(RequirementsNotMet) as refused:
        async with db.unit_of_work() as uow:
            await bookings.request(
                uow, clock, driver_id=dana.id, spot_id=strict.id, start=start,
                end=start + timedelta(hours=1), commission_basis_points=1500,
            )  # fmt: skip
    assert refused.value.shortfalls == [StaysShortfall(1, 0)]
    async with db.unit_of_work() as uow:
        stay = await bookings.request(
            uow, clock, driver_id=dana.id, spot_id=other.id, start=start,
            end=start + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
        (await uow.bookings.get(stay.id)).status = BookingStatus.COMPLETED
    async with db.unit_of_work() as uow:
        booked = await bookings.request(
            uow, clock, driver_id=dana.id, spot_id=strict.id, start=start,
            end=start + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
    assert booked.status == BookingStatus.AWAITING_PAYMENT


async def test_a_pass_renews_for_its_driver_after_the_owner_asks_more_of_new_drivers(db, clock):
    owner, spot, _rita, taken = await _pass_taken(db, clock)
    await a_payment(db, clock, taken.first_month.first, amount=taken.first_month.price)
    async with db.unit_of_work() as uow:
        await spots.set_requirements(
            uow, spot_id=spot.id, owner_id=owner.id,
            requirements=Requirements(CreditTier.TRUSTED, 3), instant_booking=True,
        )  # fmt: skip
    clock.advance(days=27)
    async with db.unit_of_work() as uow:
        (renewal,) = await passes.renew_due(uow, clock, commission_basis_points=1500)
    assert renewal.booked.bookings
