"""Telegram's invoice amounts: integers in the currency's smallest unit, the same exponent
(``exp`` in Telegram's currencies.json) that ISO 4217 and our ``Money`` use."""

from __future__ import annotations

from core.money import Money
from core.ports import (
    Collection,
    CollectOrder,
    GatewayRefused,
    InvoiceCollection,
    PaymentGateway,
    PayoutAccountMissing,
    PayoutOrder,
    RefundOrder,
)

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


class TelegramInvoiceGateway:
    """Paid in chat through Telegram's own Stripe connection: the card is charged at once, so
    the money waits in escrow in our ledger; refunds go through Stripe's Refund API with the
    provider's charge id, when a Stripe key is configured."""

    name = "telegram"
    simulated = False

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
