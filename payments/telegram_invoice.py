"""Paying in chat with Telegram's invoices, and Telegram's own rules for their amounts.

The price in ``sendInvoice`` and the ``total_amount`` of a pre-checkout query or a successful
payment count units of 10**-exp of the currency, with Telegram's ``exp``, which is not always
the CLDR exponent that ``Money`` follows: Telegram counts hundredths of a forint, a rupiah or a
Colombian peso (AFN, ALL, COP, HUF, IDR, LBP and YER, against Babel 2.19), where CLDR has none.
Telegram takes a price only in a currency its table lists and only between that currency's
``min_amount`` and ``max_amount`` (about 1 and 10,000 US dollars at its exchange rates).

``telegram_currencies.json`` is that table cut to ``code``, ``exp``, ``min_amount`` and
``max_amount`` (in Telegram's units): https://core.telegram.org/bots/payments/currencies.json as
github.com/MarshalX/telegram-crawler captured it (data/web/blogfork.telegram.org/bots/payments/
currencies.json at commit d0c19d16f3be), from late 2022 going by its exchange rates. Copied on
2026-12-03 without network access, it was the newest copy to be found: Telegram has since added
BYN and ETB, which are refused here, and its limits move with exchange rates. Refresh the file
from that address now and then, keeping the four fields."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from core.money import Money, minor_digits
from core.ports import (
    Collection,
    CollectOrder,
    GatewayRefused,
    InvoiceCollection,
    PaymentGateway,
    PayoutAccountMissing,
    PayoutOrder,
    RefundOrder,
    ReversalOrder,
)

# Telegram's limits on sendInvoice fields.
TITLE_MAX = 32
DESCRIPTION_MAX = 255
PAYLOAD_MAX_BYTES = 128
# Telegram's currency table, described above.
TABLE_FILE = "telegram_currencies.json"


class TelegramAmountRefused(GatewayRefused):
    """An amount Telegram's invoices cannot carry: a currency its table does not list, or a
    fraction of the unit on the other side. Refused rather than rounded."""


class PriceOutsideTelegramLimits(TelegramAmountRefused):
    """Telegram takes a price in ``currency`` only from ``lowest`` to ``highest``: sent anyway,
    sendInvoice fails with CURRENCY_TOTAL_AMOUNT_INVALID after the driver pressed Pay."""

    def __init__(self, price: Money, lowest: Money, highest: Money) -> None:
        super().__init__(
            f"Telegram takes {price.currency} prices from {lowest.to_decimal()} to "
            f"{highest.to_decimal()}, not {price.to_decimal()}"
        )
        self.price = price
        self.lowest = lowest
        self.highest = highest


@dataclass(frozen=True, slots=True)
class TelegramCurrency:
    code: str
    exp: int
    # The cheapest and dearest price Telegram accepts, in its units (10**-exp).
    min_amount: int
    max_amount: int


@cache
def telegram_currencies() -> dict[str, TelegramCurrency]:
    table = json.loads(files("payments").joinpath(TABLE_FILE).read_text(encoding="utf-8"))
    return {
        code: TelegramCurrency(
            code, int(entry["exp"]), int(entry["min_amount"]), int(entry["max_amount"])
        )
        for code, entry in table.items()
    }


def telegram_currency(currency: str) -> TelegramCurrency:
    try:
        return telegram_currencies()[currency.upper()]
    except KeyError:
        raise TelegramAmountRefused(f"Telegram's invoices do not take {currency}") from None


def telegram_refuses_currency(currency: str) -> str | None:
    """Why Telegram's invoices cannot be paid in ``currency``, or None when they can."""
    if currency.upper() in telegram_currencies():
        return None
    return f"Telegram's payments do not take {currency} (see payments/{TABLE_FILE})"


def _rescale(value: int, shift: int) -> int | None:
    """``value`` times 10**shift, or None when that leaves a fraction."""
    unit: int = 10 ** abs(shift)  # int ** int is typed Any: the exponent could be negative
    if shift >= 0:
        return value * unit
    whole, rest = divmod(value, unit)
    return None if rest else whole


def to_telegram_amount(amount: Money) -> int:
    """A price as sendInvoice takes it; refused outside Telegram's limits for the currency."""
    currency = telegram_currency(amount.currency)
    value = _rescale(amount.minor, currency.exp - minor_digits(amount.currency))
    if value is None:
        raise TelegramAmountRefused(
            f"{amount.to_decimal()} {amount.currency} is finer than Telegram's unit for it"
        )
    if not currency.min_amount <= value <= currency.max_amount:
        raise PriceOutsideTelegramLimits(
            amount,
            lowest=_limit_as_money(currency.min_amount, currency, amount.currency, up=True),
            highest=_limit_as_money(currency.max_amount, currency, amount.currency, up=False),
        )
    return value


def from_telegram_amount(total_amount: int, currency: str) -> Money:
    """What Telegram charged, as ``Money``: never rounded, and not held to today's limits."""
    known = telegram_currency(currency)
    minor = _rescale(total_amount, minor_digits(known.code) - known.exp)
    if minor is None:
        raise TelegramAmountRefused(
            f"Telegram's amount {total_amount} {known.code} has a fraction of a minor unit"
        )
    return Money(minor, known.code)


def _limit_as_money(value: int, currency: TelegramCurrency, code: str, *, up: bool) -> Money:
    """One of Telegram's limits in ``Money``'s units, rounded inwards (the lowest up, the
    highest down) where they are coarser, so that it is a price Telegram takes."""
    shift = minor_digits(code) - currency.exp
    if shift >= 0:
        return Money(value * 10**shift, code)
    unit = 10**-shift
    return Money(-(-value // unit) if up else value // unit, code)


def fit(text: str, limit: int) -> str:
    """Shorten to Telegram's limit with an ellipsis rather than have the call refused."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TelegramInvoiceGateway:
    """Paid in chat through Telegram's own Stripe connection: the card is charged at once, so
    the money waits in escrow in our ledger; refunds go through Stripe's Refund API with the
    provider's charge id, when a Stripe key is configured."""

    name = "telegram"
    simulated = False
    bills_in_chat = True

    def __init__(self, provider_token: str, refunds: PaymentGateway | None) -> None:
        self._provider_token = provider_token
        self._refunds = refunds

    async def collect(self, order: CollectOrder) -> Collection:
        return InvoiceCollection(self._provider_token)

    async def capture(self, reference: str, amount: Money, idempotency_key: str) -> None:
        return None  # charged when paid

    async def release(self, reference: str, idempotency_key: str) -> None:
        return None  # nothing held: a cancellation is a refund

    async def refund(self, order: RefundOrder) -> str:
        if self._refunds is None or not order.provider_charge_id:
            raise GatewayRefused("refunding a Telegram payment needs PARKSHARE_STRIPE_SECRET_KEY")
        return await self._refunds.refund(
            RefundOrder(order.amount, order.idempotency_key, order.provider_charge_id, None)
        )

    async def pay_out(self, order: PayoutOrder) -> str:
        if self._refunds is None:
            raise PayoutAccountMissing("payouts need PARKSHARE_STRIPE_SECRET_KEY")
        return await self._refunds.pay_out(order)

    async def reverse_payout(self, order: ReversalOrder) -> str:
        if self._refunds is None:
            raise GatewayRefused("reversing a payout needs PARKSHARE_STRIPE_SECRET_KEY")
        return await self._refunds.reverse_payout(order)


if TYPE_CHECKING:  # the port this adapter is, checked where it is defined
    _gateway: type[PaymentGateway] = TelegramInvoiceGateway
