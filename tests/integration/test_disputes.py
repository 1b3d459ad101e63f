"""Disputes on both databases: the money waits in escrow while a manager decides, each ruling
divides it through the ledger, the loser pays in credit, and only one decision ever lands."""

import pytest

from core.errors import (
    AlreadyRated,
    BookingNotDisputable,
    BookingNotFound,
    DisputeAlreadyOpen,
    DisputeTaken,
    NotAsked,
    RatingNotAllowed,
    RelayClosed,
)
from core.services import bookings, disputes, ratings, relay, settlement
from core.services.disputes import Problem, Ruling
from core.services.ledger import ESCROW, PLATFORM_REVENUE, owner_payable_account
from core.services.ledger import refund_payable_account as refund_payable
from core.services.parties import Side
from core.status import BookingStatus
from tests.integration import test_settlement
from tests.integration.builders import a_person
from tests.integration.test_settlement import balances, pay

# The paid-booking setup the settlement tests use: Olga's spot, Dana's two hours for 6.00.
owner = test_settlement.owner
booking = test_settlement.booking


@pytest.fixture
async def manager(db, clock):
    return await a_person(db, clock, "Maria")


async def _report(db, clock, booking, *, problem=Problem.SPOT_OCCUPIED):
    async with db.unit_of_work() as uow:
        return await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=booking.driver_id, problem=problem,
            text="A red car is in my spot", photo_file_ids=["photo-1"],
        )  # fmt: skip


@pytest.mark.parametrize(
    ("ruling", "percent", "refund", "owner_share", "revenue", "status"),
    [
        (Ruling.REFUND, 0, 600, 0, 0, BookingStatus.CANCELLED),
        (Ruling.RELEASE, 0, 0, 510, 90, BookingStatus.COMPLETED),
        (Ruling.SPLIT, 0, 300, 255, 45, BookingStatus.COMPLETED),
        (Ruling.PARTIAL, 25, 150, 383, 67, BookingStatus.COMPLETED),
    ],
)
async def test_a_ruling_divides_the_held_money(
    db,
    clock,
    booking,
    owner,
    manager,
    ruling,
    percent,
    refund,
    owner_share,
    revenue,
    status,
):
    await pay(db, clock, booking)
    dispute = await _report(db, clock, booking)
    assert await balances(db, ESCROW) == [600]
    async with db.unit_of_work() as uow:
        decision = await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=ruling,
            refund_percent=percent,
        )  # fmt: skip
    assert decision.refund.minor == refund
    assert decision.owner_share.minor == owner_share
    assert decision.case.parties.booking.status == status
    assert await balances(
        db, ESCROW, refund_payable(booking.driver_id), owner_payable_account(owner.id),
        PLATFORM_REVENUE,
    ) == [0, refund, owner_share, revenue]  # fmt: skip


async def test_the_owners_payout_waits_while_a_dispute_is_open(db, clock, booking, manager):
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        held = await bookings.transition(uow, clock, booking.id, BookingStatus.ACTIVE)
        held = await bookings.transition(uow, clock, booking.id, BookingStatus.COMPLETED)
        await settlement.settle_completed(uow, clock, held)
        dispute = await disputes.open_dispute(
            uow, clock, booking_id=booking.id, kind=Problem.CHARGEBACK
        )
    clock.current += settlement.PAYOUT_HOLD
    async with db.reading() as uow:
        assert (await settlement.due_transfers(uow, clock)).payouts == []
    async with db.unit_of_work() as uow:
        (await disputes.get(uow, dispute.id)).status = "resolved"
    async with db.reading() as uow:
        assert len((await settlement.due_transfers(uow, clock)).payouts) == 1


async def test_only_the_first_manager_decides(db, clock, booking, manager):
    await pay(db, clock, booking)
    dispute = await _report(db, clock, booking)
    other = await a_person(db, clock, "Mark")
    async with db.unit_of_work() as uow:
        await disputes.ask(uow, dispute_id=dispute.id, manager_id=manager.id, side=Side.DRIVER)
    with pytest.raises(DisputeTaken):
        async with db.unit_of_work() as uow:
            await disputes.decide(
                uow, clock, dispute_id=dispute.id, manager_id=other.id, ruling=Ruling.RELEASE
            )
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.REFUND
        )
    with pytest.raises(DisputeTaken):
        async with db.unit_of_work() as uow:
            await disputes.decide(
                uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.RELEASE
            )
    assert await balances(db, refund_payable(booking.driver_id)) == [600]


async def test_a_problem_is_reported_once_on_a_paid_stay_by_one_of_its_sides(
    db,
    clock,
    booking,
    owner,
):
    with pytest.raises(BookingNotDisputable):  # not paid yet
        await _report(db, clock, booking)
    await pay(db, clock, booking)
    stranger = await a_person(db, clock, "Sam")
    with pytest.raises(BookingNotFound):
        async with db.unit_of_work() as uow:
            await disputes.report(
                uow, clock, booking_id=booking.id, reporter_id=stranger.id,
                problem=Problem.OTHER, text="?", photo_file_ids=[],
            )  # fmt: skip
    dispute = await _report(db, clock, booking)
    with pytest.raises(DisputeAlreadyOpen):
        await _report(db, clock, booking)
    with pytest.raises(NotAsked):
        async with db.unit_of_work() as uow:
            await disputes.answer(uow, clock, dispute_id=dispute.id, person_id=owner.id, text="x")


async def test_the_relay_is_for_the_two_sides_and_closes_after_the_stay(db, clock, booking, owner):
    with pytest.raises(RelayClosed):  # unpaid
        async with db.unit_of_work() as uow:
            await relay.send(uow, clock, booking_id=booking.id, sender_id=owner.id, kind="text")
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        leg, sent = await relay.send(
            uow, clock, booking_id=booking.id, sender_id=owner.id, kind="text",
            text="Call +49 151 2345 6789",
        )  # fmt: skip
    assert leg.recipient.id == booking.driver_id
    assert sent.text == "Call •••"
    async with db.unit_of_work() as uow:
        for status in (BookingStatus.ACTIVE, BookingStatus.COMPLETED):
            await bookings.transition(uow, clock, booking.id, status)
    clock.advance(days=1, hours=2 + 2, minutes=1)  # two hours past the end
    with pytest.raises(RelayClosed):
        async with db.unit_of_work() as uow:
            await relay.send(uow, clock, booking_id=booking.id, sender_id=owner.id, kind="text")


async def test_a_completed_stay_is_rated_once_per_side(db, clock, booking, owner):
    with pytest.raises(RatingNotAllowed):
        async with db.unit_of_work() as uow:
            await ratings.rate(uow, clock, booking_id=booking.id, rater_id=owner.id, stars=5)
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        for status in (BookingStatus.ACTIVE, BookingStatus.COMPLETED):
            await bookings.transition(uow, clock, booking.id, status)
    async with db.unit_of_work() as uow:
        rating = await ratings.rate(
            uow, clock, booking_id=booking.id, rater_id=booking.driver_id, stars=2
        )
    assert rating.ratee_id == owner.id and rating.spot_id == booking.spot_id  # noqa: PT018
    with pytest.raises(AlreadyRated):
        async with db.unit_of_work() as uow:
            await ratings.rate(
                uow, clock, booking_id=booking.id, rater_id=booking.driver_id, stars=5
            )
    async with db.reading() as uow:
        assert (await uow.people.get(owner.id)).credit_score == 600 - 10
        assert await uow.people.rating_of(owner.id) == (2.0, 1)


async def test_a_driver_found_not_to_have_come_loses_credit_for_a_no_show(
    db, clock, booking, owner, manager
):
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        dispute = await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=owner.id, problem=Problem.NO_SHOW,
            text="Nobody came", photo_file_ids=[],
        )  # fmt: skip
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.RELEASE
        )
    async with db.reading() as uow:
        (event,) = await uow.people.credit_events(booking.driver_id, limit=5)
    assert (event.kind, event.delta) == ("no_show", -60)
