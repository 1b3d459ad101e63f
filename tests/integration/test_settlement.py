"""Where a booking's money goes: completion, cancellation, late payments, refunds and payouts
through the gateway, the owner's earnings and the managers' report."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db.models import LedgerEntry, PaymentStatus, Payout, Refund, TransferStatus
from core.money import Money
from core.services import booking_payments, bookings, ledger, profit, settlement
from core.services.ledger import (
    ESCROW,
    PLATFORM_REVENUE,
    driver_account,
    owner_paid_out_account,
    owner_payable_account,
    refund_payable_account,
)
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot

EUR = "EUR"


def eur(minor: int) -> Money:
    return Money(minor, EUR)


@pytest.fixture
async def owner(db, clock):
    return await a_person(db, clock, "Olga")


async def a_booking(db, clock, owner, driver_name="Dana"):
    """Two hours at 3.00/h starting in a day: 6.00, of which 0.90 is commission."""
    driver = await a_person(db, clock, driver_name)
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    start = clock.now() + timedelta(days=1)
    async with db.unit_of_work() as uow:
        return await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip


@pytest.fixture
async def booking(db, clock, owner):
    return await a_booking(db, clock, owner)


async def pay(db, clock, booking, external_id="tg-1"):
    async with db.unit_of_work() as uow:
        return await booking_payments.record_payment(
            uow, clock, gateway="telegram", payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id, amount=eur(booking.price_minor),
            external_id=external_id, provider_charge_id="ch_1",
        )  # fmt: skip


async def stay_through(db, clock, booking):
    """A minute after the booking's end, with the sweeps that start and end it run."""
    clock.current = booking.end_at + timedelta(minutes=1)
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)  # confirmed -> active
        await bookings.advance(uow, clock)  # active -> completed


async def balances(db, *accounts):
    async with db.reading() as uow:
        return [(await ledger.balance(uow, account, EUR)).minor for account in accounts]


async def transfers(db, model):
    async with db.reading() as uow:
        return list(await uow.session.scalars(select(model).order_by(model.id)))


async def test_a_completed_stay_pays_the_owner_their_share_and_the_platform_its_commission(
    db, clock, booking, owner
):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    assert await balances(db, ESCROW, owner_payable_account(owner.id), PLATFORM_REVENUE) == [
        0, 510, 90,
    ]  # fmt: skip
    (payout,) = await transfers(db, Payout)
    assert (payout.owner_id, payout.amount_minor, payout.status) == (owner.id, 510, "due")
    async with db.unit_of_work() as uow:  # another sweep moves nothing twice
        await bookings.advance(uow, clock)
    assert len(await transfers(db, Payout)) == 1
    assert await balances(db, ESCROW) == [0]


async def test_the_owners_share_leaves_once_the_stay_is_an_hour_over(db, clock, booking, owner):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    async with db.reading() as uow:
        assert (await settlement.due_transfers(uow, clock)).payouts == []
    clock.current += settlement.PAYOUT_HOLD
    async with db.reading() as uow:
        (payout,) = (await settlement.due_transfers(uow, clock)).payouts
    assert (payout.owner_id, payout.amount_minor) == (owner.id, 510)


async def test_a_free_cancellation_refunds_everything_through_the_gateway(db, clock, booking):
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        _, terms = await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id,
            expected_version=2, free_hours=2, late_percent=50,
        )  # fmt: skip
    assert terms.free
    (refund,) = await transfers(db, Refund)
    assert (refund.amount_minor, refund.status) == (600, TransferStatus.DUE)
    assert await balances(db, ESCROW, refund_payable_account(booking.driver_id)) == [0, 600]

    async with db.unit_of_work() as uow:
        await settlement.refund_sent(uow, clock, refund.id, "re_1")
        await settlement.refund_sent(uow, clock, refund.id, "re_1")  # reported twice
    assert await balances(db, refund_payable_account(booking.driver_id)) == [0]
    assert await balances(db, driver_account(booking.driver_id)) == [0]  # paid 6, got 6 back
    async with db.reading() as uow:
        (payment,) = await uow.payments.of_booking(booking.id)
        assert payment.status == PaymentStatus.REFUNDED
    assert await transfers(db, Payout) == []


async def test_a_late_cancellation_keeps_the_owners_part_less_commission(db, clock, booking, owner):
    await pay(db, clock, booking)
    clock.current = booking.start_at - timedelta(minutes=30)
    async with db.unit_of_work() as uow:
        _, terms = await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id,
            expected_version=2, free_hours=2, late_percent=50,
        )  # fmt: skip
    assert (terms.refund, terms.kept) == (eur(300), eur(300))
    assert await balances(
        db, ESCROW, refund_payable_account(booking.driver_id), owner_payable_account(owner.id),
        PLATFORM_REVENUE,
    ) == [0, 300, 255, 45]  # fmt: skip
    (payout,) = await transfers(db, Payout)
    assert payout.amount_minor == 255


async def test_money_for_a_lapsed_booking_is_queued_straight_back(db, clock, booking):
    async with db.unit_of_work() as uow:
        await bookings.transition(uow, clock, booking.id, BookingStatus.EXPIRED)
    clock.advance(days=2)  # its window is over: it cannot be taken back
    await pay(db, clock, booking)
    (refund,) = await transfers(db, Refund)
    assert (refund.amount_minor, refund.reason) == (600, "late_payment")
    assert await balances(db, ESCROW) == [0]


async def test_a_payout_reaches_the_owner_and_earnings_say_so(db, clock, booking, owner):
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    async with db.reading() as uow:
        before = await profit.earnings(uow, owner.id)
    assert before.pending == [eur(510)]
    assert before.paid_out == []
    assert [(m.month.isoformat(), m.amounts) for m in before.by_month] == [
        ("2026-06-01", [eur(510)])
    ]

    (payout,) = await transfers(db, Payout)
    async with db.unit_of_work() as uow:
        await settlement.payout_sent(uow, clock, payout.id, "tr_1")
        await settlement.payout_sent(uow, clock, payout.id, "tr_1")
    async with db.reading() as uow:
        after = await profit.earnings(uow, owner.id)
    assert after.pending == []
    assert after.paid_out == [eur(510)]
    assert await balances(db, owner_paid_out_account(owner.id)) == [510]


async def test_a_refused_transfer_is_retried_then_given_up(db, clock, booking):
    await pay(db, clock, booking)
    async with db.unit_of_work() as uow:
        await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id,
            expected_version=2, free_hours=2, late_percent=50,
        )  # fmt: skip
    (refund,) = await transfers(db, Refund)
    for attempt in range(1, settlement.MAX_TRANSFER_ATTEMPTS + 1):
        async with db.unit_of_work() as uow:
            row = await settlement.transfer_refused(uow, Refund, refund.id, "card_declined")
        assert row.attempts == attempt
    assert row.status == TransferStatus.FAILED
    async with db.reading() as uow:
        assert (await settlement.due_transfers(uow, clock)).refunds == []


async def test_the_report_counts_money_stays_and_occupancy(db, clock, booking):
    since = clock.now()
    await pay(db, clock, booking)
    await stay_through(db, clock, booking)
    async with db.reading() as uow:
        report = await profit.report(uow, since=since, until=since + timedelta(days=2))
    assert report.gross == [eur(600)]
    assert report.commission == [eur(90)]
    assert report.refunds == []
    assert report.payouts == []
    assert (report.listed_spots, report.booked_spots, report.booked_hours) == (1, 1, 2.0)
    assert report.occupancy == pytest.approx(2 / 48)


async def test_trusted_owners_pay_the_lower_commission(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    start = clock.now() + timedelta(hours=1)
    rates = {"commission_basis_points": 1500, "trusted_owner_commission_basis_points": 1000}
    async with db.unit_of_work() as uow:
        standard = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), **rates,
        )  # fmt: skip
        (await uow.people.get(owner.id)).credit_score = 800
        trusted = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start + timedelta(hours=3),
            end=start + timedelta(hours=5), **rates,
        )  # fmt: skip
    assert (standard.commission_minor, trusted.commission_minor) == (90, 60)


async def test_the_ledger_check_finds_an_unbalanced_transaction(db, clock):
    async with db.unit_of_work() as uow:
        assert (await profit.check_ledger(uow)).healthy
        await ledger.post(
            uow, clock, kind="payment", idempotency_key="k1",
            postings=[ledger.Posting("driver:1", eur(-5)), ledger.Posting(ESCROW, eur(5))],
        )  # fmt: skip
        transaction = await uow.ledger.by_idempotency_key("k1")
        stray = LedgerEntry(
            transaction_id=transaction.id, account=ESCROW, currency=EUR, amount_minor=1
        )
        uow.ledger.add(stray)
        await uow.ledger.flush()
        health = await profit.check_ledger(uow)
        await uow.session.delete(stray)  # so the check after every test sees a sound ledger
    assert health.unbalanced == [transaction.id]
    assert not health.healthy


async def test_a_card_hold_is_taken_before_it_would_lapse_during_a_long_stay(db, clock, owner):
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    start = clock.now() + timedelta(days=1)
    async with db.unit_of_work() as uow:
        week = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(days=8), commission_basis_points=1500,
        )  # fmt: skip
        await booking_payments.record_gateway_payment(
            uow, clock, gateway="stripe", payload=booking_payments.payload_for(week),
            amount=eur(week.price_minor), external_id="pi_held", provider_charge_id=None,
            held=True,
        )  # fmt: skip
    clock.advance(days=5)
    async with db.unit_of_work() as uow:
        await bookings.advance(uow, clock)  # the stay is under way
        assert await booking_payments.holds_to_capture(uow, clock) == []
    clock.advance(days=1, minutes=1)  # the hold has about a day left
    async with db.reading() as uow:
        due = await booking_payments.holds_to_capture(uow, clock)
    assert [(payment.external_id, b.status) for payment, b in due] == [
        ("pi_held", BookingStatus.ACTIVE)
    ]
    async with db.unit_of_work() as uow:
        await booking_payments.payment_captured(uow, "pi_held")
    async with db.reading() as uow:
        assert await booking_payments.holds_to_capture(uow, clock) == []
        assert not await uow.payments.has_held_payment(week.id)


async def test_a_cancellation_refunds_the_payment_that_was_kept_not_one_already_owed_back(
    db, clock, booking
):
    """A wrong amount came first (owed straight back), then the price: cancelling refunds the
    price from the second payment, and each payment is refunded exactly once."""
    async with db.unit_of_work() as uow:
        wrong = await booking_payments.record_payment(
            uow, clock, gateway="telegram", payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id, amount=eur(100), external_id="tg-wrong",
            provider_charge_id="ch_wrong",
        )  # fmt: skip
    paid = await pay(db, clock, booking, external_id="tg-right")
    async with db.unit_of_work() as uow:
        await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id,
            expected_version=paid.booking.version, free_hours=12, late_percent=50,
        )  # fmt: skip
    refunds = {(r.payment_id, r.amount_minor) for r in await transfers(db, Refund)}
    assert refunds == {(wrong.payment.id, 100), (paid.payment.id, booking.price_minor)}
