"""Payments racing the expiry sweep and the owner, with real concurrent writers: however the
race falls, no money is lost or left held, and each driver's last word is the booking's state."""

import asyncio
from datetime import timedelta

from core.db.models import PaymentStatus
from core.errors import StaleBooking
from core.services import audit, booking_payments, bookings
from core.services.booking_payments import PaymentResult
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot

DRIVERS = 15
ROUNDS = 10
PAYMENT_WINDOW = timedelta(minutes=15)
REQUEST_WINDOW = timedelta(hours=2)
# What the bot tells the driver for each outcome, as the state it promises.
PROMISED = {
    PaymentResult.CONFIRMED: BookingStatus.CONFIRMED,
    PaymentResult.REINSTATED: BookingStatus.CONFIRMED,
    PaymentResult.REFUNDED_LAPSED: BookingStatus.EXPIRED,
    PaymentResult.REFUNDED_CANCELLED: BookingStatus.CANCELLED,
}


async def _pay(db, clock, booking, external_id):
    async with db.unit_of_work() as uow:
        return await booking_payments.record_payment(
            uow, clock, gateway="telegram", payload=booking_payments.payload_for(booking),
            driver_id=booking.driver_id, amount=booking.price,
            external_id=external_id, provider_charge_id=f"ch_{external_id}",
        )  # fmt: skip


async def _expire(db, clock):
    async with db.unit_of_work() as uow:
        return await bookings.expire_overdue(
            uow, clock, payment_window=PAYMENT_WINDOW, request_window=REQUEST_WINDOW
        )


async def _audit_is_clean(db):
    async with db.reading() as uow:
        report = await audit.run(uow)
    assert report.healthy, "\n".join(map(str, report.violations))


async def _money_of(db, booking_id):
    async with db.reading() as uow:
        return (
            await uow.payments.of_booking(booking_id),
            await uow.payments.refunds_of_booking(booking_id),
        )


async def test_drivers_paying_while_the_expiry_sweep_runs_lose_nothing(committing_db, clock):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spots = [await an_approved_spot(db, clock, owner) for _ in range(DRIVERS)]
    drivers = [await a_person(db, clock, f"Driver {n}") for n in range(DRIVERS)]
    told_expired_then_reinstated = 0
    for round_ in range(ROUNDS):
        start = clock.now() + timedelta(hours=1)
        waiting = []
        for driver, spot in zip(drivers, spots, strict=True):
            async with db.unit_of_work() as uow:
                booking = await bookings.request(
                    uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
                    end=start + timedelta(hours=1), commission_basis_points=1500,
                )  # fmt: skip
            waiting.append(booking)
        # Every driver pays a moment after the payment window closed, as the sweep runs.
        clock.advance(minutes=16)
        paying = [_pay(db, clock, b, f"r{round_}-{b.id}") for b in waiting]
        half = len(paying) // 2
        *payments, sweep = await asyncio.gather(*paying[:half], *paying[half:], _expire(db, clock))
        expired_ids = {booking.id for booking in sweep}
        for booking, outcome in zip(waiting, payments, strict=True):
            async with db.reading() as uow:
                now = await bookings.get(uow, booking.id)
            # The window was free, so whichever came first the stay is the driver's.
            assert now.status == BookingStatus.CONFIRMED
            assert PROMISED[outcome.result] == now.status
            if booking.id in expired_ids:
                # Told "expired" by the sweep, then why it is theirs after all.
                assert outcome.result == PaymentResult.REINSTATED
                told_expired_then_reinstated += 1
            else:
                assert outcome.result == PaymentResult.CONFIRMED
            assert outcome.payment.status == PaymentStatus.SUCCEEDED
        await _audit_is_clean(db)
        clock.advance(hours=3)  # past these stays, so the next round's windows are free
    print(f"expired, then taken back by the late payment: {told_expired_then_reinstated}")


async def test_a_payment_after_the_sweep_took_the_window_back_and_gave_it_away_is_refunded(
    committing_db, clock
):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    late, quick = await a_person(db, clock, "Late"), await a_person(db, clock, "Quick")
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        lapsing = await bookings.request(
            uow, clock, driver_id=late.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
    clock.advance(minutes=16)
    (expired,) = await _expire(db, clock)
    assert expired.id == lapsing.id
    async with db.unit_of_work() as uow:
        await bookings.request(
            uow, clock, driver_id=quick.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
    outcome = await _pay(db, clock, lapsing, "late-1")
    assert outcome.result == PaymentResult.REFUNDED_LAPSED
    payments, refunds = await _money_of(db, lapsing.id)
    assert [p.status for p in payments] == [PaymentStatus.REFUND_DUE]
    assert [(r.amount_minor, r.reason) for r in refunds] == [(lapsing.price_minor, "late_payment")]
    await _audit_is_clean(db)


async def test_an_owner_cancelling_while_the_driver_pays_leaves_one_story(committing_db, clock):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    driver = await a_person(db, clock, "Dana")
    seen = set()
    for round_ in range(ROUNDS):
        start = clock.now() + timedelta(hours=30)
        async with db.unit_of_work() as uow:
            booking = await bookings.request(
                uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
                end=start + timedelta(hours=1), commission_basis_points=1500,
            )  # fmt: skip

        async def cancel(booking=booking):
            try:
                async with db.unit_of_work() as uow:
                    await bookings.cancel_by_owner(
                        uow, clock, booking_id=booking.id, owner_id=owner.id,
                        expected_version=booking.version,
                    )  # fmt: skip
            except StaleBooking:
                return "refused: the booking changed"
            return "cancelled"

        owners_word, outcome = await asyncio.gather(
            cancel(), _pay(db, clock, booking, f"c{round_}")
        )
        async with db.reading() as uow:
            now = await bookings.get(uow, booking.id)
        payments, refunds = await _money_of(db, booking.id)
        assert len(payments) == 1  # the payment is never lost
        if owners_word == "cancelled":
            assert now.status == BookingStatus.CANCELLED
            assert outcome.result == PaymentResult.REFUNDED_CANCELLED
            assert sum(r.amount_minor for r in refunds) == booking.price_minor
        else:
            assert now.status == BookingStatus.CONFIRMED
            assert outcome.result == PaymentResult.CONFIRMED
            assert refunds == []
        seen.add(owners_word)
        await _audit_is_clean(db)
        clock.advance(hours=2)
    assert seen  # each round ended one way or the other
