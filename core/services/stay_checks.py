"""Did the driver come, and did they leave on time? A driver who checks in is taken at their
word; otherwise the owner is asked once, a while after the start, and once after the end. An
answer of "no" becomes a dispute for the managers without another word typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from core.clock import Clock
from core.credit import CreditEventKind
from core.db.models import Booking, Dispute
from core.db.uow import UnitOfWork
from core.errors import (
    AlreadyAnswered,
    CheckInNotNow,
    LeavingNotNow,
    NotAsked,
    NotTheOwner,
    StayNotOver,
)
from core.geo import GeoPoint
from core.overstay_tariff import OverstayTariff
from core.services import bookings, disputes, overstays, parties, people, settlement, stays
from core.services.disputes import Problem
from core.services.parties import Parties, Side
from core.status import BookingStatus

# The owner is asked whether the driver came this long after the start...
ARRIVAL_GRACE = timedelta(minutes=30)
# ...and whether the spot is free this long after the end.
DEPARTURE_GRACE = timedelta(minutes=15)
# After a longer outage the moment to ask has passed: the stay is long under way.
ARRIVAL_LOOKBACK = timedelta(hours=3)
# A driver this close to the start may check in.
CHECK_IN_FROM = timedelta(minutes=30)
# A car still there after its stay: the drivers of stays starting this soon are warned.
NEXT_DRIVERS_WITHIN = timedelta(hours=2)
# A driver's live location this close to the spot in that time is the driver there...
HERE_WITHIN_M = 150
# ...and, once they were there, this far from it is the driver gone.
GONE_BEYOND_M = 400
AROUND_A_STAY = frozenset({BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED})


class Notice(StrEnum):
    ARRIVED = disputes.ARRIVED_NOTICE
    # The driver of the stay before is still there.
    SPOT_NOT_FREE = disputes.SPOT_NOT_FREE_NOTICE
    # The driver said they have left the spot.
    LEFT = "left"
    ARRIVAL_CHECK = "arrival_check"
    ARRIVAL_ANSWER = "arrival_answer"
    DEPARTURE_CHECK = "departure_check"
    DEPARTURE_ANSWER = "departure_answer"


class Answer(StrEnum):
    DRIVER_HERE = "here"
    DRIVER_ABSENT = "absent"
    SPOT_FREE = "free"
    CAR_STILL_THERE = "still"


ANSWERED_BY = {
    Answer.DRIVER_HERE: Notice.ARRIVAL_ANSWER,
    Answer.DRIVER_ABSENT: Notice.ARRIVAL_ANSWER,
    Answer.SPOT_FREE: Notice.DEPARTURE_ANSWER,
    Answer.CAR_STILL_THERE: Notice.DEPARTURE_ANSWER,
}
ASKED_BY = {
    Notice.ARRIVAL_ANSWER: Notice.ARRIVAL_CHECK,
    Notice.DEPARTURE_ANSWER: Notice.DEPARTURE_CHECK,
}
PROBLEM_OF = {Answer.DRIVER_ABSENT: Problem.NO_SHOW, Answer.CAR_STILL_THERE: Problem.OVERSTAY}


@dataclass(frozen=True, slots=True)
class Check:
    """A question for the owner: ``Notice.ARRIVAL_CHECK`` or ``Notice.DEPARTURE_CHECK``."""

    kind: Notice
    parties: Parties
    # Asked because the driver said they have left, not because the stay ended in silence.
    driver_left: bool = False


@dataclass(frozen=True, slots=True)
class Left:
    """A driver gone from the spot: the owner's question, unless asked already, and the bill
    for the time past the end, if they overstayed."""

    check: Check | None = None
    bill: overstays.Bill | None = None


@dataclass(frozen=True, slots=True)
class Moved:
    """What a driver's live location said: they arrived (the owner to be told), or they left
    (the owner to be asked whether the spot is free); ``there`` when it belongs to a stay the
    driver has reached, whether or not it says anything new."""

    there: bool = False
    arrived: Parties | None = None
    left: Check | None = None
    bill: overstays.Bill | None = None


@dataclass(frozen=True, slots=True)
class Answered:
    parties: Parties
    dispute: Dispute | None
    # The drivers of the spot's next stays, to be warned that the car before them is still there.
    next_drivers: tuple[Parties, ...] = ()


async def due(uow: UnitOfWork, clock: Clock) -> list[Check]:
    """The questions for owners that fell due, each claimed so it is asked once."""
    now = clock.now()
    asks = [
        (Notice.ARRIVAL_CHECK, booking)
        for booking in await uow.bookings.started_without_notices(
            BookingStatus.ACTIVE,
            started_between=(now - ARRIVAL_LOOKBACK, now - ARRIVAL_GRACE),
            without=(Notice.ARRIVED, Notice.ARRIVAL_CHECK),
        )
        # An extension's driver is already parked there.
        if booking.extends_id is None
    ]
    asks += [
        (Notice.DEPARTURE_CHECK, booking)
        for booking in await uow.bookings.ended_unextended_without_notice(
            ended_between=(now - settlement.PAYOUT_HOLD, now - DEPARTURE_GRACE),
            without=Notice.DEPARTURE_CHECK,
        )
    ]
    checks = []
    for kind, booking in asks:
        if await bookings.claim_notice(uow, clock, booking.id, kind):
            checks.append(Check(kind, await parties.of_booking(uow, booking.id)))
    return checks


async def check_in(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, driver_id: int
) -> Parties | None:
    """The driver says they are at the spot. The parties the first time (the owner is to be
    told), None after that."""
    found = await parties.of_booking(uow, booking_id)
    if found.side_of(driver_id) != Side.DRIVER:
        raise NotTheOwner(str(booking_id))
    booking, now = found.booking, clock.now()
    if booking.status not in bookings.EXTENDABLE or not (
        booking.start_at - CHECK_IN_FROM <= now < booking.end_at
    ):
        raise CheckInNotNow(str(booking_id))
    return found if await bookings.claim_notice(uow, clock, booking_id, Notice.ARRIVED) else None


async def leave(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    driver_id: int,
    tariff: OverstayTariff,
    bills_in_chat: bool = True,
) -> Left:
    """The driver says they have left the spot, during their stay, shortly after its end, or
    whenever their car was reported still there. The owner is asked at once whether it is free
    (the question the end of the stay would bring), and a "yes" earns the driver credit for
    leaving on time, early or not; time past the end beyond the grace is billed."""
    found = await parties.of_booking(uow, booking_id)
    if found.side_of(driver_id) != Side.DRIVER:
        raise NotTheOwner(str(booking_id))
    stay = await stays.stay_of(uow, found.booking)
    last, now = stay.last, clock.now()
    staying_on = await overstays.is_open(uow, last.id)
    if last.status not in (BookingStatus.ACTIVE, BookingStatus.COMPLETED) or not (
        stay.start_at <= now and (now < stay.end_at + DEPARTURE_GRACE or staying_on)
    ):
        raise LeavingNotNow(str(booking_id))
    first_word = await bookings.claim_notice(uow, clock, last.id, Notice.LEFT)
    # Said once, the car was gone then; said again, only an overstay reported since is billed.
    bill = (
        await overstays.gone(uow, clock, last, tariff, bills_in_chat=bills_in_chat)
        if now > last.end_at and (first_word or staying_on)
        else None
    )
    if not first_word:
        return Left(None, bill)
    if not await bookings.claim_notice(uow, clock, last.id, Notice.DEPARTURE_CHECK):
        return Left(None, bill)
    check = Check(Notice.DEPARTURE_CHECK, await parties.of_booking(uow, last.id), driver_left=True)
    return Left(check, bill)


async def owner_says_gone(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    owner_id: int,
    tariff: OverstayTariff,
    bills_in_chat: bool = True,
) -> overstays.Bill | None:
    """The owner who reported the car still there says it has gone: the driver's bill."""
    found = await parties.of_booking(uow, booking_id)
    if found.side_of(owner_id) != Side.OWNER:
        raise NotTheOwner(str(booking_id))
    if not await overstays.is_open(uow, booking_id):
        raise AlreadyAnswered(str(booking_id))
    return await overstays.gone(uow, clock, found.booking, tariff, bills_in_chat=bills_in_chat)


async def driver_at(
    uow: UnitOfWork,
    clock: Clock,
    *,
    driver_id: int,
    point: GeoPoint,
    tariff: OverstayTariff,
    here_within_m: float = HERE_WITHIN_M,
    bills_in_chat: bool = True,
) -> Moved:
    """The driver's live location, around one of their stays: near its spot they have arrived,
    as if they had checked in; far from it once they had arrived, they have left, as if they
    had said so. Each is told once."""
    now = clock.now()
    for booking, spot in await uow.bookings.staying_on_with_spots(driver_id):
        # A car reported still there: far from the spot, it has gone.
        if point.distance_m(GeoPoint(spot.lat, spot.lon)) >= GONE_BEYOND_M:
            return await _gone(uow, clock, booking, tariff, bills_in_chat)
        return Moved(there=True)
    for booking, spot in await uow.bookings.of_driver_with_spots(
        driver_id, ending_after=now - DEPARTURE_GRACE, limit=5
    ):
        if booking.status not in AROUND_A_STAY or not (
            booking.start_at - CHECK_IN_FROM <= now < booking.end_at + DEPARTURE_GRACE
        ):
            continue
        away_m = point.distance_m(GeoPoint(spot.lat, spot.lon))
        here = away_m <= here_within_m and now < booking.end_at
        if here and booking.status in bookings.EXTENDABLE:
            return Moved(there=True, arrived=await check_in(
                uow, clock, booking_id=booking.id, driver_id=driver_id
            ))  # fmt: skip
        if await _arrived(uow, booking):
            if (
                away_m >= GONE_BEYOND_M
                and booking.status in (BookingStatus.ACTIVE, BookingStatus.COMPLETED)
                and booking.start_at <= now
            ):
                return await _gone(uow, clock, booking, tariff, bills_in_chat)
            return Moved(there=True)
    return Moved()


async def _gone(
    uow: UnitOfWork, clock: Clock, booking: Booking, tariff: OverstayTariff, bills_in_chat: bool
) -> Moved:
    """The driver's live location far from the spot: as if they had said they left."""
    left = await leave(
        uow, clock, booking_id=booking.id, driver_id=booking.driver_id, tariff=tariff,
        bills_in_chat=bills_in_chat,
    )  # fmt: skip
    return Moved(there=True, left=left.check, bill=left.bill)


async def _arrived(uow: UnitOfWork, booking: Booking) -> bool:
    """Whether the driver was there during any part of the stay ``booking`` belongs to."""
    stay = await stays.stay_of(uow, booking)
    for part in (stay.booking, *stay.extensions):
        if await uow.bookings.has_notice(part.id, Notice.ARRIVED):
            return True
    return False


async def answer(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, owner_id: int, given: Answer, note: str
) -> Answered:
    """The owner's answer to a check, once. "No" opens a dispute with ``note`` as its report;
    a spot left free on time earns the driver credit."""
    found = await parties.of_booking(uow, booking_id)
    if found.side_of(owner_id) != Side.OWNER:
        raise NotTheOwner(str(booking_id))
    if not await uow.bookings.has_notice(booking_id, ASKED_BY[ANSWERED_BY[given]]):
        raise NotAsked(str(booking_id))
    booking = found.booking
    if given == Answer.CAR_STILL_THERE and clock.now() < booking.end_at:
        # Asked early because the driver said they left: their time is not up yet.
        raise StayNotOver(str(booking_id))
    if not await bookings.claim_notice(uow, clock, booking_id, ANSWERED_BY[given]):
        raise AlreadyAnswered(str(booking_id))
    dispute = None
    next_drivers: tuple[Parties, ...] = ()
    if given in PROBLEM_OF:
        dispute = await disputes.report(
            uow, clock, booking_id=booking_id, reporter_id=owner_id, problem=PROBLEM_OF[given],
            text=note, photo_file_ids=[],
        )  # fmt: skip
    if given == Answer.CAR_STILL_THERE:
        await overstays.begin(uow, clock, booking)
        next_drivers = await _next_drivers(uow, clock, booking)
    elif given == Answer.SPOT_FREE and (
        booking.status == BookingStatus.COMPLETED
        or await uow.bookings.has_notice(booking_id, Notice.LEFT)
    ):
        await people.change_credit(
            uow, clock, found.driver.id, kind=CreditEventKind.ON_TIME_DEPARTURE,
            booking_id=booking_id,
        )  # fmt: skip
    return Answered(found, dispute, next_drivers)


async def _next_drivers(uow: UnitOfWork, clock: Clock, before: Booking) -> tuple[Parties, ...]:
    """The confirmed stays at ``before``'s spot that start soon after it, each claimed so that
    its driver is warned once."""
    now = clock.now()
    warned = []
    for booking in await uow.bookings.upcoming_live_of_spot(before.spot_id, after=now):
        if (
            booking.status == BookingStatus.CONFIRMED
            and booking.driver_id != before.driver_id
            and before.end_at <= booking.start_at <= now + NEXT_DRIVERS_WITHIN
            and await bookings.claim_notice(uow, clock, booking.id, Notice.SPOT_NOT_FREE)
        ):
            warned.append(await parties.of_booking(uow, booking.id))
    return tuple(sorted(warned, key=lambda found: found.booking.start_at))
