"""Payments in the sandbox: the sandbox's own payment form stands in for Telegram's and every
refund and payout succeeds at once. No keys, no real money."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from core.money import Money
from core.ports import (
    Collection,
    CollectOrder,
    InvoiceCollection,
    PayoutGateway,
    PayoutOrder,
    RefundOrder,
    ReversalOrder,
)

PROVIDER_TOKEN = "sandbox"


def _reference(prefix: str, key: str) -> str:
    # The same key gives the same id, as a real gateway's idempotency would.
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:20]}"


class SandboxGateway:
    name = "sandbox"
    simulated = True
    bills_in_chat = True

    async def collect(self, order: CollectOrder) -> Collection:
        return InvoiceCollection(PROVIDER_TOKEN)

    async def capture(self, reference: str, amount: Money, idempotency_key: str) -> None:
        return None

    async def release(self, reference: str, idempotency_key: str) -> None:
        return None

    async def refund(self, order: RefundOrder) -> str:
        return _reference("sbx_re", order.idempotency_key)

    async def pay_out(self, order: PayoutOrder) -> str:
        return _reference("sbx_tr", order.idempotency_key)

    async def reverse_payout(self, order: ReversalOrder) -> str:
        return _reference("sbx_trr", order.idempotency_key)

    # Owners have nothing to set up in the sandbox: every owner can be paid out at once.
    async def create_payout_account(self, owner_id: int, *, country: str) -> str:
        return _reference("sbx_acct", f"owner:{owner_id}")

    async def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        return return_url


if TYPE_CHECKING:  # the port this adapter is, checked where it is defined
    _payouts: type[PayoutGateway] = SandboxGateway
