"""What the marketplace earns and pays: an owner's earnings, and the managers' revenue report,
both read from the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.db.uow import UnitOfWork
from core.money import Money
from core.services import ledger
from core.services.ledger import (
    ESCROW,
    OPERATOR_SHARE,
    PLATFORM_REVENUE,
    PLATFORM_SUBSIDY,
    owner_paid_out_account,
    owner_payable_account,
)


def totals(rows: Iterable[tuple[datetime, str, int]]) -> list[Money]:
    sums: dict[str, int] = defaultdict(int)
    for _when, currency, amount in rows:
        sums[currency] += amount
    return [Money(amount, currency) for currency, amount in sorted(sums.items())]


@dataclass(frozen=True, slots=True)
class MonthEarnings:
    month: date  # its first day
    amounts: list[Money]


@dataclass(frozen=True, slots=True)
class Earnings:
    # Earned from completed stays and not yet paid out.
    pending: list[Money]
    # Refunded to drivers after the share had left; taken from the next payouts.
    owed_back: list[Money]
    paid_out: list[Money]  # less what was taken back from the owner's account
    by_month: list[MonthEarnings]  # newest first, net of refunds decided after the stay
    # Paid to the operator who manages the spots, out of the owner's share (already taken
    # from the amounts above).
    to_operator: list[Money]


async def earnings(uow: UnitOfWork, owner_id: int, *, months: int = 6) -> Earnings:
    payable = owner_payable_account(owner_id)
    # Everything on the payable account but the payouts themselves (and what was taken back
    # of them): what the stays earned.
    earned = await uow.ledger.movements(payable, except_kinds=("payout", "payout_reversal"))
    paid = await uow.ledger.movements(owner_paid_out_account(owner_id))
    # An operator's own share, credited to the same account, is an earning; given away, not.
    given = await uow.ledger.movements(payable, only_kinds=(OPERATOR_SHARE,))
    by_month: dict[date, list[tuple[datetime, str, int]]] = defaultdict(list)
    for row in earned:
        by_month[row[0].date().replace(day=1)].append(row)
    balances = [await ledger.balance(uow, payable, money.currency) for money in totals(earned)]
    return Earnings(
        pending=[money for money in balances if money.minor > 0],
        owed_back=[-money for money in balances if money.minor < 0],
        paid_out=totals(paid),
        by_month=[
            MonthEarnings(month, totals(rows))
            for month, rows in sorted(by_month.items(), reverse=True)[:months]
        ],
        to_operator=[-money for money in totals(row for row in given if row[2] < 0)],
    )


@dataclass(frozen=True, slots=True)
class Report:
    since: datetime
    until: datetime
    gross: list[Money]  # paid by drivers
    commission: list[Money]
    refunds: list[Money]  # owed back to drivers
    payouts: list[Money]  # reached owners
    # Paid by the platform towards stays moved from occupied spots to dearer ones, less what
    # came back when such a stay was refunded.
    covered: list[Money]
    disputes: int
    listed_spots: int
    booked_spots: int
    booked_hours: float
    # Booked spot-hours over listed spot-hours in the period, 0-1.
    occupancy: float


async def report(uow: UnitOfWork, *, since: datetime, until: datetime) -> Report:
    stays = await uow.bookings.stays_overlapping(since, until)
    booked = timedelta()
    for _spot, start, end in stays:
        booked += min(end, until) - max(start, since)
    listed = await uow.spots.count_listed()
    hours = booked.total_seconds() / 3600
    period_hours = (until - since).total_seconds() / 3600
    return Report(
        since=since,
        until=until,
        # A stay moved from an occupied spot, or a weekly series' stay paid with the first one,
        # brings the same money into escrow a second time.
        gross=totals(
            await uow.ledger.credits(
                account=ESCROW, since=since, except_kinds=("rebooked_in", "series_in")
            )
        ),
        commission=totals(await uow.ledger.credits(account=PLATFORM_REVENUE, since=since)),
        refunds=totals(await uow.ledger.credits(account_prefix="refund_payable:", since=since)),
        payouts=totals(await uow.ledger.credits(account_prefix="owner_paid_out:", since=since)),
        covered=[
            -money
            for money in totals(await uow.ledger.movements(PLATFORM_SUBSIDY, since=since))
            if money.minor
        ],
        disputes=await uow.payments.disputes_since(since),
        listed_spots=listed,
        booked_spots=len({spot for spot, _start, _end in stays}),
        booked_hours=hours,
        occupancy=min(1.0, hours / (listed * period_hours)) if listed and period_hours else 0.0,
    )


@dataclass(frozen=True, slots=True)
class LedgerHealth:
    transactions: int
    entries: int
    unbalanced: list[int]
    negative_escrow: list[Money]

    @property
    def healthy(self) -> bool:
        return not self.unbalanced and not self.negative_escrow


async def check_ledger(uow: UnitOfWork) -> LedgerHealth:
    """Every transaction sums to zero, and escrow never holds less than nothing."""
    transactions, entries = await uow.ledger.counts()
    return LedgerHealth(
        transactions=transactions,
        entries=entries,
        unbalanced=await uow.ledger.unbalanced_transactions(),
        negative_escrow=[Money(amount, currency) for currency, amount in
                         await uow.ledger.negative_escrow()],
    )  # fmt: skip
