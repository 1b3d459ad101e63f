"""The reads the money audit needs: every booking's money, summed by what it is for, in a
handful of grouped statements however many bookings there are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased

from core import free_time
from core.db.models import (
    Booking,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentStatus,
    Payout,
    PayoutReversal,
    Rating,
    Refund,
    Spot,
    SpotFreeTime,
    TransferStatus,
)
from core.db.repositories import FreeTimeInputs, _Repository, free_time_inputs
from core.db.spatial import place_key, place_units, spot_place, spot_place_ev_charger
from core.status import LIVE_BOOKING_STATUSES, BookingStatus, SpotStatus

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
    # A stay moved from an occupied spot: its money leaves one booking and arrives at the
    # next through the first one's "moving:" account, and the platform may add to it. The
    # stays of a weekly series get their money from the first one's payment the same way.
    (
        and_(
            LedgerEntry.account.like("moving:%"),
            LedgerTransaction.kind.in_(("rebooked_out", "series_out")),
        ),
        literal("moved_out"),
    ),
    (LedgerEntry.account.like("moving:%"), literal("moved_in")),
    (LedgerEntry.account == "platform_subsidy", literal("covered")),
    else_=literal("other"),
)


class AuditReads(_Repository):
    async def money_on_the_way(self) -> list[tuple[str, str, int]]:
        """(account, currency, sum) of every "moving:" account that does not sum to zero: money
        that left a booking for the one its stay moved to and never arrived."""
        rows = await self.session.execute(
            select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
            .where(LedgerEntry.account.like("moving:%"))
            .group_by(LedgerEntry.account, LedgerEntry.currency)
            .having(func.sum(LedgerEntry.amount_minor) != 0)
        )
        return [(account, currency, int(total)) for account, currency, total in rows]

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

    async def rating_totals_astray(self) -> list[tuple[int, int, int, int, int]]:
        """(spot, count, star sum) as its row holds them, then as its ratings make them, for
        each spot whose two differ."""
        counted = (
            select(
                Rating.spot_id,
                func.count().label("count"),
                func.sum(Rating.stars).label("stars"),
            )
            .where(Rating.spot_id.is_not(None))
            .group_by(Rating.spot_id)
            .subquery()
        )
        count, stars = func.coalesce(counted.c.count, 0), func.coalesce(counted.c.stars, 0)
        rows = await self.session.execute(
            select(Spot.id, Spot.rating_count, Spot.rating_star_sum, count, stars)
            .outerjoin(counted, counted.c.spot_id == Spot.id)
            .where((Spot.rating_count != count) | (Spot.rating_star_sum != stars))
            .order_by(Spot.id)
        )
        return [tuple(row) for row in rows]

    def keys_places(self) -> bool:
        """Whether the store's spatial index is SQLite's, keyed by ``place_key``."""
        return self.session.get_bind().dialect.name == "sqlite"

    async def place_keys(self, *, after_id: int, limit: int) -> list[KeyedPlace]:
        """The next ``limit`` approved spots after ``after_id`` (ids ascending), each with the
        key and place its row gives it in the spatial index."""
        rows = await self.session.execute(
            select(Spot.id, Spot.free_week_slots, Spot.ev_charger, Spot.covered,
                   Spot.max_vehicle_size, Spot.lat, Spot.lon)
            .where(Spot.status == SpotStatus.APPROVED, Spot.id > after_id)
            .order_by(Spot.id)
            .limit(limit)
        )  # fmt: skip
        return [
            KeyedPlace(
                spot_id,
                place_key(spot_id, slots, ev_charger=ev, covered=covered, size=size),
                place_units(lat),
                place_units(lon),
            )
            for spot_id, slots, ev, covered, size, lat, lon in rows
        ]

    async def indexed_places(
        self, keys: list[int], *, charger: bool = False
    ) -> dict[int, tuple[int, ...]]:
        """Of ``keys``, those in the spatial index (of spots with a charger alone, if
        ``charger``), each with its box (its lat twice, then its lon twice, in the index's
        units)."""
        places = spot_place_ev_charger if charger else spot_place
        rows = await self.session.execute(select(places).where(places.c.key.in_(keys)))
        return {key: tuple(box) for key, *box in rows}

    async def indexed_place_count(self, *, charger: bool = False) -> int:
        places = spot_place_ev_charger if charger else spot_place
        return await self.session.scalar(select(func.count()).select_from(places)) or 0

    async def spots_free_time(self, *, after_id: int, limit: int) -> list[SpotsFreeTime]:
        """The next ``limit`` spots after ``after_id`` (ids ascending), each with its stored free
        time and what it is made of over the stored span, read afresh."""
        zones = {
            spot_id: zone
            for spot_id, zone in await self.session.execute(
                select(Spot.id, Spot.timezone)
                .where(Spot.id > after_id)
                .order_by(Spot.id)
                .limit(limit)
            )
        }
        if not zones:
            return []
        # The slots in the free time's own statement: both as one commit left them.
        stored = {
            row.spot_id: (row.written_from, row.written_until, list(row.free), slots)
            for row, slots in await self.session.execute(
                select(SpotFreeTime, Spot.free_week_slots)
                .join(Spot, Spot.id == SpotFreeTime.spot_id)
                .where(SpotFreeTime.spot_id.in_(list(zones)))
                .execution_options(populate_existing=True)
            )
        }
        inputs = (
            await free_time_inputs(
                self.session,
                list(stored),
                free_time.instant(min(first for first, *_rest in stored.values())),
                free_time.instant(max(last for _first, last, *_rest in stored.values())),
            )
            if stored
            else {}
        )
        return [
            SpotsFreeTime(spot_id, zone, stored.get(spot_id), inputs.get(spot_id))
            for spot_id, zone in zones.items()
        ]


class KeyedPlace(NamedTuple):
    spot_id: int
    key: int
    lat_units: int
    lon_units: int


@dataclass(frozen=True, slots=True)
class SpotsFreeTime:
    """A spot's stored free time, (written_from, written_until, free, the week's slots the spot's
    row says it falls in), beside what it is made of; both None when nothing is written."""

    spot_id: int
    timezone: str
    stored: tuple[int, int, list[tuple[int, int]], int] | None
    made_of: FreeTimeInputs | None
