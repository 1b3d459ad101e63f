"""The reads the money audit needs: every booking's money, summed by what it is for, in a
handful of grouped statements however many bookings there are."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased

from core.availability import Interval, WeeklyRule
from core.db.models import (
    AvailabilityRule,
    AvailabilityWindow,
    Booking,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentStatus,
    Payout,
    PayoutReversal,
    Refund,
    Spot,
    SpotFreeTime,
    TransferStatus,
)
from core.db.repositories import _Repository
from core.status import LIVE_BOOKING_STATUSES, BookingStatus

# What each ledger account means for a booking's money. A refund decided is owed on
# refund_payable, and moves to the driver's own account once sent; both count as refunded, and
# so does what the driver's bank took back on a chargeback (it went back to the driver).
_PURPOSE = case(
    (LedgerEntry.account == "escrow", literal("held")),
    (LedgerEntry.account == "platform_revenue", literal("commission")),
    (LedgerEntry.account.like("owner\\_%", escape="\\"), literal("owner")),
    (LedgerEntry.account.like("refund\\_payable:%", escape="\\"), literal("refunded")),
    (LedgerEntry.account.like("chargeback:%"), literal("refunded")),
    (
        and_(LedgerEntry.account.like("driver:%"), LedgerTransaction.kind == "payment"),
        literal("paid"),
    ),
    (LedgerEntry.account.like("driver:%"), literal("refunded")),
    else_=literal("other"),
)


class AuditReads(_Repository):
    async def bookings(self) -> list[tuple[int, BookingStatus, str, int]]:
        """(id, status, currency, owner) of every booking."""
        rows = await self.session.execute(
            select(Booking.id, Booking.status, Booking.currency, Spot.owner_id).join(
                Spot, Spot.id == Booking.spot_id
            )
        )
        return [(booking, status, currency, owner) for booking, status, currency, owner in rows]

    async def ledger_by_purpose(self) -> list[tuple[int, str, str, int]]:
        """(booking, currency, purpose, sum) of every ledger entry tied to a booking."""
        purpose = _PURPOSE.label("purpose")
        rows = await self.session.execute(
            select(
                LedgerTransaction.booking_id,
                LedgerEntry.currency,
                purpose,
                func.sum(LedgerEntry.amount_minor),
            )
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.booking_id.is_not(None))
            .group_by(LedgerTransaction.booking_id, LedgerEntry.currency, purpose)
        )
        return [(booking, currency, kind, int(total)) for booking, currency, kind, total in rows]

    async def payments(self) -> list[tuple[int, int, str, int, PaymentStatus]]:
        """(payment, booking, currency, amount, status) of every payment."""
        rows = await self.session.execute(
            select(
                Payment.id, Payment.booking_id, Payment.currency, Payment.amount_minor,
                Payment.status,
            )
        )  # fmt: skip
        return [
            (payment, booking, currency, amount, status)
            for payment, booking, currency, amount, status in rows
        ]

    async def refunds_by_payment(self) -> dict[int, int]:
        rows = await self.session.execute(
            select(Refund.payment_id, func.sum(Refund.amount_minor)).group_by(Refund.payment_id)
        )
        return {payment: int(total) for payment, total in rows}

    async def waiting_payouts_by_owner(self) -> list[tuple[int, str, int, int]]:
        """(owner, currency, due, sending): payouts not yet recorded as sent, by whether they
        were handed to the gateway."""
        sending = Payout.status == TransferStatus.SENDING
        rows = await self.session.execute(
            select(
                Payout.owner_id,
                Payout.currency,
                func.sum(case((sending, 0), else_=Payout.amount_minor)),
                func.sum(case((sending, Payout.amount_minor), else_=0)),
            )
            .where(Payout.status.in_((TransferStatus.DUE, TransferStatus.SENDING)))
            .group_by(Payout.owner_id, Payout.currency)
        )
        return [(owner, cur, int(due), int(out)) for owner, cur, due, out in rows]

    async def reversals_due_by_owner(self) -> dict[tuple[int, str], int]:
        """(owner, currency) -> what the reversals of their payouts still to be made add up to."""
        rows = await self.session.execute(
            select(
                PayoutReversal.owner_id, PayoutReversal.currency,
                func.sum(PayoutReversal.amount_minor),
            )
            .where(PayoutReversal.status == TransferStatus.DUE)
            .group_by(PayoutReversal.owner_id, PayoutReversal.currency)
        )  # fmt: skip
        return {(owner, currency): int(total) for owner, currency, total in rows}

    async def owner_payable_balances(self) -> dict[tuple[str, str], int]:
        """(account, currency) -> balance of every owner_payable account."""
        rows = await self.session.execute(
            select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
            .where(LedgerEntry.account.like("owner\\_payable:%", escape="\\"))
            .group_by(LedgerEntry.account, LedgerEntry.currency)
        )
        return {(account, currency): int(total) for account, currency, total in rows}

    async def overlapping_live_bookings(self) -> list[tuple[int, int, int]]:
        """(spot, booking, other booking) for each two live bookings of a spot that overlap."""
        other = aliased(Booking)
        live = tuple(LIVE_BOOKING_STATUSES)
        rows = await self.session.execute(
            select(Booking.spot_id, Booking.id, other.id).join(
                other,
                and_(
                    other.spot_id == Booking.spot_id,
                    other.id > Booking.id,
                    other.start_at < Booking.end_at,
                    Booking.start_at < other.end_at,
                    other.status.in_(live),
                ),
            ).where(Booking.status.in_(live))
        )  # fmt: skip
        return [(spot, booking, other_booking) for spot, booking, other_booking in rows]

    async def spots_free_time(self, *, after_id: int, limit: int) -> list[SpotsFreeTime]:
        """The next ``limit`` spots after ``after_id`` (ids ascending), each with its stored free
        time and everything it is made of, read afresh: every rule, window and live booking."""
        spots = {
            spot_id: SpotsFreeTime(spot_id, zone)
            for spot_id, zone in await self.session.execute(
                select(Spot.id, Spot.timezone)
                .where(Spot.id > after_id)
                .order_by(Spot.id)
                .limit(limit)
            )
        }
        if not spots:
            return []
        ids = list(spots)
        for row in await self.session.scalars(
            select(SpotFreeTime)
            .where(SpotFreeTime.spot_id.in_(ids))
            .execution_options(populate_existing=True)
        ):
            spots[row.spot_id].stored = (row.written_from, row.written_until, list(row.free))
        for spot_id, weekday, first, last in await self.session.execute(
            select(
                AvailabilityRule.spot_id, AvailabilityRule.weekday,
                AvailabilityRule.start_minute, AvailabilityRule.end_minute,
            ).where(AvailabilityRule.spot_id.in_(ids))
        ):  # fmt: skip
            spots[spot_id].rules.append(WeeklyRule(weekday, first, last))
        for spot_id, opens, closes, blocked in await self.session.execute(
            select(
                AvailabilityWindow.spot_id, AvailabilityWindow.start_at,
                AvailabilityWindow.end_at, AvailabilityWindow.blocked,
            ).where(AvailabilityWindow.spot_id.in_(ids))
        ):  # fmt: skip
            spot = spots[spot_id]
            (spot.blocks if blocked else spot.openings).append(Interval(opens, closes))
        for spot_id, held_from, held_until in await self.session.execute(
            select(Booking.spot_id, Booking.start_at, Booking.end_at).where(
                Booking.spot_id.in_(ids), Booking.status.in_(tuple(LIVE_BOOKING_STATUSES))
            )
        ):
            spots[spot_id].held.append(Interval(held_from, held_until))
        return list(spots.values())


@dataclass
class SpotsFreeTime:
    """A spot's stored free time, (written_from, written_until, free) or None when nothing is
    written, beside what it is computed from."""

    spot_id: int
    timezone: str
    stored: tuple[int, int, list[tuple[int, int]]] | None = None
    rules: list[WeeklyRule] = field(default_factory=list)
    openings: list[Interval] = field(default_factory=list)
    blocks: list[Interval] = field(default_factory=list)
    held: list[Interval] = field(default_factory=list)
