"""Weekly series in the store: booked whole or not at all, even against drivers racing for its
stays; one payment confirms every stay and gives each its own money; a stay cancelled later is
refunded against that payment on its own terms; a payment that does not fit confirms nothing."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.availability import MINUTES_PER_DAY, WeeklyRule
from core.db.models import Booking, MonthlyPass, Payment, Refund
from core.errors import SeriesNeedsAnswer, WindowTaken
from core.money import Money
from core.pricing import commission_for
from core.services import booking_payments, bookings, chargebacks, passes, series, spots
from core.status import BookingStatus, SpotStatus
from core.window import Window
from tests.integration.builders import a_payment, a_person, an_approved_spot

DAY = timedelta(days=1)


def _weekdays(clock, count: int) -> list[Window]:
    """``count`` daily stays of two hours, from tomorrow."""
    first = clock.now().replace(minute=0, second=0, microsecond=0) + DAY
    return [Window(first + n * DAY, first + n * DAY + timedelta(hours=2)) for n in range(count)]


async def _series(db, clock, driver, spot, windows) -> series.Booked:
    async with db.unit_of_work() as uow:
        return await series.book(
            uow, clock, driver_id=driver.id, spot_id=spot.id, pattern="daily 9-11 for 1 week",
            windows=windows, commission_basis_points=1500,
        )  # fmt: skip


async def _racing_series(db, clock, driver, spot, windows) -> str:
    try:
        await _series(db, clock, driver, spot, windows)
    except WindowTaken:
        return "taken"
    return "won"


async def _racing_single(db, clock, driver, spot, start, end) -> str:
    try:
        async with db.unit_of_work() as uow:
            await bookings.request(
                uow, clock, driver_id=driver.id, spot_id=spot.id, start=start, end=end,
                commission_basis_points=1500,
            )  # fmt: skip
    except WindowTaken:
        return "taken"
    return "won"


async def _rows(db, model, *where):
    async with db.reading() as uow:
        return list(await uow.session.scalars(select(model).where(*where).order_by(model.id)))


async def test_a_series_racing_single_bookings_is_booked_whole_or_not_at_all(committing_db, clock):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    windows = _weekdays(clock, 7)
    commuter = await a_person(db, clock, "Dana")
    others = [await a_person(db, clock, f"Driver {n}") for n in range(len(windows))]

    outcome, *singles = await asyncio.gather(
        _racing_series(db, clock, commuter, spot, windows),
        *(
            _racing_single(
                db, clock, driver, spot, window.start + timedelta(minutes=30), window.end
            )
            for driver, window in zip(others, windows, strict=True)
        ),
    )
    made = await _rows(db, Booking, Booking.driver_id == commuter.id)
    if outcome == "won":
        assert len(made) == len(windows)
        assert singles == ["taken"] * len(windows)
    else:
        assert made == []  # no stay of a series is left behind when another is refused
        assert "won" in singles
    # No two live bookings overlap: the audit after the test says so too.


async def test_one_payment_confirms_every_stay_and_gives_each_its_own_money(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    booked = await _series(db, clock, dana, spot, _weekdays(clock, 3))
    async with db.reading() as uow:
        charge = await booking_payments.charge_for(
            uow, booking_id=booked.first.id, driver_id=dana.id
        )
    assert charge.amount == Money(1800, "EUR")
    assert charge.stays == 3
    assert not charge.holdable
    outcome = await a_payment(db, clock, booked.first, amount=charge.amount)
    assert outcome.result == booking_payments.PaymentResult.CONFIRMED
    stays = await _rows(db, Booking, Booking.series_id == booked.series.id)
    assert [b.status for b in stays] == [BookingStatus.CONFIRMED] * 3
    async with db.reading() as uow:
        held = [await uow.ledger.escrow_of_booking(b.id) for b in stays]
    assert held == [{"EUR": 600}] * 3


async def test_the_other_stays_of_a_series_cannot_be_paid_on_their_own(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    booked = await _series(db, clock, dana, spot, _weekdays(clock, 2))
    second = booked.bookings[1]
    outcome = await a_payment(db, clock, second)
    assert outcome.result == booking_payments.PaymentResult.REFUNDED_NOT_OWED
    partial = await a_payment(db, clock, booked.first, external_id="first only")
    assert partial.result == booking_payments.PaymentResult.REFUNDED_NOT_OWED
    stays = await _rows(db, Booking, Booking.series_id == booked.series.id)
    assert [b.status for b in stays] == [BookingStatus.AWAITING_PAYMENT] * 2


async def test_a_stay_cancelled_later_is_refunded_against_the_series_payment(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    booked = await _series(db, clock, dana, spot, _weekdays(clock, 3))
    await a_payment(db, clock, booked.first, amount=Money(1800, "EUR"))
    third = booked.bookings[2]
    async with db.unit_of_work() as uow:
        _cancelled, terms = await bookings.cancel_by_driver(
            uow, clock, booking_id=third.id, driver_id=dana.id, expected_version=2,
            free_hours=2, late_percent=50,
        )  # fmt: skip
    assert terms.refund == Money(600, "EUR")
    (payment,) = await _rows(db, Payment)
    (refund,) = await _rows(db, Refund)
    assert (refund.booking_id, refund.payment_id) == (third.id, payment.id)
    assert refund.amount_minor == 600


async def test_cancelling_an_unpaid_stay_calls_off_the_payment_the_series_shares(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    booked = await _series(db, clock, dana, spot, _weekdays(clock, 3))
    async with db.unit_of_work() as uow:
        await bookings.cancel_by_driver(
            uow, clock, booking_id=booked.bookings[1].id, driver_id=dana.id, expected_version=1,
            free_hours=2, late_percent=50,
        )  # fmt: skip
    stays = await _rows(db, Booking, Booking.series_id == booked.series.id)
    assert [b.status for b in stays] == [BookingStatus.CANCELLED] * 3


async def test_a_payment_after_the_series_lapsed_is_refunded_whole(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    booked = await _series(db, clock, dana, spot, _weekdays(clock, 2))
    clock.advance(minutes=16)
    async with db.unit_of_work() as uow:
        expired = await bookings.expire_overdue(
            uow, clock, payment_window=timedelta(minutes=15), request_window=timedelta(hours=1)
        )
    assert len(expired) == 2
    outcome = await a_payment(db, clock, booked.first, amount=Money(1200, "EUR"))
    assert outcome.result == booking_payments.PaymentResult.REFUNDED_LAPSED
    (refund,) = await _rows(db, Refund)
    assert refund.amount_minor == 1200


async def test_a_pass_a_series_and_single_bookings_racing_for_nights_never_share_one(
    committing_db, clock
):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    nights = tuple(
        rule for day in range(7)
        for rule in (WeeklyRule(day, 0, 8 * 60), WeeklyRule(day, 19 * 60, MINUTES_PER_DAY))
    )  # fmt: skip
    async with db.unit_of_work() as uow:
        await passes.offer(
            uow, clock, owner_id=owner.id, spot_id=spot.id, band=nights,
            monthly=Money(12000, "EUR"), notice_days=14,
        )  # fmt: skip
    resident = await a_person(db, clock, "Rita")
    commuter = await a_person(db, clock, "Dana")
    others = [await a_person(db, clock, f"Driver {n}") for n in range(6)]
    evening = clock.now().replace(hour=17, minute=0, second=0, microsecond=0)  # 19:00 Berlin
    week = [Window(evening + n * DAY, evening + n * DAY + timedelta(hours=12)) for n in range(1, 8)]
    async with db.reading() as uow:
        quote = await passes.quote(uow, clock, spot_id=spot.id, driver_id=resident.id)

    async def monthly() -> str:
        try:
            async with db.unit_of_work() as uow:
                taken = await passes.take(
                    uow, clock, spot_id=spot.id, driver_id=resident.id,
                    agreed=passes.terms_of(quote), commission_basis_points=1500,
                )  # fmt: skip
        except WindowTaken:
            return "taken"
        return "won" if isinstance(taken, passes.Taken) else "changed"

    outcomes = await asyncio.gather(
        monthly(),
        _racing_series(db, clock, commuter, spot, week),
        *(
            _racing_single(
                db,
                clock,
                driver,
                spot,
                night.start + timedelta(hours=1),
                night.start + timedelta(hours=3),
            )
            for driver, night in zip(others, week, strict=False)
        ),
    )
    # Whole or not at all: a pass's month, a series, each single stay.
    held = await _rows(db, Booking, Booking.driver_id == resident.id)
    assert len(held) in (0, len(quote.month.bookable))
    assert (len(held) > 0) == (outcomes[0] == "won")
    series_stays = await _rows(db, Booking, Booking.driver_id == commuter.id)
    assert len(series_stays) == (len(week) if outcomes[1] == "won" else 0)
    assert outcomes.count("won") >= 1
    # No night held twice: the audit after the test checks every spot's live bookings.


async def test_a_chargeback_of_a_series_payment_takes_back_from_every_stay_it_paid(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    booked = await _series(db, clock, dana, spot, _weekdays(clock, 3))
    await a_payment(db, clock, booked.first, amount=Money(1800, "EUR"))
    (payment,) = await _rows(db, Payment)
    async with db.unit_of_work() as uow:
        moved = await chargebacks.funds_withdrawn(
            uow, clock, payment, dispute_reference="dp_1", amount=Money(1800, "EUR")
        )
    assert moved.moved == Money(1800, "EUR")
    async with db.reading() as uow:
        held = [await uow.ledger.escrow_of_booking(b.id) for b in booked.bookings]
    assert held == [{}] * 3
    async with db.unit_of_work() as uow:
        back = await chargebacks.funds_reinstated(
            uow, clock, payment, dispute_reference="dp_1", amount=Money(1800, "EUR")
        )
    assert back.moved == Money(1800, "EUR")
    async with db.reading() as uow:
        held = [await uow.ledger.escrow_of_booking(b.id) for b in booked.bookings]
    assert held == [{"EUR": 600}] * 3


async def test_a_pass_is_taken_where_the_owner_answers_each_booking_for_the_offer_answered(
    db, clock
):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        (await uow.spots.get(spot.id)).instant_booking = False
        await passes.offer(
            uow, clock, owner_id=owner.id, spot_id=spot.id,
            band=(WeeklyRule(0, 8 * 60, 18 * 60),), monthly=Money(4000, "EUR"), notice_days=7,
        )  # fmt: skip
    rita = await a_person(db, clock, "Rita")
    async with db.unit_of_work() as uow:
        quote = await passes.quote(uow, clock, spot_id=spot.id, driver_id=rita.id)
        taken = await passes.take(
            uow, clock, spot_id=spot.id, driver_id=rita.id, agreed=passes.terms_of(quote),
            commission_basis_points=1500,
        )  # fmt: skip
    assert isinstance(taken, passes.Taken)
    assert {b.status for b in taken.first_month.bookings} == {BookingStatus.AWAITING_PAYMENT}
    with pytest.raises(SeriesNeedsAnswer):  # while a weekly series still needs an answer
        await _series(db, clock, await a_person(db, clock, "Dana"), spot, _weekdays(clock, 2))


async def test_a_later_week_is_payable_until_it_is_due_not_for_the_payment_window(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    async with db.unit_of_work() as uow:
        booked = await series.book(
            uow, clock, driver_id=dana.id, spot_id=spot.id, pattern="daily 9-11 for 2 weeks",
            windows=_weekdays(clock, 14), commission_basis_points=1500, week_by_week=True,
        )  # fmt: skip
    later = next(b for b in booked.bookings if b.pay_by is not None and b.paid_with_id is None)
    assert later.pay_by == later.start_at - series.WEEK_DUE_BEFORE
    async with db.reading() as uow:
        charge = await booking_payments.charge_for(uow, booking_id=later.id, driver_id=dana.id)
    assert charge.pay_by(timedelta(minutes=15)) == later.pay_by
    assert charge.stays == 7


async def test_a_series_whose_first_week_lapses_unpaid_lapses_whole(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    dana = await a_person(db, clock, "Dana")
    async with db.unit_of_work() as uow:
        booked = await series.book(
            uow, clock, driver_id=dana.id, spot_id=spot.id, pattern="daily 9-11 for 2 weeks",
            windows=_weekdays(clock, 14), commission_basis_points=1500, week_by_week=True,
        )  # fmt: skip
    clock.advance(minutes=16)
    async with db.unit_of_work() as uow:
        expired = await bookings.expire_overdue(
            uow, clock, payment_window=timedelta(minutes=15), request_window=timedelta(hours=1)
        )
    assert len(expired) == 14
    stays = await _rows(db, Booking, Booking.series_id == booked.series.id)
    assert {b.status for b in stays} == {BookingStatus.EXPIRED}


async def _pass_taken(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        await passes.offer(
            uow, clock, owner_id=owner.id, spot_id=spot.id,
            band=(WeeklyRule(0, 8 * 60, 18 * 60),), monthly=Money(4000, "EUR"), notice_days=7,
        )  # fmt: skip
    rita = await a_person(db, clock, "Rita")
    async with db.unit_of_work() as uow:
        quote = await passes.quote(uow, clock, spot_id=spot.id, driver_id=rita.id)
        taken = await passes.take(
            uow, clock, spot_id=spot.id, driver_id=rita.id, agreed=passes.terms_of(quote),
            commission_basis_points=1500,
        )  # fmt: skip
    assert isinstance(taken, passes.Taken)
    return owner, spot, rita, taken


async def test_notice_before_the_first_payment_ends_the_pass_at_a_month_boundary(db, clock):
    _owner, _spot, rita, taken = await _pass_taken(db, clock)
    async with db.unit_of_work() as uow:
        notice = await passes.give_notice(
            uow, clock, pass_id=taken.monthly_pass.id, person_id=rita.id
        )
    assert notice.ends_at == taken.first_month.series.period_end_at


async def test_a_pass_whose_spot_was_paused_ends_with_its_month_and_the_sweep_goes_on(db, clock):
    _owner, spot, _rita, taken = await _pass_taken(db, clock)
    await a_payment(db, clock, taken.first_month.first, amount=taken.first_month.price)
    async with db.unit_of_work() as uow:
        await spots.set_status(uow, spot.id, SpotStatus.PAUSED)
    clock.advance(days=27)
    async with db.unit_of_work() as uow:
        renewed = await passes.renew_due(uow, clock, commission_basis_points=1500)
    assert renewed == []
    (monthly_pass,) = await _rows(db, MonthlyPass)
    assert monthly_pass.ends_at == taken.first_month.series.period_end_at


async def test_a_trusted_owners_pass_pays_the_lower_commission_every_month(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        (await uow.people.get(owner.id)).credit_score = 800
        await passes.offer(
            uow, clock, owner_id=owner.id, spot_id=spot.id,
            band=(WeeklyRule(0, 8 * 60, 18 * 60),), monthly=Money(4000, "EUR"), notice_days=7,
        )  # fmt: skip
    rita = await a_person(db, clock, "Rita")
    rates = {"commission_basis_points": 1500, "trusted_owner_commission_basis_points": 1000}
    async with db.unit_of_work() as uow:
        quote = await passes.quote(uow, clock, spot_id=spot.id, driver_id=rita.id)
        taken = await passes.take(
            uow, clock, spot_id=spot.id, driver_id=rita.id, agreed=passes.terms_of(quote),
            **rates,
        )  # fmt: skip
    assert isinstance(taken, passes.Taken)
    await a_payment(db, clock, taken.first_month.first, amount=taken.first_month.price)
    clock.advance(days=27)
    async with db.unit_of_work() as uow:
        (renewal,) = await passes.renew_due(uow, clock, **rates)
    for month in (taken.first_month, renewal.booked):
        stays = await _rows(db, Booking, Booking.series_id == month.series.id)
        assert [b.commission for b in stays] == [commission_for(b.price, 1000) for b in stays]
