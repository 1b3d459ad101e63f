"""Amounts are stored as minor units beside a currency and read from the models as ``Money``;
queries still filter and sum on the columns."""

import pytest
from sqlalchemy import func, select

from core.db.models import Booking, Payment, Spot
from core.errors import InvalidCurrency
from core.money import Money
from tests.integration.builders import a_payment, a_person, a_stay, an_approved_spot


async def test_a_booking_reads_its_price_and_commission_as_money(db, clock):
    stay = await a_stay(db, clock, hourly_minor=300)
    async with db.reading() as uow:
        booking = await uow.bookings.get(stay.booking.id)
        assert booking is not None
        assert (booking.price, booking.commission) == (Money(600, "EUR"), Money(90, "EUR"))
        assert (booking.price_minor, booking.commission_minor) == (600, 90)


async def test_an_amount_written_to_its_column_reads_back_at_once(db, clock):
    spot = await an_approved_spot(db, clock, await a_person(db, clock, "Olga"))
    async with db.unit_of_work() as uow:
        spot = await uow.session.get_one(Spot, spot.id)
        assert spot.hourly_price == Money(300, "EUR")
        spot.hourly_price_minor = 450
        assert spot.hourly_price == Money(450, "EUR")
        spot.hourly_price = Money(500, "EUR")
        assert spot.hourly_price_minor == 500


async def test_a_spot_without_a_day_rate_keeps_its_currency_when_one_comes_and_goes(db, clock):
    spot = await an_approved_spot(db, clock, await a_person(db, clock, "Olga"))
    async with db.unit_of_work() as uow:
        spot = await uow.session.get_one(Spot, spot.id)
        assert spot.daily_price is None
        spot.daily_price = Money(2000, "EUR")
        assert spot.daily_price == Money(2000, "EUR")
        spot.daily_price = None
        assert (spot.daily_price, spot.hourly_price) == (None, Money(300, "EUR"))
    async with db.reading() as uow:
        assert (await uow.session.get_one(Spot, spot.id)).currency == "EUR"


async def test_a_day_rate_in_another_currency_is_refused(db, clock):
    spot = await an_approved_spot(db, clock, await a_person(db, clock, "Olga"))
    async with db.reading() as uow:
        spot = await uow.session.get_one(Spot, spot.id)
        with pytest.raises(InvalidCurrency):
            spot.daily_price = Money(2000, "JPY")


async def test_queries_filter_on_an_amount_and_sum_its_minor_units(db, clock):
    stay = await a_stay(db, clock, hourly_minor=300)
    await a_payment(db, clock, stay.booking)
    async with db.reading() as uow:
        paid = select(Payment.id).where(Payment.amount == Money(600, "EUR"))
        assert len((await uow.session.execute(paid)).all()) == 1
        assert await uow.session.scalar(select(func.sum(Payment.amount_minor))) == 600
        priced = select(Booking.price).where(Booking.id == stay.booking.id)
        assert await uow.session.scalar(priced) == Money(600, "EUR")
