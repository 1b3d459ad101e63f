from datetime import UTC, datetime, timedelta

from core.money import Money
from core.pricing import commission_for, price_for_window

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
