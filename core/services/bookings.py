"""Booking a window at a spot, and moving a booking through its lifecycle."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from core.availability import Interval, WeeklyRule, covers
from core.clock import Clock, ensure_utc
from core.db.models import Booking, Spot
from core.db.uow import UnitOfWork
from core.errors import (
    BookingNotFound,
    BookingTooLong,
    InvalidWindow,
    NotTheOwner,
    OwnSpot,
    SpotNotBookable,
    StaleBooking,
    WindowInPast,
    WindowTaken,
    WindowUnavailable,
)
from core.money import Money
from core.pricing import commission_for, price_for_window
from core.services import people, spots
from core.status import BookingStatus, SpotStatus, check_booking_transition

MAX_BOOKING_LENGTH = timedelta(days=30)
# A window starting a moment ago is still "now": the driver took a few seconds to press.
PAST_GRACE = timedelta(minutes=5)
NO_OVERLAP_CONSTRAINT = "ex_booking_no_overlap"


async def _check_offered(
    uow: UnitOfWork, spot_id: int, zone: str, start: datetime, end: datetime
) -> None:
    rules = [
        WeeklyRule(rule.weekday, rule.start_minute, rule.end_minute)
        for rule in await uow.spots.weekly_rules(spot_id)
    ]
    windows = await uow.spots.windows_touching(spot_id, start, end)
    openings = [Interval(w.start_at, w.end_at) for w in windows if not w.blocked]
    blocks = [Interval(w.start_at, w.end_at) for w in windows if w.blocked]
    if not covers(rules, openings, blocks, ZoneInfo(zone), start, end):
        raise WindowUnavailable(f"spot {spot_id}")


async def request(
    uow: UnitOfWork,
    clock: Clock,
    *,
    driver_id: int,
    spot_id: int,
    start: datetime,
    end: datetime,
    commission_basis_points: int,
) -> Booking:
    """Hold [start, end) at a spot for a driver: awaiting payment when the spot books
    instantly, otherwise a request the owner answers. Raises ``WindowTaken`` if anyone holds
    an overlapping window, even a booking committed a moment ago by another process."""
    start, end = ensure_utc(start), ensure_utc(end)
    if end <= start:
        raise InvalidWindow(f"{start} >= {end}")
    if end - start > MAX_BOOKING_LENGTH:
        raise BookingTooLong(str(end - start))
    if start < clock.now() - PAST_GRACE:
        raise WindowInPast(str(start))
    driver = await people.get_active(uow, driver_id)
    spot = await spots.get(uow, spot_id)
    if spot.status != SpotStatus.APPROVED:
        raise SpotNotBookable(str(spot_id))
    if spot.owner_id == driver.id:
        raise OwnSpot(str(spot_id))
    await _check_offered(uow, spot.id, spot.timezone, start, end)
    if await uow.bookings.overlapping_live(spot.id, start, end):
        raise WindowTaken(f"spot {spot_id}")

    price = price_for_window(
        Money(spot.hourly_price_minor, spot.currency),
        Money(spot.daily_price_minor, spot.currency) if spot.daily_price_minor else None,
        start,
        end,
    )
    now = clock.now()
    booking = Booking(
        spot_id=spot.id,
        driver_id=driver.id,
        start_at=start,
        end_at=end,
        currency=price.currency,
        price_minor=price.minor,
        commission_minor=commission_for(price, commission_basis_points).minor,
        status=BookingStatus.AWAITING_PAYMENT if spot.instant_booking else BookingStatus.REQUESTED,
        version=1,
        created_at=now,
        updated_at=now,
    )
    uow.bookings.add(booking)
    try:
        await uow.bookings.flush()
    except IntegrityError as error:
        # PostgreSQL's exclusion constraint caught a booking that committed after our check.
        if NO_OVERLAP_CONSTRAINT in str(error.orig):
            raise WindowTaken(f"spot {spot_id}") from None
        raise
    return booking


async def get(uow: UnitOfWork, booking_id: int) -> Booking:
    booking = await uow.bookings.get(booking_id)
    if booking is None:
        raise BookingNotFound(str(booking_id))
    return booking


async def transition(
    uow: UnitOfWork,
    clock: Clock,
    booking_id: int,
    new_status: BookingStatus,
    *,
    expected_version: int | None = None,
) -> Booking:
    """Move a booking on. ``expected_version`` is the version the person saw: if the booking
    changed since, ``StaleBooking`` says so instead of acting on old information."""
    booking = await uow.bookings.get_for_update(booking_id)
    if booking is None:
        raise BookingNotFound(str(booking_id))
    if expected_version is not None and booking.version != expected_version:
        raise StaleBooking(str(booking_id), current=booking.version)
    check_booking_transition(booking.status, new_status)
    booking.status = new_status
    booking.version += 1
    booking.updated_at = clock.now()
    return booking


async def upcoming_of_driver(
    uow: UnitOfWork, clock: Clock, driver_id: int, *, limit: int = 10
) -> list[tuple[Booking, Spot]]:
    """The driver's bookings that have not ended yet, soonest first, with their spots."""
    return await uow.bookings.of_driver_with_spots(driver_id, ending_after=clock.now(), limit=limit)


async def answer_request(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, owner_id: int, accept: bool
) -> Booking:
    """The owner accepts a driver's request (it then waits for payment) or declines it."""
    booking = await get(uow, booking_id)
    spot = await spots.get(uow, booking.spot_id)
    if spot.owner_id != owner_id:
        raise NotTheOwner(str(booking_id))
    if booking.status != BookingStatus.REQUESTED:
        raise StaleBooking(str(booking_id), current=booking.version)
    new_status = BookingStatus.AWAITING_PAYMENT if accept else BookingStatus.CANCELLED
    return await transition(uow, clock, booking.id, new_status)


async def expire_overdue(
    uow: UnitOfWork, clock: Clock, *, payment_window: timedelta, request_window: timedelta
) -> list[Booking]:
    """Give back the windows of bookings left unpaid, and of requests no owner answered."""
    now = clock.now()
    expired = []
    for booking in await uow.bookings.overdue(
        unpaid_since=now - payment_window, unanswered_since=now - request_window
    ):
        expired.append(await transition(uow, clock, booking.id, BookingStatus.EXPIRED))
    return expired
