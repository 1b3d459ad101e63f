"""Money as integer minor units plus an ISO 4217 code; never a float."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import get_currency_precision

from core.errors import InvalidCurrency, InvalidPrice


def minor_digits(currency: str) -> int:
    """Decimal places of a currency's minor unit (JPY 0, EUR 2, ...), per CLDR."""
    return get_currency_precision(currency)


def _check_currency(currency: str) -> str:
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise InvalidCurrency(currency)
    return currency.upper()


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise InvalidPrice(f"minor units must be an int, got {type(self.minor).__name__}")
        object.__setattr__(self, "currency", _check_currency(self.currency))

    @classmethod
    def of_row(cls, row: Any, amount: str) -> Money:
        """An amount in a row read as plain columns (a query's result rather than a model,
        which has it as ``Money`` already): ``<amount>_minor`` beside ``currency``."""
        return cls(getattr(row, f"{amount}_minor"), row.currency)

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def listed(cls, minor: int, currency: str) -> Money:
        """A price as spots list it, made once and shared (amounts never change): a search
        shows a few hundred of a city's prices over and over."""
        return cls(minor, currency)

    @classmethod
    def optional(cls, minor: int | None, currency: str | None) -> Money | None:
        """An amount that may be absent (a nullable column, a draft not filled in yet): None
        when there is no amount or no currency for it."""
        if minor is None or not currency:
            return None
        return cls(minor, currency)

    @classmethod
    def from_decimal(cls, amount: Decimal | str, currency: str) -> Money:
        """Parse a major-unit amount such as ``Decimal("3.50")``; rejects sub-minor precision."""
        currency = _check_currency(currency)
        value = Decimal(amount)
        if not value.is_finite():
            raise InvalidPrice(str(amount))
        scaled = value.scaleb(minor_digits(currency))
        if scaled != scaled.to_integral_value():
            raise InvalidPrice(str(amount))
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-minor_digits(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidCurrency(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def share(self, basis_points: int) -> Money:
        """A part of this amount in basis points (1/100 of a percent), rounded half up."""
        value = (Decimal(self.minor) * basis_points / 10_000).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        return Money(int(value), self.currency)

    def is_negative(self) -> bool:
        return self.minor < 0
