"""A stay moved from a spot found occupied. The driver is booked into another spot for the
rest of their window with the money they already paid: no second payment. When the new spot
costs more, the platform covers the difference up to a share of what was paid (its subsidy
account); when it costs less, the difference goes back to the driver. With nothing free
nearby, or when the driver would rather not move, all of it goes back at once.

What paid for the time left of the window moves (or goes back); what paid for the time already
gone stays held, and the occupied booking stays in dispute for the owner's side and, if they
contest it, the managers' ruling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from core.db.models import Booking, Dispute, Spot
from core.db.uow import UnitOfWork
from core.errors import BookingNotFound, RebookingNotOpen, RebookingTooDear, RebookingTooFar
from core.geo import GeoPoint
from core.money import Money
from core.services import bookings, ledger, settlement, spots
from core.services.disputes import Problem
from core.services.ledger import ESCROW, PLATFORM_SUBSIDY, Posting, moving_account
from core.status import BookingStatus

# The reason of the refund of the time left, when the driver takes their money back.
REFUNDED_AT_ONCE = "occupied"
# A stay moves to a spot at most this far from the occupied one: a walk, or a short drive.
MOVE_WITHIN_M = 5_000


@dataclass(frozen=True, slots=True)
class Budget:
    """Where and when the driver needs a spot instead, and what pays for it: the money still
    held for the occupied booking, and at most ``cover`` more from the platform."""

    booking: Booking
    spot: Spot
    start: datetime
    end: datetime
    # What was paid for the time left of the window: what moves or goes back at once. What
    # paid for the time already gone stays held for the owner's side and the managers.
    held: Money
    cover: Money

    @property
    def most(self) -> Money:
        """The dearest stay the driver can move to without paying again."""
        return self.held + self.cover


@dataclass(frozen=True, slots=True)
class Moved:
    """The new booking, and how its price was met: moved from the occupied one, covered by
    the platform, and what went back to the driver."""

    booking: Booking
    spot: Spot
    moved: Money
    covered: Money
    refunded: Money


async def before_report(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, driver_id: int, cover_percent: int
) -> Budget:
    """What a move would have to pay for if the driver reported their paid stay occupied now:
    where to look before the report is written, so both are one transaction."""
    booking = await uow.bookings.get(booking_id)
    if booking is None or booking.driver_id != driver_id:
        raise BookingNotFound(str(booking_id))
    return await _plan(uow, clock, booking, cover_percent)


async def _budget(uow: UnitOfWork, clock: Clock, booking: Booking, cover_percent: int) -> Budget:
    report = await uow.trust.unresolved_dispute_of(booking.id)
    if (
        not _reported_occupied_by_driver(report, booking)
        or booking.status != BookingStatus.DISPUTED
        or await uow.bookings.rebooked_among([booking.id])
        # Once the time left went back, what is held is the owner's side's to settle.
        or await uow.payments.has_refund(booking.id, REFUNDED_AT_ONCE)
    ):
        raise RebookingNotOpen(str(booking.id))
    return await _plan(uow, clock, booking, cover_percent)


async def _plan(uow: UnitOfWork, clock: Clock, booking: Booking, cover_percent: int) -> Budget:
    now = clock.now()
    held = await _held(uow, booking)
    if held.minor <= 0 or booking.end_at <= now:
        raise RebookingNotOpen(str(booking.id))
    start = max(booking.start_at, now.replace(second=0, microsecond=0))
    left = _share_left(held, booking, start)
    return Budget(
        booking, await spots.get(uow, booking.spot_id), start, booking.end_at, left,
        Money(left.minor * cover_percent // 100, left.currency),
    )  # fmt: skip


def _share_left(held: Money, booking: Booking, start: datetime) -> Money:
    """The part of what is held that paid for [start, end), in proportion, rounded down: a
    driver who reports the spot occupied late in the stay gets back only the time left."""
    whole = (booking.end_at - booking.start_at).total_seconds()
    left = (booking.end_at - start).total_seconds()
    return Money(int(held.minor * left // whole), held.currency)


def _reported_occupied_by_driver(report: Dispute | None, booking: Booking) -> bool:
    return (
        report is not None
        and report.kind == Problem.SPOT_OCCUPIED
        and report.opened_by_id == booking.driver_id
    )


async def _held(uow: UnitOfWork, booking: Booking) -> Money:
    held = await uow.ledger.escrow_of_booking(booking.id)
    return Money(held.get(booking.currency, 0), booking.currency)


async def move(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    driver_id: int,
    spot_id: int,
    cover_percent: int,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
) -> Moved:
    """Book ``spot_id`` for the rest of the occupied booking's window and pay for it with that
    booking's money, in one transaction: ``WindowTaken`` if the spot went meanwhile,
    ``RebookingTooDear`` if it costs more than the budget, and nothing is written."""
    # Locked first: a second press, the owner's answer or a ruling decide one after another.
    occupied = await bookings.locked(uow, booking_id)
    if occupied.driver_id != driver_id:
        raise BookingNotFound(str(booking_id))
    allowed = await _budget(uow, clock, occupied, cover_percent)
    target = await spots.get(uow, spot_id)
    if (
        GeoPoint(target.lat, target.lon).distance_m(GeoPoint(allowed.spot.lat, allowed.spot.lon))
        > MOVE_WITHIN_M
    ):
        raise RebookingTooFar(str(spot_id))
    new = await bookings.request(
        uow, clock, driver_id=driver_id, spot_id=spot_id, start=allowed.start, end=allowed.end,
        commission_basis_points=commission_basis_points,
        trusted_owner_commission_basis_points=trusted_owner_commission_basis_points,
        rebooked_from=occupied,
    )  # fmt: skip
    if new.currency != allowed.held.currency or new.price.minor > allowed.most.minor:
        raise RebookingTooDear(str(spot_id), price=new.price, most=allowed.most)
    await bookings.move(uow, clock, new, BookingStatus.CONFIRMED)
    moved = Money(min(allowed.held.minor, new.price.minor), new.currency)
    covered = new.price - moved
    await ledger.post(
        uow, clock, kind="rebooked_out", idempotency_key=f"booking:{occupied.id}:rebooked_out",
        booking_id=occupied.id,
        postings=[Posting(ESCROW, -moved), Posting(moving_account(occupied.id), moved)],
    )  # fmt: skip
    arriving = [Posting(moving_account(occupied.id), -moved), Posting(ESCROW, new.price)]
    if covered.minor > 0:
        arriving.append(Posting(PLATFORM_SUBSIDY, -covered))
    await ledger.post(
        uow, clock, kind="rebooked_in", idempotency_key=f"booking:{new.id}:rebooked_in",
        booking_id=new.id, postings=arriving,
    )  # fmt: skip
    back = allowed.held - moved
    if back.minor > 0:
        await settlement.refund_from_escrow(uow, clock, occupied, back, reason="rebooked")
    return Moved(new, target, moved, covered, back)


async def refund_at_once(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, driver_id: int
) -> Money:
    """Everything still held for the occupied booking goes back to the driver now, whatever
    the report's outcome: the driver chose not to move, or nothing was free nearby."""
    occupied = await bookings.locked(uow, booking_id)
    if occupied.driver_id != driver_id:
        raise BookingNotFound(str(booking_id))
    allowed = await _budget(uow, clock, occupied, cover_percent=0)
    if allowed.held.minor > 0:
        await settlement.refund_from_escrow(uow, clock, occupied, allowed.held, reason="occupied")
    return allowed.held
