"""Arrival and departure checks on both databases: the owner is asked once whether the driver
came and whether the spot is free again; a "no" becomes a dispute with the owner's payout held,
a spot left on time earns the driver credit, and a check-in spares the owner the question."""

from datetime import timedelta

import pytest

from core.errors import (
    AlreadyAnswered,
    BookingNotDisputable,
    BookingNotFound,
    CheckInNotNow,
    NotAsked,
    NotTheOwner,
)
from core.services import bookings, disputes, settlement, stay_checks
from core.services.disputes import Problem, Ruling
from core.services.ledger import PLATFORM_REVENUE, owner_payable_account
from core.services.ledger import refund_payable_account as refund_payable
from core.services.stay_checks import Answer, Notice
from core.status import BookingStatus
from tests.integration import test_settlement
from tests.integration.builders import a_person
from tests.integration.test_settlement import balances, pay

owner = test_settlement.owner
booking = test_settlement.booking


async def _sweep(db, clock):
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)
        return await stay_checks.due(uow, clock)


async def _answer(db, clock, booking, owner, given):
    async with db.unit_of_work() as uow:
        return await stay_checks.answer(
            uow, clock, booking_id=booking.id, owner_id=owner.id, given=given, note="asked"
        )


async def _credit_kinds(db, person_id):
    async with db.reading() as uow:
        return [event.kind for event in await uow.people.credit_events(person_id, limit=10)]


async def test_the_owner_is_asked_once_whether_the_driver_came(db, clock, booking):
    await pay(db, clock, booking)
    clock.current = booking.start_at + timedelta(minutes=10)
    assert await _sweep(db, clock) == []  # too early: the driver may be parking
    clock.current = booking.start_at + stay_checks.ARRIVAL_GRACE
    (check,) = await _sweep(db, clock)
    assert (check.kind, check.parties.booking.id) == (Notice.ARRIVAL_CHECK, booking.id)
    assert await _sweep(db, clock) == []


async def test_a_driver_who_checked_in_is_not_asked_about(db, clock, booking):
    await pay(db, clock, booking)
    clock.current = booking.start_at - timedelta(minutes=5)
    async with db.unit_of_work() as uow:
        found = await stay_checks.check_in(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id
        )
    assert found.owner is not None
    async with db.unit_of_work() as uow:  # pressed again: the owner is not told twice
        assert (
            await stay_checks.check_in(
                uow, clock, booking_id=booking.id, driver_id=booking.driver_id
            )
            is None
        )
    clock.current = booking.start_at + stay_checks.ARRIVAL_GRACE
    assert await _sweep(db, clock) == []


async def test_only_the_driver_checks_in_and_only_near_the_stay(db, clock, booking, owner):
    await pay(db, clock, booking)
    with pytest.raises(CheckInNotNow):
        async with db.unit_of_work() as uow:
            await stay_checks.check_in(
                uow, clock, booking_id=booking.id, driver_id=booking.driver_id
            )
    clock.current = booking.start_at
    with pytest.raises(NotTheOwner):
        async with db.unit_of_work() as uow:
            await stay_checks.check_in(uow, clock, booking_id=booking.id, driver_id=owner.id)


async def test_no_one_came_becomes_a_no_show_dispute(db, clock, booking, owner):
    await pay(db, clock, booking)
    clock.current = booking.start_at + stay_checks.ARRIVAL_GRACE
    await _sweep(db, clock)
    answered = await _answer(db, clock, booking, owner, Answer.DRIVER_ABSENT)
    assert answered.dispute.kind == Problem.NO_SHOW
    assert answered.dispute.opened_by_id == owner.id
    async with db.reading() as uow:
        assert (await bookings.get(uow, booking.id)).status == BookingStatus.DISPUTED
    with pytest.raises(AlreadyAnswered):
        await _answer(db, clock, booking, owner, Answer.DRIVER_HERE)


async def test_only_the_owner_answers_and_only_what_was_asked(db, clock, booking, owner):
    await pay(db, clock, booking)
    clock.current = booking.start_at + stay_checks.ARRIVAL_GRACE
    with pytest.raises(NotAsked):  # a forged answer before the question
        await _answer(db, clock, booking, owner, Answer.DRIVER_ABSENT)
    await _sweep(db, clock)
    with pytest.raises(NotAsked):  # the departure was not asked about yet
        await _answer(db, clock, booking, owner, Answer.SPOT_FREE)
    stranger = await a_person(db, clock, "Sam")
    # A stranger is told there is no such booking; the driver, that it isn't theirs to answer.
    for person_id, refusal in ((stranger.id, BookingNotFound), (booking.driver_id, NotTheOwner)):
        with pytest.raises(refusal):
            async with db.unit_of_work() as uow:
                await stay_checks.answer(
                    uow, clock, booking_id=booking.id, owner_id=person_id,
                    given=Answer.DRIVER_ABSENT, note="",
                )  # fmt: skip
    async with db.reading() as uow:
        assert await uow.trust.unresolved_dispute_of(booking.id) is None


async def test_a_spot_left_on_time_earns_the_driver_credit(db, clock, booking, owner):
    await pay(db, clock, booking)
    clock.current = booking.end_at + timedelta(minutes=1)
    await _sweep(db, clock)
    assert await _sweep(db, clock) == []  # the departure is asked about after a grace
    clock.current = booking.end_at + stay_checks.DEPARTURE_GRACE
    (check,) = await _sweep(db, clock)
    assert check.kind == Notice.DEPARTURE_CHECK
    await _answer(db, clock, booking, owner, Answer.SPOT_FREE)
    assert "on_time_departure" in await _credit_kinds(db, booking.driver_id)
    with pytest.raises(AlreadyAnswered):
        await _answer(db, clock, booking, owner, Answer.CAR_STILL_THERE)


async def test_an_overstay_is_settled_from_the_payout_still_waiting(db, clock, booking, owner):
    await pay(db, clock, booking)
    clock.current = booking.end_at + timedelta(minutes=1)
    await _sweep(db, clock)
    clock.current = booking.end_at + stay_checks.DEPARTURE_GRACE
    await _sweep(db, clock)
    answered = await _answer(db, clock, booking, owner, Answer.CAR_STILL_THERE)
    assert answered.dispute.kind == Problem.OVERSTAY
    clock.current = booking.end_at + settlement.PAYOUT_HOLD * 2
    async with db.reading() as uow:  # the share waits for the ruling, past its usual hold
        assert (await settlement.due_transfers(uow, clock)).payouts == []

    manager = await a_person(db, clock, "Maria")
    async with db.unit_of_work() as uow:
        decision = await disputes.decide(
            uow, clock, dispute_id=answered.dispute.id, manager_id=manager.id,
            ruling=Ruling.RELEASE,
        )  # fmt: skip
    assert decision.owner_share.minor == 510
    assert "overstay" in await _credit_kinds(db, booking.driver_id)
    async with db.reading() as uow:
        (payout,) = (await settlement.due_transfers(uow, clock)).payouts
    assert payout.amount_minor == 510


async def test_a_refund_after_the_stay_comes_out_of_the_owners_waiting_share(
    db, clock, booking, owner
):
    await pay(db, clock, booking)
    clock.current = booking.end_at + timedelta(minutes=1)
    await _sweep(db, clock)
    async with db.unit_of_work() as uow:
        dispute = await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=booking.driver_id,
            problem=Problem.DAMAGE, text="A scratch on the door", photo_file_ids=[],
        )  # fmt: skip
    manager = await a_person(db, clock, "Maria")
    async with db.unit_of_work() as uow:
        decision = await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=Ruling.PARTIAL,
            refund_percent=50,
        )  # fmt: skip
    assert decision.refund.minor == 300
    # Half the price back: 2.55 from the owner's 5.10 and 0.45 from the 0.90 commission.
    assert await balances(
        db, refund_payable(booking.driver_id), owner_payable_account(owner.id), PLATFORM_REVENUE
    ) == [300, 255, 45]  # fmt: skip
    clock.current = booking.end_at + settlement.PAYOUT_HOLD * 2
    async with db.reading() as uow:
        due = await settlement.due_transfers(uow, clock)
    assert [payout.amount_minor for payout in due.payouts] == [255]
    assert [refund.amount_minor for refund in due.refunds] == [300]


async def test_a_stay_over_for_more_than_the_hold_can_no_longer_be_disputed(db, clock, booking):
    await pay(db, clock, booking)
    clock.current = booking.end_at + timedelta(minutes=1)
    await _sweep(db, clock)
    clock.current = booking.end_at + settlement.PAYOUT_HOLD + timedelta(minutes=1)
    with pytest.raises(BookingNotDisputable):
        async with db.unit_of_work() as uow:
            await disputes.check_can_report(
                uow, clock, booking_id=booking.id, reporter_id=booking.driver_id
            )
