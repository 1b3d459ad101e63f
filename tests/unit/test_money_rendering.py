"""Amounts are integer minor units; each currency's own exponent decides the decimals shown,
in each language's conventions."""

import pytest

from bot.i18n import translator
from core.money import Money

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("en", Money(600, "EUR"), "€6.00"),
        ("en", Money(500, "JPY"), "¥500"),
        ("en", Money(3050, "CNY"), "CN¥30.50"),
        ("zh_Hans", Money(600, "EUR"), "€6.00"),
        ("zh_Hans", Money(500, "JPY"), "JP¥500"),
        ("zh_Hans", Money(3050, "CNY"), "¥30.50"),
        ("ru", Money(600, "EUR"), f"6,00{NBSP}€"),
        ("ru", Money(500, "JPY"), f"500{NBSP}¥"),
        ("ru", Money(123456, "RUB"), f"1{NBSP}234,56{NBSP}₽"),
    ],
)
def test_amounts_render_with_their_currencys_decimals_in_each_language(language, amount, shown):
    assert translator(language).money(amount) == shown
