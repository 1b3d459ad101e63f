"""The one interface the booking flow uses to move money outside the platform: collect a
booking's price, capture or release a hold, refund a driver, pay an owner out. Every call
carries an idempotency key derived from the booking and the action, so a retry after a crash
moves money once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.money import Money


class GatewayRefused(Exception):
    """The gateway said no or could not be reached; the transfer is tried again later."""


class PayoutAccountMissing(GatewayRefused):
    """The owner has no payout account yet: their money waits until they connect one."""


@dataclass(frozen=True, slots=True)
class InvoiceCollection:
    """Collected in chat with sendInvoice and this provider token."""

    provider_token: str


@dataclass(frozen=True, slots=True)
class LinkCollection:
    """Collected on a hosted payment page; ``reference`` is the gateway's id of the hold."""

    url: str
    reference: str


Collection = InvoiceCollection | LinkCollection


@dataclass(frozen=True, slots=True)
class CollectOrder:
    booking_id: int
    amount: Money
    description: str
    payload: str
    idempotency_key: str
    # Hold the money on the card and take it when the stay ends; False charges at once (a
    # card hold lasts about 7 days, so a stay further ahead is charged and kept in escrow).
    hold: bool = True
    # Where the hosted payment page sends the driver back to (the bot's chat).
    return_url: str = ""


@dataclass(frozen=True, slots=True)
class RefundOrder:
    amount: Money
    idempotency_key: str
    # The payment being refunded, as the gateway knows it.
    payment_reference: str
    provider_charge_id: str | None


@dataclass(frozen=True, slots=True)
class PayoutOrder:
    owner_id: int
    amount: Money
    idempotency_key: str
    destination: str | None  # the owner's payout account, when they have one


class PaymentGateway(Protocol):
    name: str
    # Labels every payment message: True when no real money moves.
    simulated: bool

    async def collect(self, order: CollectOrder) -> Collection: ...

    async def capture(self, reference: str, amount: Money, idempotency_key: str) -> None:
        """Take a held amount (or part of it); a no-op where money is taken at once."""
        ...

    async def release(self, reference: str, idempotency_key: str) -> None:
        """Let a hold go without taking anything."""
        ...

    async def refund(self, order: RefundOrder) -> str:
        """Returns the gateway's id of the refund."""
        ...

    async def pay_out(self, order: PayoutOrder) -> str:
        """Returns the gateway's id of the transfer."""
        ...
