import pytest

from core.errors import InvalidInput, UnbalancedTransaction
from core.money import Money
from core.services import ledger
from core.services.ledger import ESCROW, Posting, driver_account


def payment(minor: int, currency: str = "EUR") -> list[Posting]:
    return [
        Posting(driver_account(1), Money(-minor, currency)),
        Posting(ESCROW, Money(minor, currency)),
    ]


async def test_a_balanced_transaction_moves_money_between_accounts(db, clock):
    async with db.unit_of_work() as uow:
        await ledger.post(uow, clock, kind="payment", idempotency_key="t1", postings=payment(600))
        assert await ledger.balance(uow, ESCROW, "EUR") == Money(600, "EUR")
        assert await ledger.balance(uow, driver_account(1), "EUR") == Money(-600, "EUR")
        assert await ledger.unbalanced_transactions(uow) == []


async def test_the_same_idempotency_key_moves_money_once(db, clock):
    async with db.unit_of_work() as uow:
        first = await ledger.post(
            uow, clock, kind="payment", idempotency_key="k", postings=payment(5)
        )
        again = await ledger.post(
            uow, clock, kind="payment", idempotency_key="k", postings=payment(5)
        )
        assert again.id == first.id
        assert await ledger.balance(uow, ESCROW, "EUR") == Money(5, "EUR")


@pytest.mark.parametrize(
    "postings",
    [
        [Posting(ESCROW, Money(100, "EUR")), Posting("driver:1", Money(-99, "EUR"))],
        [Posting(ESCROW, Money(100, "EUR")), Posting("driver:1", Money(-100, "JPY"))],
        [Posting(ESCROW, Money(100, "EUR"))],
    ],
)
async def test_an_unbalanced_transaction_is_refused(db, clock, postings):
    async with db.unit_of_work() as uow:
        with pytest.raises(UnbalancedTransaction):
            await ledger.post(uow, clock, kind="x", idempotency_key="bad", postings=postings)


async def test_a_zero_posting_is_refused(db, clock):
    postings = [*payment(0)]
    async with db.unit_of_work() as uow:
        with pytest.raises(InvalidInput):
            await ledger.post(uow, clock, kind="x", idempotency_key="zero", postings=postings)
