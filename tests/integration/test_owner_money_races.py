"""Two writers taking money back from one owner at once, each caught mid-transaction while the
other decides, on real concurrent PostgreSQL connections: however the race falls, the owner's
payouts waiting to leave never add up to more than they are owed, and a stay's money is taken
back once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.db.models import Booking, Dispute, Person
from core.db.uow import Database
from core.services import audit, bookings, chargebacks, disputes
from tests.integration.builders import a_payment, a_person, a_stay
from tests.support.lock_waits import wait_until_a_lock_is_waited_for

pytestmark = pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)


@dataclass(frozen=True, slots=True)
class TwoStays:
    """Olga's spot, stayed at twice, both stays over and their payouts waiting; the first one
    disputed by its driver."""

    first: Booking
    second: Booking
    dispute: Dispute
    manager: Person


@pytest.fixture
async def two_stays(committing_db, clock) -> TwoStays:
    db = committing_db
    stay = await a_stay(db, clock, length=timedelta(hours=1))
    first, spot = stay.booking, stay.spot
    async with db.unit_of_work() as uow:
        second = await bookings.request(
            uow, clock, driver_id=(await a_person(db, clock, "Ben")).id, spot_id=spot.id,
            start=first.end_at, end=first.end_at + timedelta(hours=1),
            commission_basis_points=1500,
        )  # fmt: skip
    for booking, charge in ((first, "ch_1"), (second, "ch_2")):
        await a_payment(db, clock, booking, gateway="stripe", external_id=f"pi_{charge}",
                        provider_charge_id=charge)  # fmt: skip
    for _ in range(2):  # the first stay starts, then ends as the second starts
        await _an_hour_passes(db, clock)
    async with db.unit_of_work() as uow:
        dispute = await disputes.report(
            uow, clock, booking_id=first.id, reporter_id=first.driver_id,
            problem=disputes.Problem.DAMAGE, text="scratched", photo_file_ids=[],
        )  # fmt: skip
    await _an_hour_passes(db, clock)  # the second stay ends
    async with db.reading() as uow:
        waiting = await uow.payments.payouts_waiting(stay.owner.id, first.currency)
    assert first.price_minor == second.price_minor
    assert waiting == 2 * (first.price_minor - first.commission_minor)
    return TwoStays(first, second, dispute, await a_person(db, clock, "Mia"))


async def _an_hour_passes(db: Database, clock) -> None:
    clock.advance(hours=1, minutes=1)
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)


async def _bank_takes_back(db: Database, clock, booking: Booking) -> None:
    async with db.unit_of_work() as uow:
        payment = (await uow.payments.of_booking(booking.id))[0]
        await chargebacks.funds_withdrawn(
            uow, clock, payment, dispute_reference=f"dp_{booking.id}",
            amount=booking.price,
        )  # fmt: skip


async def _violations(db: Database) -> list[str]:
    async with db.reading() as uow:
        return [str(violation) for violation in (await audit.run(uow)).violations]


async def _a_full_refund_while_the_bank_takes_back(db, clock, stays, taken) -> None:
    """The manager refunds the first stay in full; before that commits, the bank takes
    ``taken`` back, and waits on the ruling's locks."""
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=stays.dispute.id, manager_id=stays.manager.id,
            ruling=disputes.Ruling.REFUND,
        )  # fmt: skip
        bank = asyncio.create_task(_bank_takes_back(db, clock, taken))
        await wait_until_a_lock_is_waited_for(db)
    await bank


async def test_a_chargeback_on_one_stay_while_a_ruling_refunds_another_leaves_no_payout_unowed(
    committing_db, clock, two_stays
):
    """The manager refunds the first stay in full, which cuts its payout; before that is
    committed the bank takes the second stay's money back. The bank's side must see the cut
    and what the owner is owed after the ruling, or the second payout stays whole while the
    owner is owed nothing."""
    db, stays = committing_db, two_stays
    await _a_full_refund_while_the_bank_takes_back(db, clock, stays, stays.second)
    assert await _violations(db) == []
    async with db.reading() as uow:
        owner_id = (await uow.spots.get(stays.first.spot_id)).owner_id
        assert await uow.payments.payouts_waiting(owner_id, stays.first.currency) == 0


async def test_a_chargeback_while_a_ruling_refunds_the_same_stay_takes_back_only_what_is_left(
    committing_db, clock, two_stays
):
    """The ruling sends the whole price back to the driver; the bank's chargeback of the same
    payment, arriving meanwhile, finds nothing left to take (not the price a second time)."""
    db, stays = committing_db, two_stays
    await _a_full_refund_while_the_bank_takes_back(db, clock, stays, stays.first)
    assert await _violations(db) == []


async def test_a_ruling_while_the_bank_takes_the_same_stay_back_refunds_only_what_is_left(
    committing_db, clock, two_stays
):
    """The other way round: the chargeback is being recorded when the manager rules."""
    db, stays = committing_db, two_stays
    async with db.unit_of_work() as uow:
        payment = (await uow.payments.of_booking(stays.first.id))[0]
        await chargebacks.funds_withdrawn(
            uow, clock, payment, dispute_reference="dp_first",
            amount=stays.first.price,
        )  # fmt: skip

        async def manager_rules() -> None:
            async with db.unit_of_work() as other:
                await disputes.decide(
                    other, clock, dispute_id=stays.dispute.id, manager_id=stays.manager.id,
                    ruling=disputes.Ruling.SPLIT,
                )  # fmt: skip

        ruling = asyncio.create_task(manager_rules())
        await wait_until_a_lock_is_waited_for(db)
    await ruling
    assert await _violations(db) == []
