"""Overstays cost the overstayer: billed from the end of the stay once the car has gone, paid
first to the drivers it displaced (what the platform covered to move them), then to the owner
less commission; a bill unpaid in time goes to the managers and costs the driver credit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.credit import RULES, CreditEventKind
from core.db.models import Dispute, OverstayStatus, Payout
from core.errors import AlreadyAnswered, LeavingNotNow, NotTheOwner, PaymentMismatch
from core.geo import GeoPoint
from core.money import Money
from core.overstay_tariff import OverstayTariff
from core.services import (
    booking_payments,
    bookings,
    disputes,
    holds,
    overstays,
    rebooking,
    settlement,
    stay_checks,
)
from core.services.disputes import Problem
from core.services.ledger import PLATFORM_REVENUE, PLATFORM_SUBSIDY, owner_payable_account
from core.services.stay_checks import Answer
from tests.integration import test_settlement
from tests.integration.builders import BERLIN_CENTRE, a_person, an_approved_spot
from tests.integration.test_settlement import balances, pay, stay_through

owner = test_settlement.owner
booking = test_settlement.booking

TARIFF = OverstayTariff(timedelta(minutes=10), 150, 200)


async def _still_there(db, clock, booking, owner):
    """A quarter of an hour after the stay (6.00, ended), the owner says the car is there."""
    await stay_through(db, clock, booking)
    clock.current = booking.end_at + timedelta(minutes=15)
    async with db.unit_of_work() as uow:
        await stay_checks.due(uow, clock)  # the departure check goes out
    async with db.unit_of_work() as uow:
        return await stay_checks.answer(
            uow, clock, booking_id=booking.id, owner_id=owner.id,
            given=Answer.CAR_STILL_THERE, note="still there",
        )  # fmt: skip


async def _driver_leaves(db, clock, booking, *, after):
    clock.current = booking.end_at + after
    async with db.unit_of_work() as uow:
        return await stay_checks.leave(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id, tariff=TARIFF
        )


async def _pay(db, clock, bill, *, external_id="tg-over", amount=None):
    async with db.unit_of_work() as uow:
        return await overstays.record_payment(
            uow, clock, gateway="telegram", payload=bill.payload,
            driver_id=bill.parties.driver.id, amount=amount or bill.overstay.amount,
            external_id=external_id, provider_charge_id=None,
        )  # fmt: skip


async def test_a_car_gone_40_minutes_late_pays_three_quarters_at_the_first_rate(
    db, clock, booking, owner
):
    await pay(db, clock, booking)
    await _still_there(db, clock, booking, owner)
    left = await _driver_leaves(db, clock, booking, after=timedelta(minutes=40))
    bill = left.bill
    assert bill is not None
    assert (bill.overstay.amount, bill.minutes) == (Money(338, "EUR"), 40)
    assert bill.payload == f"overstay:{bill.overstay.id}:2"
    async with db.reading() as uow:
        await overstays.check_payable(
            uow, payload=bill.payload, driver_id=booking.driver_id, amount=Money(338, "EUR")
        )
        with pytest.raises(PaymentMismatch):
            await overstays.check_payable(
                uow, payload=bill.payload, driver_id=booking.driver_id, amount=Money(300, "EUR")
            )
        # the owner's payout waits for the bill (and the report)
        assert await settlement.due_transfers(uow, clock) == settlement.DueTransfers([], [], [])

    paid = await _pay(db, clock, bill)
    assert paid.kept
    assert not paid.duplicate
    # 15 % commission on the overstay too: 0.50 of 3.38 (rounded down), 2.88 to the owner
    assert (paid.owner_share, paid.to_displaced) == (Money(288, "EUR"), Money(0, "EUR"))
    assert await balances(db, owner_payable_account(owner.id), PLATFORM_REVENUE) == [
        510 + 288, 90 + 50,
    ]  # fmt: skip
    async with db.reading() as uow:
        (payout,) = await uow.session.scalars(select(Payout))
        (report,) = await uow.session.scalars(select(Dispute))
        score = (await uow.people.get(booking.driver_id)).credit_score
    assert payout.amount.minor == 510 + 288  # the stay's share and the overstay's, one payout
    assert report.resolution == "overstay_paid"  # the owner's report settled by the payment
    assert score == 600 + RULES[CreditEventKind.COMPLETED_STAY] + RULES[CreditEventKind.OVERSTAY]
    again = await _pay(db, clock, bill)
    assert again.duplicate


async def test_gone_within_the_grace_costs_nothing(db, clock, booking, owner):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    left = await _driver_leaves(db, clock, booking, after=timedelta(minutes=9))
    assert left.bill is None
    left = await _driver_leaves(db, clock, booking, after=timedelta(minutes=12))
    assert left.bill is None  # said once, at 9 minutes


async def test_a_driver_who_says_they_left_past_the_grace_is_billed_at_once(db, clock, booking):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    left = await _driver_leaves(db, clock, booking, after=timedelta(minutes=14))
    assert left.bill is not None
    assert left.bill.overstay.amount == Money(113, "EUR")
    with pytest.raises(LeavingNotNow):  # long after, with nothing open, there is nothing to say
        await _driver_leaves(db, clock, booking, after=timedelta(hours=3))


async def test_the_owner_says_the_car_has_gone(db, clock, booking, owner):
    await pay(db, clock, booking)
    await _still_there(db, clock, booking, owner)
    clock.current = booking.end_at + timedelta(minutes=75)
    async with db.unit_of_work() as uow:
        with pytest.raises(NotTheOwner):
            await stay_checks.owner_says_gone(
                uow, clock, booking_id=booking.id, owner_id=booking.driver_id, tariff=TARIFF
            )
    async with db.unit_of_work() as uow:
        bill = await stay_checks.owner_says_gone(
            uow, clock, booking_id=booking.id, owner_id=owner.id, tariff=TARIFF
        )
    assert bill is not None
    assert bill.overstay.amount == Money(450 + 150, "EUR")
    async with db.unit_of_work() as uow:
        with pytest.raises(AlreadyAnswered):
            await stay_checks.owner_says_gone(
                uow, clock, booking_id=booking.id, owner_id=owner.id, tariff=TARIFF
            )


async def test_the_displaced_next_driver_is_made_whole_first(db, clock, booking, owner):
    """Sam's stay after Dana's finds her car there; he moves to Pia's dearer spot, which the
    platform covers. Dana's overstay pays that cover back before the owner's share."""
    await pay(db, clock, booking)
    sam = await a_person(db, clock, "Sam")
    async with db.unit_of_work() as uow:
        next_stay = await bookings.request(
            uow, clock, driver_id=sam.id, spot_id=booking.spot_id,
            start=booking.end_at + timedelta(minutes=10),
            end=booking.end_at + timedelta(hours=2, minutes=10), commission_basis_points=1500,
        )  # fmt: skip
    await pay(db, clock, next_stay, external_id="tg-sam")
    await _still_there(db, clock, booking, owner)
    clock.current = next_stay.start_at + timedelta(minutes=5)
    async with db.unit_of_work() as uow:
        await disputes.report(
            uow, clock, booking_id=next_stay.id, reporter_id=sam.id,
            problem=Problem.SPOT_OCCUPIED, text="Dana's car", photo_file_ids=[],
        )  # fmt: skip
    pia = await a_person(db, clock, "Pia")
    dearer = await an_approved_spot(db, clock, pia, hourly_minor=350)
    async with db.unit_of_work() as uow:
        moved = await rebooking.move(
            uow, clock, booking_id=next_stay.id, driver_id=sam.id, spot_id=dearer.id,
            cover_percent=50, commission_basis_points=1500,
        )  # fmt: skip
    assert moved.covered == Money(671 - 575, "EUR")  # 5.75 of his 6.00 for the time left
    left = await _driver_leaves(db, clock, booking, after=timedelta(minutes=40))
    paid = await _pay(db, clock, left.bill)
    assert paid.to_displaced == Money(96, "EUR")
    assert await balances(db, PLATFORM_SUBSIDY) == [0]  # the cover is back with the platform
    assert paid.owner_share.minor == (338 - 96) - (338 - 96) * 90 // 600


async def test_an_unpaid_bill_goes_to_the_managers_and_costs_credit(db, clock, booking, owner):
    await pay(db, clock, booking)
    await _still_there(db, clock, booking, owner)
    bill = (await _driver_leaves(db, clock, booking, after=timedelta(minutes=40))).bill
    async with db.unit_of_work() as uow:
        assert await overstays.unpaid(uow, clock, pay_within=timedelta(hours=24)) == []
    clock.advance(hours=24)
    async with db.unit_of_work() as uow:
        (unpaid,) = await overstays.unpaid(uow, clock, pay_within=timedelta(hours=24))
    assert unpaid.overstay.status == OverstayStatus.UNPAID
    async with db.reading() as uow:
        score = (await uow.people.get(booking.driver_id)).credit_score
        report = await uow.trust.unresolved_dispute_of(booking.id)
        due = await settlement.due_transfers(uow, clock)
    assert score == 600 + RULES[CreditEventKind.COMPLETED_STAY] + RULES[CreditEventKind.OVERSTAY]
    assert report is not None
    assert report.kind == Problem.OVERSTAY
    assert due.payouts == []  # the owner's payout waits for the managers
    paid = await _pay(db, clock, bill)  # paid after all, too late: it goes back
    assert not paid.kept


async def test_a_live_location_far_from_the_spot_ends_an_overstay(db, clock, booking, owner):
    await pay(db, clock, booking)
    await _still_there(db, clock, booking, owner)
    clock.current = booking.end_at + timedelta(minutes=50)
    near = GeoPoint(BERLIN_CENTRE.lat + 0.0005, BERLIN_CENTRE.lon)  # about 55 m away
    async with db.unit_of_work() as uow:
        moved = await stay_checks.driver_at(
            uow, clock, driver_id=booking.driver_id, point=near, tariff=TARIFF
        )
    assert moved.there
    assert moved.bill is None  # still by the spot: the clock runs on
    far = GeoPoint(BERLIN_CENTRE.lat + 0.01, BERLIN_CENTRE.lon)  # about 1.1 km away
    async with db.unit_of_work() as uow:
        moved = await stay_checks.driver_at(
            uow, clock, driver_id=booking.driver_id, point=far, tariff=TARIFF
        )
    assert moved.bill is not None
    assert moved.bill.overstay.amount == Money(450, "EUR")  # four quarters at 1.5x


async def test_a_bill_no_invoice_can_carry_goes_to_the_managers_without_costing_credit(
    db, clock, booking, owner
):
    """A gateway that pays on its own page (Stripe) and a hold with no room: no bill the driver
    could pay in chat, so the managers take it, and the driver loses nothing for not paying."""
    await pay(db, clock, booking)
    await _still_there(db, clock, booking, owner)
    clock.current = booking.end_at + timedelta(minutes=40)
    async with db.unit_of_work() as uow:
        left = await stay_checks.leave(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id, tariff=TARIFF,
            bills_in_chat=False,
        )  # fmt: skip
    assert left.bill is not None
    assert left.bill.overstay.status == OverstayStatus.UNPAID
    async with db.reading() as uow:
        score = (await uow.people.get(booking.driver_id)).credit_score
        report = await uow.trust.unresolved_dispute_of(booking.id)
    assert score == 600 + RULES[CreditEventKind.COMPLETED_STAY]  # no overstay counted
    assert report is not None
    assert report.kind == Problem.OVERSTAY
    clock.advance(hours=25)
    async with db.unit_of_work() as uow:
        assert await overstays.unpaid(uow, clock, pay_within=timedelta(hours=24)) == []


async def test_a_lapsed_hold_undoes_the_overstay_taken_from_its_buffer_as_it_was_divided(
    db, clock, booking, owner
):
    async with db.unit_of_work() as uow:
        await booking_payments.record_payment(
            uow, clock, gateway="stripe", payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id, amount=Money(600 + 450, "EUR"), external_id="pi_1",
            provider_charge_id="ch_1", held=True, hold_extra=Money(450, "EUR"),
        )  # fmt: skip
    await _still_there(db, clock, booking, owner)
    bill = (await _driver_leaves(db, clock, booking, after=timedelta(minutes=40))).bill
    assert bill is not None
    assert bill.taken is not None  # from the buffer: no invoice
    assert await balances(db, owner_payable_account(owner.id)) == [510 + 288]
    async with db.unit_of_work() as uow:
        lapsed = await holds.hold_let_go(uow, clock, "pi_1")
    assert lapsed is not None
    assert lapsed.amount == Money(938, "EUR")
    # nothing came: the owner is owed nothing, and the platform kept nothing
    assert await balances(db, owner_payable_account(owner.id), PLATFORM_REVENUE) == [0, 0]
