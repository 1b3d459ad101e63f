from decimal import Decimal

import pytest

from core.errors import InvalidCurrency, InvalidPrice
from core.money import Money


def test_amounts_parse_into_minor_units_of_their_currency():
    assert Money.from_decimal("3.50", "EUR") == Money(350, "EUR")
    assert Money.from_decimal("300", "JPY") == Money(300, "JPY")


def test_sub_minor_precision_is_refused():
    with pytest.raises(InvalidPrice):
        Money.from_decimal("3.505", "EUR")
    with pytest.raises(InvalidPrice):
        Money.from_decimal("1.5", "JPY")


def test_a_float_is_never_money():
    with pytest.raises(InvalidPrice):
        Money(3.5, "EUR")  # type: ignore[arg-type]


def test_malformed_currency_codes_are_refused():
    for code in ("EU", "EURO", "€€€", "12A"):
        with pytest.raises(InvalidCurrency):
            Money(100, code)


def test_adding_different_currencies_is_refused():
    with pytest.raises(InvalidCurrency):
        Money(100, "EUR") + Money(100, "USD")


def test_a_share_rounds_half_up_in_minor_units():
    assert Money(1000, "EUR").share(1500) == Money(150, "EUR")
    assert Money(5, "EUR").share(1000) == Money(1, "EUR")  # 0.5 rounds up
    assert Money(333, "JPY").share(1250) == Money(42, "JPY")  # 41.625


def test_minor_units_convert_back_to_major_units():
    assert Money(1234, "EUR").to_decimal() == Decimal("12.34")
    assert Money(1234, "JPY").to_decimal() == Decimal(1234)
