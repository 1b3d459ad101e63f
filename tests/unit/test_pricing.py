from datetime import UTC, datetime, timedelta

import pytest

from core.db.models import Booking, Spot
from core.errors import InvalidCurrency
from core.money import Money
from core.pricing import commission_for, commission_on_part, owner_share, price_for_window, price_of
from core.services.stays import Stay
from core.window import Window

START = datetime(2026, 6, 1, 9, tzinfo=UTC)


def test_a_stay_is_prorated_by_the_minute():
    assert price_for_window(Money(300, "EUR"), None, START, START + timedelta(minutes=90)) == Money(
        450, "EUR"
    )


def test_a_started_minute_is_charged():
    price = price_for_window(Money(600, "EUR"), None, START, START + timedelta(seconds=61))
    assert price == Money(20, "EUR")


def test_a_day_costs_no_more_than_the_daily_price():
    assert price_for_window(
        Money(300, "EUR"), Money(2000, "EUR"), START, START + timedelta(days=2, hours=10)
    ) == Money(2 * 2000 + 2000, "EUR")


def test_a_zero_decimal_currency_stays_in_whole_units():
    assert price_for_window(Money(500, "JPY"), None, START, START + timedelta(minutes=20)) == Money(
        167, "JPY"
    )


def test_commission_is_a_rounded_share_of_the_price():
    assert commission_for(Money(1999, "EUR"), 1500) == Money(300, "EUR")


def a_spot(hourly: int, daily: int | None = None, currency: str = "EUR") -> Spot:
    return Spot(hourly_price_minor=hourly, daily_price_minor=daily, currency=currency)


def test_the_price_of_a_window_at_a_spot_is_its_hourly_rate_prorated():
    window = Window(START, START + timedelta(hours=2, minutes=30))
    assert price_of(a_spot(400), window) == Money(1000, "EUR")


def test_the_price_of_a_window_at_a_spot_is_capped_by_its_daily_price():
    window = Window(START, START + timedelta(hours=10))
    assert price_of(a_spot(400, daily=2500), window) == Money(2500, "EUR")


def test_a_spot_without_a_daily_price_charges_every_hour():
    # A daily price of 0 means none was set: the stay is not free.
    window = Window(START, START + timedelta(hours=10))
    assert price_of(a_spot(400, daily=0), window) == Money(4000, "EUR")


def test_the_owner_receives_what_was_paid_less_the_commission():
    assert owner_share(Money(2000, "EUR"), Money(300, "EUR")) == Money(1700, "EUR")


def test_the_owners_share_is_never_reckoned_across_currencies():
    with pytest.raises(InvalidCurrency):
        owner_share(Money(2000, "EUR"), Money(300, "USD"))


def test_the_commission_on_part_of_a_price_is_in_proportion_rounded_down():
    price, commission = Money(1000, "EUR"), Money(150, "EUR")
    assert commission_on_part(price, commission, Money(1000, "EUR")) == commission
    assert commission_on_part(price, commission, Money(500, "EUR")) == Money(75, "EUR")
    assert commission_on_part(price, commission, Money(333, "EUR")) == Money(49, "EUR")
    assert commission_on_part(price, commission, Money(0, "EUR")) == Money(0, "EUR")


def test_the_owners_share_of_a_stay_counts_its_extensions():
    def part(price: int, commission: int) -> Booking:
        return Booking(price_minor=price, commission_minor=commission, currency="EUR")

    stay = Stay(part(1000, 150), extensions=(part(400, 60), part(200, 30)))
    assert stay.owner_share == Money(1600 - 240, "EUR")
