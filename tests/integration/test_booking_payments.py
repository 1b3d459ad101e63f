from datetime import timedelta

import pytest

from core.db.models import PaymentStatus
from core.errors import BookingNotFound, BookingNotPayable, PaymentMismatch
from core.money import Money
from core.services import booking_payments, bookings, ledger
from core.services.booking_payments import PaymentResult
from core.services.ledger import ESCROW
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot


@pytest.fixture
async def booking(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        return await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip


async def pay(db, clock, booking, *, external_id="tg-1", amount=None):
    async with db.unit_of_work() as uow:
        return await booking_payments.record_payment(
            uow, clock, gateway="telegram", payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id, amount=amount or Money(600, "EUR"),
            external_id=external_id, provider_charge_id="ch_1",
        )  # fmt: skip


async def test_the_driver_is_charged_the_booking_price(db, booking):
    async with db.unit_of_work() as uow:
        charge = await booking_payments.charge_for(
            uow, booking_id=booking.id, driver_id=booking.driver_id
        )
    assert charge.amount == Money(600, "EUR")
    assert charge.payload == f"booking:{booking.id}:1"
    assert charge.spot_title == "Garage on Elm St"


async def test_another_persons_booking_cannot_be_paid_or_even_seen(db, clock, booking):
    stranger = await a_person(db, clock, "Mallory")
    async with db.unit_of_work() as uow:
        with pytest.raises(BookingNotFound):
            await booking_payments.charge_for(uow, booking_id=booking.id, driver_id=stranger.id)


@pytest.mark.parametrize("status", [BookingStatus.EXPIRED, BookingStatus.CANCELLED])
async def test_a_lapsed_booking_is_not_payable(db, clock, booking, status):
    payload = booking_payments.payload_for(booking)
    async with db.unit_of_work() as uow:
        await bookings.transition(uow, clock, booking.id, status)
    async with db.unit_of_work() as uow:
        with pytest.raises(BookingNotPayable):
            await booking_payments.check_payable(
                uow, payload=payload, driver_id=booking.driver_id, amount=Money(600, "EUR")
            )


async def test_a_payment_of_another_amount_is_refused(db, booking):
    async with db.unit_of_work() as uow:
        with pytest.raises(PaymentMismatch):
            await booking_payments.check_payable(
                uow, payload=booking_payments.payload_for(booking),
                driver_id=booking.driver_id, amount=Money(500, "EUR"),
            )  # fmt: skip


@pytest.mark.parametrize("payload", ["", "booking:x:1", "booking:1", "ticket:1:1", "booking:1:1:1"])
async def test_a_forged_payload_is_refused(db, booking, payload):
    async with db.unit_of_work() as uow:
        with pytest.raises(PaymentMismatch):
            await booking_payments.check_payable(
                uow, payload=payload, driver_id=booking.driver_id, amount=Money(600, "EUR")
            )


async def test_a_payment_confirms_the_booking_and_holds_the_money_in_escrow(db, clock, booking):
    outcome = await pay(db, clock, booking)
    assert outcome.booking.status == BookingStatus.CONFIRMED
    assert not outcome.duplicate
    async with db.unit_of_work() as uow:
        assert await ledger.balance(uow, ESCROW, "EUR") == Money(600, "EUR")


async def test_a_payment_reported_twice_is_recorded_once(db, clock, booking):
    await pay(db, clock, booking)
    again = await pay(db, clock, booking)
    assert again.duplicate
    async with db.unit_of_work() as uow:
        assert len(await uow.payments.of_booking(booking.id)) == 1
        assert await ledger.balance(uow, ESCROW, "EUR") == Money(600, "EUR")
        assert (await bookings.get(uow, booking.id)).version == 2


async def expire(db, clock, booking):
    async with db.unit_of_work() as uow:
        await bookings.transition(uow, clock, booking.id, BookingStatus.EXPIRED)


async def someone_else_books_the_same_window(db, clock, booking):
    other = await a_person(db, clock, "Eve")
    async with db.unit_of_work() as uow:
        await bookings.request(
            uow, clock, driver_id=other.id, spot_id=booking.spot_id, start=booking.start_at,
            end=booking.end_at, commission_basis_points=1500,
        )  # fmt: skip


async def test_money_arriving_after_the_booking_lapsed_takes_it_back_while_its_window_is_free(
    db, clock, booking
):
    await expire(db, clock, booking)
    outcome = await pay(db, clock, booking)
    assert outcome.result == PaymentResult.REINSTATED
    assert outcome.payment.status == PaymentStatus.SUCCEEDED
    assert outcome.booking.status == BookingStatus.CONFIRMED
    async with db.reading() as uow:
        assert (await bookings.get(uow, booking.id)).status == BookingStatus.CONFIRMED


async def test_money_arriving_after_the_window_went_to_someone_else_is_owed_back(
    db, clock, booking
):
    await expire(db, clock, booking)
    await someone_else_books_the_same_window(db, clock, booking)
    outcome = await pay(db, clock, booking)
    assert outcome.result == PaymentResult.REFUNDED_LAPSED
    assert outcome.payment.status == PaymentStatus.REFUND_DUE
    assert outcome.booking.status == BookingStatus.EXPIRED
    async with db.unit_of_work() as uow:
        assert await ledger.unbalanced_transactions(uow) == []


async def test_money_arriving_after_the_stay_would_have_ended_is_owed_back(db, clock, booking):
    await expire(db, clock, booking)
    clock.advance(hours=4)
    outcome = await pay(db, clock, booking)
    assert (outcome.result, outcome.booking.status) == (
        PaymentResult.REFUNDED_LAPSED, BookingStatus.EXPIRED,
    )  # fmt: skip


async def test_money_for_a_booking_cancelled_meanwhile_is_owed_back(db, clock, booking):
    async with db.unit_of_work() as uow:
        await bookings.cancel_by_driver(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id,
            expected_version=booking.version, free_hours=24, late_percent=50,
        )  # fmt: skip
    outcome = await pay(db, clock, booking)
    assert (outcome.result, outcome.payment.status, outcome.booking.status) == (
        PaymentResult.REFUNDED_CANCELLED, PaymentStatus.REFUND_DUE, BookingStatus.CANCELLED,
    )  # fmt: skip


async def test_a_stale_copy_of_the_booking_in_the_session_does_not_decide_a_payment(
    db, clock, booking
):
    """The session already holds the booking as awaiting payment when the expiry commits in
    another unit of work: the payment must decide on the row as it is now."""
    async with db.unit_of_work() as uow:
        await uow.bookings.get(booking.id)  # now in this session's identity map
        async with db.unit_of_work() as other:
            await bookings.transition(other, clock, booking.id, BookingStatus.EXPIRED)
        await someone_else_books_the_same_window(db, clock, booking)
        outcome = await booking_payments.record_payment(
            uow, clock, gateway="telegram", payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id, amount=Money(600, "EUR"),
            external_id="tg-1", provider_charge_id="ch_1",
        )  # fmt: skip
    assert outcome.result == PaymentResult.REFUNDED_LAPSED
    async with db.reading() as uow:
        assert (await bookings.get(uow, booking.id)).status == BookingStatus.EXPIRED
