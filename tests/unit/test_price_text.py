import pytest

from core.errors import InvalidCurrency, InvalidPrice
from core.money import Money
from core.price_text import parse_price


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", Money(300, "EUR")),
        ("3.50", Money(350, "EUR")),
        ("3,50", Money(350, "EUR")),
        ("€3/h", Money(300, "EUR")),
        ("3 € per hour", Money(300, "EUR")),
        ("EUR 2.5", Money(250, "EUR")),
        ("$4", Money(400, "USD")),
        ("4 usd/hour", Money(400, "USD")),
        ("30 元", Money(3000, "CNY")),
        ("每小时30元", Money(3000, "CNY")),
        ("¥15", Money(1500, "CNY")),
        ("200 ₽", Money(20000, "RUB")),
        ("200 руб в час", Money(20000, "RUB")),
        ("150р", Money(15000, "RUB")),
        ("500 jpy", Money(500, "JPY")),
        ("  7  ", Money(700, "EUR")),
    ],
)
def test_prices_as_owners_type_them(text, expected):
    assert parse_price(text, default_currency="EUR") == expected


@pytest.mark.parametrize(
    "text",
    ["", "free", "three euros", "-3", "0", "0.00", "3.505", "3 or 4", "€3 $4", "3 bananas",
     "1000000", "1.5 jpy", "3/4", "1e3"],
)  # fmt: skip
def test_what_is_not_clearly_one_price_is_refused(text):
    with pytest.raises((InvalidPrice, InvalidCurrency)):
        parse_price(text, default_currency="EUR")


def test_the_default_currency_applies_when_none_is_typed():
    assert parse_price("25", default_currency="CNY") == Money(2500, "CNY")
