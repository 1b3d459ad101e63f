"""Telegram's invoice amounts: integers in the currency's smallest unit, the same exponent
(``exp`` in Telegram's currencies.json) that ISO 4217 and our ``Money`` use."""

from __future__ import annotations

from core.money import Money

# Telegram's limits on sendInvoice fields.
TITLE_MAX = 32
DESCRIPTION_MAX = 255
PAYLOAD_MAX_BYTES = 128


def to_telegram_amount(amount: Money) -> int:
    return amount.minor


def from_telegram_amount(total_amount: int, currency: str) -> Money:
    return Money(total_amount, currency)


def fit(text: str, limit: int) -> str:
    """Shorten to Telegram's limit with an ellipsis rather than have the call refused."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
