"""Prices as owners type them: "3", "3.50", "3,50", "€3/h", "30 元", "200 ₽", "USD 4"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.errors import InvalidPrice
from core.money import Money

CURRENCY_WORDS = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "евро": "EUR", "欧元": "EUR",
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "美元": "USD",
    "£": "GBP", "gbp": "GBP",
    "¥": "CNY", "元": "CNY", "块": "CNY", "rmb": "CNY", "cny": "CNY", "人民币": "CNY",
    "jpy": "JPY", "円": "JPY", "yen": "JPY",
    "₽": "RUB", "руб": "RUB", "рублей": "RUB", "рубля": "RUB", "рубль": "RUB", "р": "RUB",
    "rub": "RUB",
}  # fmt: skip
# Words around a price that say "per hour"/"per day"; they carry no amount.
PER_HOUR = re.compile(
    r"(/\s*(h|hr|hour|ч|час)\b|per hour|an hour|в час|за час|每小时|一小时|/小时)"
)
PER_DAY = re.compile(r"(/\s*(d|day|день|сутки)\b|per day|a day|в день|за сутки|每天|一天|/天)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# An hourly price above this is almost surely a typo (an amount in minor units, say).
MAX_MAJOR_AMOUNT = Decimal(100_000)


def parse_price(text: str, *, default_currency: str) -> Money:
    """The amount and currency an owner typed. Anything ambiguous raises ``InvalidPrice``:
    several numbers, a negative sign, more decimals than the currency has."""
    cleaned = PER_DAY.sub(" ", PER_HOUR.sub(" ", text.strip().lower()))
    if "-" in cleaned or "−" in cleaned:
        raise InvalidPrice(text)
    numbers = NUMBER.findall(cleaned)
    if len(numbers) != 1:
        raise InvalidPrice(text)
    rest = NUMBER.sub(" ", cleaned)
    words = [w for w in re.split(r"[\s.,/]+|(?<=[€$£¥₽元块円])|(?=[€$£¥₽元块円])", rest) if w]
    currencies = set()
    for word in words:
        code = CURRENCY_WORDS.get(word) or (
            word.upper() if re.fullmatch(r"[a-z]{3}", word) else None
        )
        if code is None:
            raise InvalidPrice(text)
        currencies.add(code)
    if len(currencies) > 1:
        raise InvalidPrice(text)
    currency = currencies.pop() if currencies else default_currency
    try:
        amount = Decimal(numbers[0].replace(",", "."))
    except InvalidOperation:
        raise InvalidPrice(text) from None
    if amount <= 0 or amount > MAX_MAJOR_AMOUNT:
        raise InvalidPrice(text)
    return Money.from_decimal(amount, currency)
