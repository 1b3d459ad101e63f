"""The domain's ports: what the services need from the world outside (a payment gateway, a
router, a geocoder), stated as Protocols with plain values in and out. The adapters live in
``payments/`` and in the modules that wrap a network client; tests substitute small fakes.
(The clock is a port too: ``core.clock.Clock``.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

from core.geo import GeoPoint
from core.money import Money

# --- places and routes -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Eta:
    distance_m: int
    duration_s: int
    estimated: bool  # True when computed offline rather than by a router


class Router(Protocol):
    async def eta(self, origin: GeoPoint, destination: GeoPoint) -> Eta: ...


@dataclass(frozen=True, slots=True)
class Place:
    point: GeoPoint
    address: str


class Geocoder(Protocol):
    async def locate(self, address: str, *, language: str) -> Place:
        """The place an address names; ``AddressNotFound`` or ``GeocoderUnavailable`` otherwise."""
        ...


# --- payments ----------------------------------------------------------------------------
# The one interface the booking flow uses to move money outside the platform: collect a
# booking's price, capture or release a hold, refund a driver, pay an owner out. Every call
# carries an idempotency key derived from the booking and the action, so a retry after a crash
# moves money once.


class GatewayRefused(Exception):
    """The gateway said no or could not be reached; the transfer is tried again later."""


class GatewayUnavailable(GatewayRefused):
    """The gateway could not answer now (unreachable, timed out, failing on its side or rate
    limiting): the same call may well succeed later, unlike a refusal of what was asked."""


class PayoutAccountMissing(GatewayRefused):
    """The owner has no payout account yet: their money waits until they connect one."""


@dataclass(frozen=True, slots=True)
class InvoiceCollection:
    """Collected in chat with sendInvoice and this provider token."""

    provider_token: str


@dataclass(frozen=True, slots=True)
class LinkCollection:
    """Collected on a hosted payment page; ``reference`` is the gateway's id of the page."""

    url: str
    reference: str
    # How long from now the page takes payments; None when the gateway said nothing.
    open_for: timedelta | None = None


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
    # When the booking stops waiting for this payment: a hosted page closes then, or as soon
    # after as its gateway allows.
    pay_by: datetime | None = None
    # Held on the card beyond the amount, for an overstay: taken only as far as it is used.
    hold_extra: Money | None = None
    hold_extra_description: str = ""
    # Keep the card for later charges without the payer (the months of a monthly pass).
    save_card: bool = False


@dataclass(frozen=True, slots=True)
class RefundOrder:
    amount: Money
    idempotency_key: str
    # The payment being refunded, as the gateway knows it.
    payment_reference: str
    provider_charge_id: str | None
    # A hold not taken yet: what it owes (less than the hold when it carries a buffer).
    held_owed: Money | None = None


@dataclass(frozen=True, slots=True)
class PayoutOrder:
    owner_id: int
    amount: Money
    idempotency_key: str
    destination: str | None  # the owner's payout account, when they have one
    # The booking whose share this is: ties the payout to the booking's payment at the gateway.
    booking_id: int | None = None
    # The payment's charge the payout is made from, so it does not wait for, or depend on,
    # the platform's available balance; None when the payment has no charge at this gateway.
    source_charge: str | None = None


@dataclass(frozen=True, slots=True)
class ReversalOrder:
    """Take part of a payout back from the owner's account."""

    payout_reference: str  # the gateway's id of the payout
    amount: Money
    idempotency_key: str


class PaymentGateway(Protocol):
    name: str
    # Labels every payment message: True when no real money moves.
    simulated: bool
    # Whether a later bill (an overstay) can be paid in the chat, as an invoice.
    bills_in_chat: bool

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

    async def reverse_payout(self, order: ReversalOrder) -> str:
        """Returns the gateway's id of the reversal; ``GatewayRefused`` where the gateway will
        not take the money back (the owner's account no longer has it)."""
        ...


class GatewayPaymentStatus(StrEnum):
    """Where a payment stands at its gateway, in the domain's words."""

    HELD = "held"  # authorised on the card, not taken yet
    CHARGED = "charged"  # taken
    CANCELED = "canceled"  # let go, or lapsed, before it was taken
    PENDING = "pending"  # waiting for the payer (another card, a confirmation)


@dataclass(frozen=True, slots=True)
class PaymentState:
    """What the gateway says about one payment, for webhooks that never came."""

    status: GatewayPaymentStatus
    amount: Money
    charge_id: str | None
    # When a hold lapses if it is not taken, as the card's issuer granted it; None if unknown.
    capture_before: datetime | None = None
    # What the hold carries beyond the price for an overstay, as the payment page asked.
    hold_extra: Money | None = None
    # The card, saved for later charges when the page asked to save it.
    saved_card: SavedCard | None = None


@dataclass(frozen=True, slots=True)
class SavedCard:
    """A card the gateway keeps for charges made without the payer at hand: its customer and
    payment method."""

    customer: str
    method: str


@dataclass(frozen=True, slots=True)
class SavedCardCharge:
    card: SavedCard
    amount: Money
    description: str
    payload: str
    booking_id: int
    idempotency_key: str


class PayerNeeded(GatewayRefused):
    """A charge of a saved card the bank wants the payer to confirm (3-D Secure), or
    declines: the payer must pay on a page themselves."""


@runtime_checkable
class SavedCardGateway(Protocol):
    """A gateway that charges a card saved on an earlier payment, without the payer."""

    async def charge_saved(self, order: SavedCardCharge) -> tuple[str, PaymentState]:
        """The payment's reference and state; ``PayerNeeded`` when the payer must act."""
        ...


class PayoutGateway(PaymentGateway, Protocol):
    """The gateway that pays owners out, into accounts it keeps for them: an owner opens one
    on the gateway's own onboarding page before their first payout."""

    async def create_payout_account(self, owner_id: int, *, country: str) -> str:
        """Returns the gateway's id of the new account (the same one if asked again)."""
        ...

    async def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        """A page, valid once, where the owner fills in their account; it sends them back to
        ``return_url`` when done, and to ``refresh_url`` when the link has lapsed."""
        ...


class PaymentLookup(Protocol):
    """A gateway that can be asked where a payment stands, for what a webhook did not say."""

    name: str

    async def payment_state(self, reference: str) -> PaymentState: ...


class HostedCheckoutGateway(PaymentGateway, PaymentLookup, Protocol):
    """A gateway whose payments are made on its own page and reported by webhooks, so it can
    also be asked what happened when a webhook is late."""

    async def payment_of_checkout(self, reference: str) -> str | None:
        """The payment a payment page produced; None while nobody has paid on it."""
        ...

    async def expire_checkout(self, reference: str, idempotency_key: str) -> bool:
        """Close a payment page so nobody can pay on it any more: True once it is closed (now or
        before), False if somebody already paid on it."""
        ...


class GatewayDirectory(Protocol):
    """Which gateway each recorded payment came through, and which one pays owners out."""

    @property
    def payouts(self) -> PaymentGateway | None: ...

    def of_payment(self, name: str) -> PaymentGateway:
        """The gateway a payment came through; ``GatewayRefused`` if none is configured."""
        ...
