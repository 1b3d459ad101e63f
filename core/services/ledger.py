"""The double-entry ledger: every movement of money is a transaction whose entries sum to zero.
Append-only: corrections are new transactions, balances are sums."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.clock import Clock
from core.db.models import LedgerEntry, LedgerTransaction
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, UnbalancedTransaction
from core.money import Money

# Accounts: "driver:ID" is the driver's own money outside the platform (paid in, refunded to);
# "escrow" holds it during a booking; "owner_payable:ID" and "refund_payable:ID" are what the
# platform owes until the gateway moves it; "owner_paid_out:ID" is what reached the owner;
# "chargeback:ID" is what the driver's bank took back from the platform on a disputed payment.
ESCROW = "escrow"
PLATFORM_REVENUE = "platform_revenue"
# What the platform pays towards a stay moved from an occupied spot to a dearer one.
PLATFORM_SUBSIDY = "platform_subsidy"
# The kind of transaction that moves an operator's share out of the owner's payable account
# into the operator's (``core.services.operators``).
OPERATOR_SHARE = "operator_share"


def driver_account(person_id: int) -> str:
    return f"driver:{person_id}"


def owner_payable_account(person_id: int) -> str:
    return f"owner_payable:{person_id}"


def owner_paid_out_account(person_id: int) -> str:
    return f"owner_paid_out:{person_id}"


def refund_payable_account(person_id: int) -> str:
    return f"refund_payable:{person_id}"


def moving_account(booking_id: int) -> str:
    """A booking's money on its way to the booking its stay moved to: empty once it arrived."""
    return f"moving:{booking_id}"


def chargeback_account(person_id: int) -> str:
    return f"chargeback:{person_id}"


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Money


def _check_balanced(postings: Sequence[Posting]) -> None:
    if len(postings) < 2:
        raise UnbalancedTransaction("a transaction needs at least two postings")
    currencies = {posting.amount.currency for posting in postings}
    if len(currencies) != 1:
        raise UnbalancedTransaction(f"mixed currencies {sorted(currencies)}")
    if any(posting.amount.minor == 0 for posting in postings):
        raise InvalidInput("zero posting")
    if sum(posting.amount.minor for posting in postings) != 0:
        raise UnbalancedTransaction("postings do not sum to zero")


async def post(
    uow: UnitOfWork,
    clock: Clock,
    *,
    kind: str,
    idempotency_key: str,
    postings: Sequence[Posting],
    booking_id: int | None = None,
) -> LedgerTransaction:
    """Record a movement once: posting the same ``idempotency_key`` again returns the first."""
    _check_balanced(postings)
    existing = await uow.ledger.by_idempotency_key(idempotency_key)
    if existing is not None:
        return existing
    transaction = LedgerTransaction(
        kind=kind,
        booking_id=booking_id,
        idempotency_key=idempotency_key,
        created_at=clock.now(),
    )
    uow.ledger.add(transaction)
    await uow.ledger.flush()
    uow.ledger.add_entries(
        LedgerEntry(
            transaction_id=transaction.id,
            account=posting.account,
            amount=posting.amount,
        )
        for posting in postings
    )
    await uow.ledger.flush()
    return transaction


async def balance(uow: UnitOfWork, account: str, currency: str) -> Money:
    return Money(await uow.ledger.balance(account, currency), currency)


async def unbalanced_transactions(uow: UnitOfWork) -> list[int]:
    return await uow.ledger.unbalanced_transactions()
