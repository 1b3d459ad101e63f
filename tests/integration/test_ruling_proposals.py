"""A money ruling is shown before it is made: the manager confirms amounts that the decision
then moves to the cent, before the stay ends and after it; and a spot can be reported occupied
only from shortly before the stay."""

from datetime import timedelta

import pytest

from core.errors import DisputeTaken, TooEarlyToReport
from core.services import disputes
from core.services.disputes import OCCUPIED_REPORT_LEAD, Problem, Ruling
from core.services.ledger import PLATFORM_REVENUE, owner_payable_account
from core.services.ledger import refund_payable_account as refund_payable
from tests.integration import test_settlement
from tests.integration.builders import a_person
from tests.integration.test_settlement import balances, pay, stay_through

owner = test_settlement.owner
booking = test_settlement.booking

RULINGS = [(Ruling.REFUND, 0), (Ruling.RELEASE, 0), (Ruling.SPLIT, 0), (Ruling.PARTIAL, 25)]


async def _reported(db, clock, booking, problem=Problem.DAMAGE):
    async with db.unit_of_work() as uow:
        return await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=booking.driver_id, problem=problem,
            text="Something is wrong", photo_file_ids=[],
        )  # fmt: skip


async def _propose_then_decide(db, clock, dispute, manager, ruling, percent):
    async with db.reading() as uow:
        proposal = await disputes.propose(
            uow, dispute_id=dispute.id, manager_id=manager.id, ruling=ruling,
            refund_percent=percent,
        )  # fmt: skip
    async with db.unit_of_work() as uow:
        decision = await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id, ruling=ruling,
            refund_percent=percent,
        )  # fmt: skip
    return proposal, decision


@pytest.mark.parametrize(("ruling", "percent"), RULINGS)
async def test_the_confirmed_amounts_are_the_ones_a_live_ruling_moves(
    db, clock, booking, owner, ruling, percent
):
    manager = await a_person(db, clock, "Maria")
    await pay(db, clock, booking)
    dispute = await _reported(db, clock, booking)
    proposal, decision = await _propose_then_decide(db, clock, dispute, manager, ruling, percent)
    shown = proposal.division
    assert decision.division == shown
    assert shown.refund + shown.owner_share + shown.commission == proposal.case.paid
    assert await balances(
        db, refund_payable(booking.driver_id), owner_payable_account(owner.id), PLATFORM_REVENUE
    ) == [shown.refund.minor, shown.owner_share.minor, shown.commission.minor]  # fmt: skip
    assert decision.still_held.minor == 0


@pytest.mark.parametrize(("ruling", "percent"), RULINGS)
async def test_the_confirmed_amounts_are_the_ones_a_ruling_after_the_stay_moves(
    db, clock, booking, owner, ruling, percent
):
    manager = await a_person(db, clock, "Maria")
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    dispute = await _reported(db, clock, booking)
    proposal, decision = await _propose_then_decide(db, clock, dispute, manager, ruling, percent)
    shown = proposal.division
    assert decision.division == shown
    assert await balances(
        db, refund_payable(booking.driver_id), owner_payable_account(owner.id), PLATFORM_REVENUE
    ) == [shown.refund.minor, shown.owner_share.minor, shown.commission.minor]  # fmt: skip


async def test_a_proposal_is_refused_once_another_manager_has_decided(db, clock, booking):
    maria, mark = await a_person(db, clock, "Maria"), await a_person(db, clock, "Mark")
    await pay(db, clock, booking)
    dispute = await _reported(db, clock, booking)
    await _propose_then_decide(db, clock, dispute, maria, Ruling.SPLIT, 0)
    with pytest.raises(DisputeTaken):
        async with db.reading() as uow:
            await disputes.propose(
                uow, dispute_id=dispute.id, manager_id=mark.id, ruling=Ruling.REFUND
            )


async def test_a_spot_is_reported_occupied_only_from_shortly_before_the_stay(db, clock, booking):
    await pay(db, clock, booking)
    clock.current = booking.start_at - OCCUPIED_REPORT_LEAD - timedelta(minutes=1)
    with pytest.raises(TooEarlyToReport) as refused:
        await _reported(db, clock, booking, Problem.SPOT_OCCUPIED)
    assert refused.value.details["reportable_from"] == booking.start_at - OCCUPIED_REPORT_LEAD
    clock.current = booking.start_at - OCCUPIED_REPORT_LEAD
    dispute = await _reported(db, clock, booking, Problem.SPOT_OCCUPIED)
    assert dispute.kind == Problem.SPOT_OCCUPIED
