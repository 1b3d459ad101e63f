"""The money agrees with every booking while everyone acts at once: drivers, owners, managers,
late and repeated payments, webhooks and the sweeps, as simulated by ``bench/money_world.py``
(real concurrent connections on PostgreSQL), with the money audit run after every round."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bench.money_world import MoneyWorld, Results
from core.db.models import Payout, Refund
from core.db.uow import Database
from core.money import Money
from core.services import (
    audit,
    bookings,
    chargebacks,
    disputes,
    money_movement,
    settlement,
)
from core.services.booking_payments import PaymentResult
from payments.registry import Gateways
from payments.sandbox import SandboxGateway
from tests.integration.builders import a_payment, a_person, a_stay
from tests.support.lock_waits import wait_until_a_lock_is_waited_for

SEED = 7
STEPS = 2_000
# SQLite has one writer at a time, so more actors there only wait in its busy handler; each
# actor takes a few steps before the round's audit, so the audit runs every 16 to 32 steps.
ACTORS = {"sqlite": 4, "postgresql": 16}
STEPS_PER_TURN = {"sqlite": 4, "postgresql": 2}


@pytest.fixture(scope="module")
async def simulated(database_factory) -> AsyncIterator[Results]:
    """One run of the simulation per store, shared by the tests below."""
    database = Database(await database_factory.new_engine())
    kind = database_factory.kind
    world = MoneyWorld(
        database, seed=SEED, actors=ACTORS[kind], steps_per_turn=STEPS_PER_TURN[kind]
    )
    await world.set_up()
    yield await world.run(steps=STEPS)
    await database.close()


async def test_the_audit_finds_nothing_wrong_after_any_round(simulated):
    assert simulated.audits > STEPS // 32
    assert simulated.violations == []


async def test_no_step_fails_with_anything_but_a_domain_refusal(simulated):
    assert simulated.failures == [], "\n\n".join(f.trace for f in simulated.failures[:3])


def _ending(results: Results, suffix: str) -> int:
    return sum(count for outcome, count in results.outcomes.items() if outcome.endswith(suffix))


def _starting(results: Results, *prefixes: str) -> int:
    return sum(count for outcome, count in results.outcomes.items() if outcome.startswith(prefixes))


async def test_the_simulation_takes_every_path_it_is_meant_to(simulated):
    outcomes, tally = simulated.outcomes, simulated.tally
    taken = {
        "confirmed by a payment": _ending(simulated, ": confirmed"),
        "reinstated by a late payment": _ending(simulated, ": reinstated"),
        "refunded a payment not owed": _ending(simulated, ": refunded_not_owed"),
        "recognised a repeated payment": _ending(simulated, ": duplicate")
        + _ending(simulated, "+duplicate"),
        "expired": outcomes["bookings expired"],
        "cancelled": tally["bookings cancelled"],
        "completed": tally["bookings completed"],
        "refunded": tally["refunds done"],
        "paid out": tally["payouts done"],
        "reported": _starting(simulated, "report: reported"),
        "ruled a refund": _starting(simulated, "rule: refund ", "settle rule: refund "),
        "ruled a release": _starting(simulated, "rule: release ", "settle rule: release "),
        "ruled a part back": _starting(simulated, "rule: partial ", "rule: split "),
        "opened a chargeback": _ending(simulated, ": chargeback opened"),
        "was refused for a domain reason": sum(
            count for outcome, count in outcomes.items() if ": refused " in outcome
        ),
    }
    assert {path: count for path, count in taken.items() if count == 0} == {}
    assert simulated.steps >= STEPS


# --- what the simulation found, each as the smallest story that shows it ---------------------


@pytest.fixture
async def paid_after_a_wrong_amount(committing_db, clock):
    """Dana's booking, paid with a wrong amount first (refunded, and the refund sent), then with
    the right one: the booking is confirmed on the second payment."""
    db = committing_db
    stay = await a_stay(db, clock, start_in=timedelta(days=1))
    price = stay.booking.price
    for external_id, amount in (("wrong", price + Money(100, "EUR")), ("right", price)):
        await a_payment(db, clock, stay.booking, external_id=external_id, amount=amount)
        await money_movement.move_money(db, clock, _sandbox_gateways())
    async with db.reading() as uow:
        return stay.driver, await bookings.get(uow, stay.booking.id)


def _sandbox_gateways() -> Gateways:
    sandbox = SandboxGateway()
    return Gateways(checkout=sandbox, payouts=sandbox, by_name={"sandbox": sandbox})


async def test_cancelling_after_a_wrong_payment_was_refunded_refunds_the_kept_one(
    committing_db, clock, paid_after_a_wrong_amount
):
    driver, booking = paid_after_a_wrong_amount
    async with committing_db.unit_of_work() as uow:
        await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=driver.id,
            expected_version=booking.version, free_hours=2, late_percent=50,
        )  # fmt: skip
    async with committing_db.reading() as uow:
        refunds = await uow.payments.refunds_of_booking(booking.id)
    assert [refund.amount_minor for refund in refunds] == [
        booking.price_minor + 100,
        booking.price_minor,
    ]


@pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)
async def test_two_sweeps_recording_one_refund_at_once_both_finish(committing_db, clock):
    db = committing_db
    stay = await a_stay(db, clock, start_in=timedelta(days=1))
    driver = stay.driver
    await a_payment(db, clock, stay.booking)
    async with db.unit_of_work() as uow:
        booking = await bookings.get(uow, stay.booking.id)
        await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=driver.id,
            expected_version=booking.version, free_hours=2, late_percent=50,
        )  # fmt: skip
    async with db.reading() as uow:
        (refund,) = await uow.payments.refunds_of_booking(booking.id)

    async def second_sweep_records_it() -> Refund:
        async with db.unit_of_work() as uow:
            return await settlement.refund_sent(uow, clock, refund.id, "re_1")

    async with db.unit_of_work() as uow:
        await settlement.refund_sent(uow, clock, refund.id, "re_1")
        second = asyncio.create_task(second_sweep_records_it())
        await wait_until_a_lock_is_waited_for(db)
    assert (await second).status == "done"


async def test_a_refusal_recorded_after_the_payout_left_leaves_it_done(committing_db, clock):
    db = committing_db
    booking = (await a_stay(db, clock, length=timedelta(hours=1))).booking
    await a_payment(db, clock, booking)
    for _ in range(2):  # the stay starts, then ends
        clock.advance(hours=1, minutes=1)
        async with db.unit_of_work() as uow:
            await bookings.advance(uow, clock)
    clock.advance(hours=1, minutes=1)  # past the payout hold
    async with db.reading() as uow:
        (payout,) = (await settlement.due_transfers(uow, clock)).payouts
    # Two sweeps pick the payout up; the first hands it to the gateway and records it sent ...
    for _ in range(2):
        async with db.unit_of_work() as uow:
            await settlement.payout_to_send(uow, payout.id)
    async with db.unit_of_work() as uow:
        await settlement.payout_sent(uow, clock, payout.id, "tr_1")
    # ... and the second's call for the same payout timed out.
    async with db.unit_of_work() as uow:
        await settlement.transfer_refused(uow, Payout, payout.id, "timed out")
    async with db.reading() as uow:
        assert (await uow.payments.get(Payout, payout.id)).status == "done"
        assert (await audit.run(uow)).violations == []


async def test_a_ruling_after_a_chargeback_refunds_no_more_than_was_paid(committing_db, clock):
    db = committing_db
    stay = await a_stay(db, clock, length=timedelta(hours=1))
    booking, driver = stay.booking, stay.driver
    manager = await a_person(db, clock, "Mia")
    await a_payment(db, clock, booking, gateway="stripe", external_id="pi_1",
                    provider_charge_id="ch_1")  # fmt: skip
    for _ in range(2):  # the stay starts, then ends
        clock.advance(hours=1, minutes=1)
        async with db.unit_of_work() as uow:
            await bookings.advance(uow, clock)
    async with db.unit_of_work() as uow:
        dispute = await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=driver.id,
            problem=disputes.Problem.DAMAGE, text="scratched", photo_file_ids=[],
        )  # fmt: skip
    async with db.unit_of_work() as uow:
        payment = await uow.payments.by_external_id("pi_1")
        await chargebacks.funds_withdrawn(
            uow, clock, payment, dispute_reference="dp_1",
            amount=booking.price,
        )  # fmt: skip
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id,
            ruling=disputes.Ruling.PARTIAL, refund_percent=10,
        )  # fmt: skip
    async with db.reading() as uow:
        assert [str(v) for v in (await audit.run(uow)).violations] == []


async def test_money_paid_again_after_a_chargeback_goes_back_in_full(committing_db, clock):
    """The bank took the booking's payment back; then a second payment for it arrives. That one
    is not owed and goes back in full: the chargeback was of the other payment."""
    db = committing_db
    booking = (await a_stay(db, clock)).booking
    await a_payment(db, clock, booking, gateway="stripe", external_id="pi_1",
                    provider_charge_id="ch_1")  # fmt: skip
    async with db.unit_of_work() as uow:
        payment = await uow.payments.by_external_id("pi_1")
        await chargebacks.funds_withdrawn(
            uow, clock, payment, dispute_reference="dp_1",
            amount=booking.price,
        )  # fmt: skip
    again = await a_payment(db, clock, booking, gateway="stripe", external_id="pi_2",
                            provider_charge_id="ch_2")  # fmt: skip
    assert again.result == PaymentResult.REFUNDED_NOT_OWED
    async with db.reading() as uow:
        refunds = await uow.payments.refunds_of_booking(booking.id)
    assert [(r.payment_id, r.amount_minor) for r in refunds] == [
        (again.payment.id, booking.price_minor)
    ]
