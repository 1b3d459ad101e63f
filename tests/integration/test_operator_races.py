"""Operators under real concurrent writers: an invitation link opened by several people at once
is taken by one, and an owner ending their operator while stays complete leaves every stay's
money either shared or not, never half."""

import asyncio
from datetime import timedelta

from sqlalchemy import select

from core.db.models import Payout
from core.errors import InvitationNotValid
from core.services import audit, bookings, operators
from tests.integration.builders import a_person
from tests.integration.test_settlement import a_booking, pay

TAKERS = 6
STAYS = 8
# 6.00 a stay, less 0.90 commission: what its owner and operator share.
OWNER_SHARE = 510


async def _audit_is_clean(db):
    async with db.reading() as uow:
        report = await audit.run(uow)
    assert report.healthy, "\n".join(map(str, report.violations))


async def test_an_invitation_opened_by_several_at_once_is_taken_by_one(committing_db, clock):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    takers = [await a_person(db, clock, f"Taker {n}") for n in range(TAKERS)]
    async with db.unit_of_work() as uow:
        code = (await operators.invite(uow, clock, owner_id=owner.id, percent=20)).code

    async def take(person):
        try:
            async with db.unit_of_work() as uow:
                await operators.accept(uow, clock, code=code, person_id=person.id)
        except InvitationNotValid:
            return None
        return person.id

    taken = [found for found in await asyncio.gather(*map(take, takers)) if found is not None]
    assert len(taken) == 1
    async with db.reading() as uow:
        assert (await uow.operators.of_owner(owner.id)).operator_id == taken[0]


async def test_ending_an_operator_while_stays_complete_shares_each_stay_whole_or_not(
    committing_db, clock
):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    operator = await a_person(db, clock, "Oleg")
    async with db.unit_of_work() as uow:
        code = (await operators.invite(uow, clock, owner_id=owner.id, percent=20)).code
    async with db.unit_of_work() as uow:
        relation = await operators.accept(uow, clock, code=code, person_id=operator.id)
    stays = []
    for n in range(STAYS):
        booking = await a_booking(db, clock, owner, driver_name=f"Driver {n}")
        await pay(db, clock, booking, external_id=f"tg-{n}")
        stays.append(booking)
    clock.current = stays[0].end_at + timedelta(minutes=1)
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)  # confirmed -> active

    async def complete():
        async with db.unit_of_work() as uow:
            await bookings.advance(uow, clock)  # active -> completed, money settled

    async def end():
        async with db.unit_of_work() as uow:
            await operators.end(uow, clock, operatorship_id=relation.id, person_id=owner.id)

    await asyncio.gather(complete(), end())

    async with db.reading() as uow:
        payouts = list(await uow.session.scalars(select(Payout)))
        for booking in stays:
            mine = {p.owner_id: p.amount_minor for p in payouts if p.booking_id == booking.id}
            shared = (await operators.share_of_booking(uow, booking.id, "EUR")).minor
            assert shared in (0, 102), booking.id
            assert mine.get(operator.id, 0) == shared
            assert mine[owner.id] + shared == OWNER_SHARE
    await _audit_is_clean(db)
