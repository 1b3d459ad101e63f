"""What must hold between every booking's state and its money, checked against the store.

The ledger can balance while a booking's money is wrong (paid and expired, money still held),
so the audit checks each booking: what escrow holds for it against its status, that what was
paid went somewhere, that refunds and payouts stay within what is owed, and that no two live
bookings of a spot overlap. It names every booking that breaks a rule. Beside the money, each
spot's stored free time must be what its hours, one-off windows and live bookings make of the
span it was written for: a change that did not rewrite it would show spots free that are
not, or hide free ones. And the week's slots on the spot's row must hold every slot its free
time falls in, or a search would pass the spot over; on SQLite, so must the spatial index's
key of the spot."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from core import free_time
from core.db.audit_reads import KeyedPlace
from core.db.models import PaymentStatus
from core.db.spatial import KEY_EV_CHARGER, spot_place, spot_place_ev_charger
from core.db.uow import UnitOfWork
from core.services import profit
from core.services.ledger import owner_payable_account
from core.status import BookingStatus

HOLDING = frozenset({BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.DISPUTED})
UNPAID = frozenset({BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT})
OVER = frozenset({BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.EXPIRED})
# A payment that counts towards its booking belongs to a booking that was paid.
INFLOWS = frozenset({"paid", "moved_in", "covered"})
NEVER_PAID = frozenset({BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT,
                        BookingStatus.EXPIRED})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    detail: str
    booking_id: int | None = None

    def __str__(self) -> str:
        where = f"booking #{self.booking_id}: " if self.booking_id is not None else ""
        return f"{where}{self.rule}: {self.detail}"


@dataclass(frozen=True, slots=True)
class AuditReport:
    ledger: profit.LedgerHealth
    violations: list[Violation] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.ledger.healthy and not self.violations


@dataclass
class _Money:
    """One booking's money in one currency, by what it is for (minor units)."""

    paid: int = 0
    held: int = 0
    owner: int = 0
    commission: int = 0
    # Back with the driver: refunded, owed as a refund, or taken back by their bank (a
    # chargeback), which the ledger moves out of the booking's money like a refund.
    refunded: int = 0
    # A stay moved from an occupied spot: what left this booking for the next, what arrived
    # from the last, and what the platform added.
    moved_out: int = 0
    moved_in: int = 0
    covered: int = 0
    other: int = 0

    @property
    def came_in(self) -> int:
        return self.paid + self.moved_in + self.covered

    @property
    def went_out(self) -> int:
        return self.refunded + self.moved_out


async def run(uow: UnitOfWork) -> AuditReport:
    violations: list[Violation] = []
    money: dict[tuple[int, str], _Money] = defaultdict(_Money)
    for booking_id, currency, purpose, total in await uow.audit.ledger_by_purpose():
        sums = money[(booking_id, currency)]
        # Money coming in leaves its account (the driver's, "moving:", the platform's
        # subsidy), so its entries there are negative.
        setattr(sums, purpose, getattr(sums, purpose) + (-total if purpose in INFLOWS else total))
    bookings = await uow.audit.bookings()
    status_of = {booking_id: status for booking_id, status, _currency, _owner in bookings}
    currency_of = {booking_id: currency for booking_id, _status, currency, _owner in bookings}
    for booking_id, status, currency, _owner in bookings:
        sums = money.get((booking_id, currency), _Money())
        violations += _booking_rules(booking_id, status, currency, sums)
    for (booking_id, currency), sums in money.items():
        if booking_id in currency_of and currency != currency_of[booking_id]:
            violations.append(
                Violation("money in a foreign currency", f"{sums} in {currency}", booking_id)
            )
    violations += await _payment_rules(uow, status_of, money)
    violations += await _payout_rules(uow)
    violations += await _moving_rules(uow)
    for spot_id, first, second in await uow.audit.overlapping_live_bookings():
        violations.append(
            Violation("overlapping live bookings", f"#{second} at spot {spot_id}", first)
        )
    violations += await _free_time_rules(uow)
    violations += await _spatial_index_rules(uow)
    for spot_id, count, stars, counted, counted_stars in await uow.audit.rating_totals_astray():
        violations.append(
            Violation(
                "spot's rating totals disagree with its ratings",
                f"spot {spot_id}: {count} ratings of {stars} stars on its row, "
                f"{counted} of {counted_stars} counted",
            )
        )
    return AuditReport(await profit.check_ledger(uow), violations)


# Spots read at a time: what the free-time and spatial-index rules hold in memory at once.
SPOT_BATCH = 2000


async def _free_time_rules(uow: UnitOfWork) -> list[Violation]:
    found = []
    after_id = 0
    while spots := await uow.audit.spots_free_time(after_id=after_id, limit=SPOT_BATCH):
        after_id = spots[-1].spot_id
        for spot in spots:
            if spot.stored is None or spot.made_of is None:
                found.append(Violation("free time not written", f"spot {spot.spot_id}"))
                continue
            written_from, written_until, stored, week_slots = spot.stored
            fresh = free_time.compute(
                spot.made_of.rules, spot.made_of.openings, spot.made_of.blocks, spot.made_of.held,
                ZoneInfo(spot.timezone),
                free_time.instant(written_from), free_time.instant(written_until),
            )  # fmt: skip
            if stored != fresh:
                found.append(
                    Violation(
                        "stored free time disagrees with hours and bookings",
                        f"spot {spot.spot_id}: stored {_differing(stored, fresh)}",
                    )
                )
            # More slots than its free time falls in only cost a search a read; fewer hide it.
            if missed := free_time.week_slots(stored) & ~week_slots:
                found.append(
                    Violation(
                        "week's slots miss free time",
                        f"spot {spot.spot_id}: slots {missed:#x} of the week are not marked",
                    )
                )
    return found


async def _spatial_index_rules(uow: UnitOfWork) -> list[Violation]:
    """SQLite: the spatial index holds every approved spot at its place, keyed as its row
    says, and nothing else; the index of spots with a charger holds the same entries of those
    with one. A wrong key would hide a spot from the searches it passes, or show it to those it
    fails."""
    if not uow.audit.keys_places():
        return []
    found = []
    after_id = 0
    # Of each index, the entries that are some approved spot's.
    owned = dict.fromkeys((False, True), 0)
    while places := await uow.audit.place_keys(after_id=after_id, limit=SPOT_BATCH):
        after_id = places[-1].spot_id
        for charger in owned:
            held = [place for place in places if not charger or place.key & KEY_EV_CHARGER]
            indexed = await uow.audit.indexed_places([place.key for place in held], charger=charger)
            owned[charger] += len(indexed)
            found += _misplaced(held, indexed, _INDEXES[charger])
    for charger, spots in owned.items():
        if (count := await uow.audit.indexed_place_count(charger=charger)) > spots:
            found.append(
                Violation(
                    "spatial index holds entries of no approved spot",
                    f"{_INDEXES[charger]}: {count - spots} of its {count} entries",
                )
            )
    return found


# Each spatial index by whether it holds only spots with a charger.
_INDEXES = {False: spot_place.name, True: spot_place_ev_charger.name}


def _misplaced(
    places: list[KeyedPlace], indexed: dict[int, tuple[int, ...]], index: str
) -> list[Violation]:
    found = []
    for place in places:
        box = indexed.get(place.key)
        if box is None:
            found.append(
                Violation(
                    "spatial index misses an approved spot",
                    f"spot {place.spot_id}: no entry keyed {place.key:#x} in {index}",
                )
            )
        elif box != (place.lat_units, place.lat_units, place.lon_units, place.lon_units):
            found.append(
                Violation(
                    "spatial index places a spot elsewhere",
                    f"spot {place.spot_id} in {index}: {box}",
                )
            )
    return found


def _differing(stored: list[tuple[int, int]], fresh: list[tuple[int, int]]) -> str:
    """The first intervals that differ, as instants: enough to find the change that missed."""
    extra = sorted(set(stored) - set(fresh))[:2]
    missing = sorted(set(fresh) - set(stored))[:2]

    def shown(intervals: list[tuple[int, int]]) -> str:
        return ", ".join(
            f"{free_time.instant(first):%Y-%m-%d %H:%M}-{free_time.instant(last):%Y-%m-%d %H:%M}"
            for first, last in intervals
        )

    return f"[{shown(extra)}] where fresh has [{shown(missing)}]"


def _booking_rules(
    booking_id: int, status: BookingStatus, currency: str, sums: _Money
) -> list[Violation]:
    found = []

    def broken(rule: str, detail: str) -> None:
        found.append(Violation(rule, f"{detail} ({status}, {currency})", booking_id))

    if sums.other:
        broken("money on an account the audit does not know", f"{sums.other}")
    if status in UNPAID and sums.held:
        broken("money held for an unpaid booking", f"escrow holds {sums.held}")
    if status in HOLDING and sums.held != sums.came_in - sums.went_out:
        broken(
            "held is not paid minus refunded",
            f"escrow holds {sums.held}, paid {sums.paid}, refunded {sums.refunded}" + _moves(sums),
        )
    if status in OVER:
        if sums.held:
            broken("money still held for a booking that is over", f"escrow holds {sums.held}")
        if sums.came_in != sums.owner + sums.commission + sums.went_out:
            broken(
                "paid is not owner's share + commission + refunds",
                f"paid {sums.paid}, owner {sums.owner}, commission {sums.commission}, "
                f"refunded {sums.refunded}" + _moves(sums),
            )
    # The platform's cover is never the driver's: what goes back is at most what they brought.
    if sums.refunded > sums.paid + sums.moved_in:
        broken("refunded more than was paid", f"refunded {sums.refunded} of {sums.paid}")
    if sums.held < 0:
        broken("escrow negative", f"{sums.held}")
    return found


def _moves(sums: _Money) -> str:
    if not (sums.moved_out or sums.moved_in or sums.covered):
        return ""
    return f", moved out {sums.moved_out}, moved in {sums.moved_in}, covered {sums.covered}"


async def _moving_rules(uow: UnitOfWork) -> list[Violation]:
    return [
        Violation("money moved between stays did not arrive", f"{account}: {total} {currency}")
        for account, currency, total in await uow.audit.money_on_the_way()
    ]


async def _payment_rules(
    uow: UnitOfWork, status_of: dict[int, BookingStatus], money: dict[tuple[int, str], _Money]
) -> list[Violation]:
    found = []
    recorded: dict[tuple[int, str], int] = defaultdict(int)
    refunds = await uow.audit.refunds_by_payment()
    for payment_id, booking_id, currency, amount, status in await uow.audit.payments():
        recorded[(booking_id, currency)] += amount
        if status_of.get(booking_id) is None:
            found.append(Violation("payment without its booking", f"payment {payment_id}"))
            continue
        if status == PaymentStatus.SUCCEEDED and status_of[booking_id] in NEVER_PAID:
            found.append(
                Violation(
                    "a kept payment for a booking that was not paid",
                    f"payment {payment_id} of {amount} {currency} ({status_of[booking_id]})",
                    booking_id,
                )
            )
        if refunds.get(payment_id, 0) > amount:
            found.append(
                Violation(
                    "refunds exceed the payment",
                    f"payment {payment_id}: {refunds[payment_id]} of {amount} {currency}",
                    booking_id,
                )
            )
    for key in set(recorded) | {key for key, sums in money.items() if sums.paid}:
        in_ledger = money[key].paid if key in money else 0
        if recorded.get(key, 0) != in_ledger:
            found.append(
                Violation(
                    "payments and the ledger disagree",
                    f"payments {recorded.get(key, 0)}, ledger {in_ledger} {key[1]}",
                    key[0],
                )
            )
    return found


async def _payout_rules(uow: UnitOfWork) -> list[Violation]:
    balances = await uow.audit.owner_payable_balances()
    reversing = await uow.audit.reversals_due_by_owner()
    found = []
    for owner_id, currency, due, sending in await uow.audit.waiting_payouts_by_owner():
        owed = balances.get((owner_payable_account(owner_id), currency), 0)
        # A payout handed to the gateway keeps its amount even if a later refund means the
        # owner now owes some back; one not handed over yet must fit in what is owed, counting
        # what the reversals under way take back from payouts that left.
        back = reversing.get((owner_id, currency), 0)
        if due > max(owed + back - sending, 0):
            found.append(
                Violation(
                    "payouts exceed what the owner is owed",
                    f"owner {owner_id}: {due} waiting to leave, {sending} leaving, "
                    f"{owed} {currency} owed, {back} being taken back",
                )
            )
    return found
