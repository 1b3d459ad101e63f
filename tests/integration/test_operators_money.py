"""Operators in the store: an invitation taken once, the rights it gives over the owner's spots,
and the operator's share paid from the owner's share by the ledger when the payout is queued."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db.models import Payout
from core.errors import (
    AlreadyRated,
    BookingNotFound,
    InvitationNotValid,
    OperatorshipNotFound,
    OwnInvitation,
    SpotNotFound,
)
from core.money import Money
from core.services import (
    bookings,
    bulk_spots,
    ledger,
    operators,
    parties,
    profit,
    ratings,
    settlement,
    spots,
)
from core.services.ledger import OPERATOR_SHARE, owner_paid_out_account, owner_payable_account
from core.services.parties import Side
from tests.integration.builders import a_person, an_approved_spot
from tests.integration.test_settlement import a_booking, pay, stay_through

EUR = "EUR"


@pytest.fixture
async def owner(db, clock):
    return await a_person(db, clock, "Olga")


@pytest.fixture
async def operator(db, clock):
    return await a_person(db, clock, "Oleg")


async def take_on(db, clock, owner, operator, percent=20):
    async with db.unit_of_work() as uow:
        invitation = await operators.invite(uow, clock, owner_id=owner.id, percent=percent)
    async with db.unit_of_work() as uow:
        return await operators.accept(uow, clock, code=invitation.code, person_id=operator.id)


async def payouts(db):
    async with db.reading() as uow:
        rows = await uow.session.scalars(select(Payout).order_by(Payout.id))
        return [(payout.owner_id, payout.amount_minor) for payout in rows]


async def test_the_operator_is_paid_their_share_out_of_the_owners_payout(
    db, clock, owner, operator
):
    await take_on(db, clock, owner, operator, percent=20)
    booking = await a_booking(db, clock, owner)
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)

    # 6.00 less 0.90 commission is the owner's 5.10; a fifth of it, 1.02, is the operator's.
    assert await payouts(db) == [(operator.id, 102), (owner.id, 408)]
    async with db.reading() as uow:
        assert (await ledger.balance(uow, owner_payable_account(owner.id), EUR)).minor == 408
        assert (await ledger.balance(uow, owner_payable_account(operator.id), EUR)).minor == 102
        owners = await profit.earnings(uow, owner.id)
        folio = await operators.portfolio(uow, clock, operator.id)
    assert owners.to_operator == [Money(102, EUR)]
    assert owners.pending == [Money(408, EUR)]
    assert folio.month.earned == folio.week.earned == [Money(102, EUR)]
    assert folio.pending == [Money(102, EUR)]


async def test_the_operators_payout_leaves_like_an_owners(db, clock, owner, operator):
    await take_on(db, clock, owner, operator, percent=10)
    booking = await a_booking(db, clock, owner)
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    async with db.reading() as uow:
        theirs = await uow.session.scalar(select(Payout).where(Payout.owner_id == operator.id))
    async with db.unit_of_work() as uow:
        await settlement.payout_sent(uow, clock, theirs.id, "tr_op")
    async with db.reading() as uow:
        folio = await operators.portfolio(uow, clock, operator.id)
        paid = await ledger.balance(uow, owner_paid_out_account(operator.id), EUR)
    assert paid.minor == 51
    assert folio.paid_out == [Money(51, EUR)]
    assert folio.pending == []


async def test_without_an_operator_the_owner_keeps_the_whole_share(db, clock, owner, operator):
    relation = await take_on(db, clock, owner, operator)
    async with db.unit_of_work() as uow:
        await operators.end(uow, clock, operatorship_id=relation.id, person_id=owner.id)
    booking = await a_booking(db, clock, owner)
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    assert await payouts(db) == [(owner.id, 510)]
    async with db.reading() as uow:
        assert await uow.ledger.by_idempotency_key(f"booking:{booking.id}:{OPERATOR_SHARE}") is None


async def test_an_invitation_is_taken_once_and_never_by_its_owner(db, clock, owner, operator):
    other = await a_person(db, clock, "Omar")
    async with db.unit_of_work() as uow:
        invitation = await operators.invite(uow, clock, owner_id=owner.id, percent=15)
    with pytest.raises(OwnInvitation):
        async with db.unit_of_work() as uow:
            await operators.accept(uow, clock, code=invitation.code, person_id=owner.id)
    async with db.unit_of_work() as uow:
        await operators.accept(uow, clock, code=invitation.code, person_id=operator.id)
    with pytest.raises(InvitationNotValid):
        async with db.unit_of_work() as uow:
            await operators.accept(uow, clock, code=invitation.code, person_id=other.id)


async def test_an_invitation_lapses_after_a_week(db, clock, owner, operator):
    async with db.unit_of_work() as uow:
        invitation = await operators.invite(uow, clock, owner_id=owner.id, percent=15)
    clock.current += operators.INVITATION_LASTS + timedelta(minutes=1)
    with pytest.raises(InvitationNotValid):
        async with db.unit_of_work() as uow:
            await operators.accept(uow, clock, code=invitation.code, person_id=operator.id)


async def test_a_new_operator_taken_on_ends_the_previous_one(db, clock, owner, operator):
    first = await take_on(db, clock, owner, operator)
    newcomer = await a_person(db, clock, "Nina")
    await take_on(db, clock, owner, newcomer)
    async with db.reading() as uow:
        assert not await uow.operators.manages(operator.id, owner.id)
        assert await uow.operators.manages(newcomer.id, owner.id)
    with pytest.raises(OperatorshipNotFound):
        async with db.unit_of_work() as uow:
            await operators.end(uow, clock, operatorship_id=first.id, person_id=operator.id)


async def test_the_operator_manages_the_owners_spots_and_no_one_elses(db, clock, owner, operator):
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    stranger = await a_person(db, clock, "Sam")
    strangers_spot = await an_approved_spot(db, clock, stranger, hourly_minor=300)
    await take_on(db, clock, owner, operator)
    async with db.unit_of_work() as uow:
        changed = await spots.change_prices(
            uow, spot_id=spot.id, owner_id=operator.id, hourly=Money(450, EUR), daily=None
        )
    assert changed.hourly_price == Money(450, EUR)
    with pytest.raises(SpotNotFound):
        async with db.unit_of_work() as uow:
            await spots.change_prices(
                uow, spot_id=strangers_spot.id, owner_id=operator.id, hourly=Money(1, EUR),
                daily=None,
            )  # fmt: skip
    with pytest.raises(OperatorshipNotFound):
        async with db.unit_of_work() as uow:
            await operators.set_share(
                uow, operatorship_id=(await uow.operators.of_owner(owner.id)).id,
                owner_id=operator.id, percent=30,
            )  # fmt: skip


async def test_only_the_owner_and_their_operator_change_all_their_spots(db, clock, owner, operator):
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    stranger = await a_person(db, clock, "Sam")
    await take_on(db, clock, owner, operator)
    for person in (stranger, operator, owner):
        try:
            async with db.unit_of_work() as uow:
                await bulk_spots.reprice(
                    uow, person_id=person.id, owner_id=owner.id, percent=Decimal(10)
                )
        except OperatorshipNotFound:
            assert person is stranger
        else:
            assert person is not stranger
    async with db.reading() as uow:
        assert (await uow.spots.get(spot.id)).hourly_price == Money(363, EUR)
    with pytest.raises(OperatorshipNotFound):
        async with db.unit_of_work() as uow:
            await bulk_spots.replace_hours(
                uow, clock, person_id=stranger.id, owner_id=owner.id, text="daily 7-22"
            )


async def test_the_owner_and_the_operator_rate_the_driver_once_between_them(
    db, clock, owner, operator
):
    await take_on(db, clock, owner, operator)
    booking = await a_booking(db, clock, owner)
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    async with db.unit_of_work() as uow:
        await ratings.rate(uow, clock, booking_id=booking.id, rater_id=operator.id, stars=5)
    with pytest.raises(AlreadyRated):
        async with db.unit_of_work() as uow:
            await ratings.rate(uow, clock, booking_id=booking.id, rater_id=owner.id, stars=1)
    async with db.unit_of_work() as uow:
        await ratings.rate(uow, clock, booking_id=booking.id, rater_id=booking.driver_id, stars=4)


async def test_a_booking_the_operator_calls_off_costs_the_owners_credit(db, clock, owner, operator):
    await take_on(db, clock, owner, operator)
    booking = await a_booking(db, clock, owner)
    await pay(db, clock, booking)
    async with db.reading() as uow:
        before = (
            (await uow.people.get(owner.id)).credit_score,
            (await uow.people.get(operator.id)).credit_score,
        )
    async with db.unit_of_work() as uow:
        await bookings.cancel_by_owner(
            uow, clock, booking_id=booking.id, owner_id=operator.id,
            expected_version=booking.version + 1,
        )  # fmt: skip
    async with db.reading() as uow:
        after = (
            (await uow.people.get(owner.id)).credit_score,
            (await uow.people.get(operator.id)).credit_score,
        )
    assert after[0] < before[0]
    assert after[1] == before[1]


async def test_an_operator_who_stopped_is_still_read_as_the_owners_side_in_the_record(
    db, clock, owner, operator
):
    relation = await take_on(db, clock, owner, operator)
    booking = await a_booking(db, clock, owner)
    async with db.reading() as uow:
        assert (await parties.of_booking(uow, booking.id)).side_of(operator.id) == Side.OWNER
    async with db.unit_of_work() as uow:
        await operators.end(uow, clock, operatorship_id=relation.id, person_id=operator.id)
    async with db.reading() as uow:
        found = await parties.of_booking(uow, booking.id)
    with pytest.raises(BookingNotFound):
        found.side_of(operator.id)  # no say in the booking any more
    assert found.role_of(operator.id) == Side.OWNER  # what they wrote stays the owner's side
