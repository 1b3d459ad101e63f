"""Booking a window at a spot, and moving a booking through its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm.exc import StaleDataError

from core import neighbourhood
from core.availability import Interval, covers
from core.clock import Clock, ensure_utc
from core.credit import (
    LATE_OWNER_CANCELLATION_PENALTY,
    OWNER_CANCELLATION_PENALTY,
    CreditEventKind,
    CreditTier,
    books_instantly,
    tier_of,
)
from core.db.models import Booking, Spot
from core.db.repositories import AttemptFacts
from core.db.uow import UnitOfWork
from core.errors import (
    BookingNotCancellable,
    BookingNotExtendable,
    BookingNotFound,
    NotInTheGroup,
    NotTheOwner,
    OnlyForTheGroup,
    OwnSpot,
    PersonBanned,
    PersonNotFound,
    RequirementsNotMet,
    SeriesNeedsAnswer,
    SpotNotBookable,
    SpotNotFound,
    StaleBooking,
    WindowTaken,
    WindowUnavailable,
)
from core.money import Money
from core.pricing import commission_for, price_of
from core.requirements import requirements_of, shortfalls
from core.services import operators, people, settlement, spots
from core.status import BookingStatus, SpotStatus
from core.window import Window


async def _check_offered(
    uow: UnitOfWork, spot_id: int, zone: str, start: datetime, end: datetime
) -> None:
    rules = await uow.spots.weekly_rules(spot_id)
    windows = await uow.spots.windows_touching(spot_id, start, end)
    openings = [Interval(w.start_at, w.end_at) for w in windows if not w.blocked]
    blocks = [Interval(w.start_at, w.end_at) for w in windows if w.blocked]
    if not covers(rules, openings, blocks, ZoneInfo(zone), start, end):
        raise WindowUnavailable(f"spot {spot_id}")


async def is_free(uow: UnitOfWork, spot: Spot, start: datetime, end: datetime) -> bool:
    """Whether the spot is offered, and held by nobody, for all of [start, end)."""
    try:
        await _check_offered(uow, spot.id, spot.timezone, start, end)
    except WindowUnavailable:
        return False
    return not await uow.bookings.is_taken(spot.id, start, end)


async def request(
    uow: UnitOfWork,
    clock: Clock,
    *,
    driver_id: int,
    spot_id: int,
    start: datetime,
    end: datetime,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
    extends: Booking | None = None,
    rebooked_from: Booking | None = None,
    series_id: int | None = None,
    paid_with: Booking | None = None,
    price: Money | None = None,
    pay_by: datetime | None = None,
    owner_agreed: bool = False,
    admitted: bool = False,
    member_of: frozenset[int] = frozenset(),
) -> Booking:
    """Hold [start, end) at a spot for a driver: awaiting payment when the spot books
    instantly (or it extends a stay the owner already has, or takes in a stay whose spot was
    found occupied, which cannot wait for an owner's answer), otherwise a request the owner
    answers. A stay of a weekly series (``series_id``) is never a request:
    ``SeriesNeedsAnswer`` if the owner answers each booking; its ``price`` may be set (a month
    of a pass is priced by the month, not the hour), and it may wait for payment until
    ``pay_by``; ``owner_agreed``: the owner took such stays in advance (offering the spot by the
    month), so none is asked; ``admitted``: the driver met the owner's requirements when the
    arrangement began (a pass renewing), so they are not asked again; ``member_of``: the
    neighbourhood groups the driver is in, as Telegram told the bot (a spot offered to groups
    first or only admits by them, ``core.neighbourhood``). Raises ``WindowTaken`` if anyone
    holds an overlapping window, even a booking committed a moment ago by another process.

    Two statements: one read of everything the decision needs, and one write that inserts the
    booking only if the spot's free time still holds the window, taking it out (SQLite's is two,
    its writers taking turns). In a ``Database.single_statement`` unit of work on PostgreSQL
    these are the attempt's only round trips."""
    window = Window(start, end)
    now = clock.now()
    window.check_bookable(now)
    start, end = window.start, window.end
    facts = await uow.bookings.attempt_facts(driver_id, spot_id, start, end)
    if facts is None:
        raise PersonNotFound(str(driver_id))
    if facts.banned:
        raise PersonBanned(str(driver_id))
    if facts.spot_id is None:
        raise SpotNotFound(str(spot_id))
    if facts.status != SpotStatus.APPROVED:
        raise SpotNotBookable(str(spot_id))
    if facts.owner_id == driver_id:
        raise OwnSpot(str(spot_id))
    if extends is None and not admitted:
        await _check_admission(uow, facts, spot_id, member_of, start, now)
    if not facts.free:
        await _refuse_or_catch_up(uow, facts, start, end, now)

    if price is None:
        price = price_of(facts, window)
    if (
        trusted_owner_commission_basis_points is not None
        and tier_of(facts.owners_credit) == CreditTier.TRUSTED
    ):
        commission_basis_points = min(
            commission_basis_points, trusted_owner_commission_basis_points
        )
    commission = commission_for(price, commission_basis_points)
    status = (
        BookingStatus.AWAITING_PAYMENT
        if extends is not None
        or rebooked_from is not None
        or owner_agreed
        or books_instantly(facts.drivers_credit, spot_books_instantly=facts.instant_booking)
        else BookingStatus.REQUESTED
    )
    if series_id is not None and status == BookingStatus.REQUESTED:
        raise SeriesNeedsAnswer(str(spot_id))
    values = {
        "driver_id": driver_id,
        "start_at": start,
        "end_at": end,
        "currency": price.currency,
        "price_minor": price.minor,
        "commission_minor": commission.minor,
        "status": status,
        "version": 1,
        "extends_id": extends.id if extends is not None else None,
        "rebooked_from_id": rebooked_from.id if rebooked_from is not None else None,
        "series_id": series_id,
        "paid_with_id": paid_with.id if paid_with is not None else None,
        "pay_by": pay_by,
        "created_at": now,
        "updated_at": now,
    }
    booking_id = await uow.bookings.insert_if_free(spot_id, values)
    if booking_id is None:
        raise WindowTaken(f"spot {spot_id}")
    return uow.bookings.written(Booking(id=booking_id, spot_id=spot_id, **values))


async def _check_admission(
    uow: UnitOfWork,
    facts: AttemptFacts,
    spot_id: int,
    member_of: frozenset[int],
    start: datetime,
    now: datetime,
) -> None:
    """What the owner asks of drivers, and the neighbourhood groups the spot is offered to."""
    short = shortfalls(
        requirements_of(facts.min_driver_tier, facts.min_completed_stays),
        driver_score=facts.drivers_credit, completed_stays=facts.drivers_completed,
    )  # fmt: skip
    if short:
        raise RequirementsNotMet(f"spot {spot_id}", short)
    if not facts.offered_to_groups:
        return
    offered = await uow.spots.offered_of_spot(spot_id)
    if not neighbourhood.admits(offered, member_of=member_of, start=start, now=now):
        if any(o.only for o in offered):
            raise OnlyForTheGroup(f"spot {spot_id}")
        raise NotInTheGroup(f"spot {spot_id}")


async def _refuse_or_catch_up(
    uow: UnitOfWork, facts: AttemptFacts, start: datetime, end: datetime, now: datetime
) -> None:
    """The spot's free time does not hold the window. A live booking holding some of it makes
    it taken. Otherwise it is not offered then, as the hours and one-off windows say (the rare
    case: a time typed by hand); if they say it is, the free time was not written for this
    spot's latest change, and is written now before the booking goes on."""
    if facts.held:
        raise WindowTaken(f"spot {facts.spot_id}")
    await _check_offered(uow, facts.spot_id, facts.timezone, start, end)
    await uow.free_times.refresh([facts.spot_id], now)
    await uow.free_times.flush()


async def get(uow: UnitOfWork, booking_id: int) -> Booking:
    booking = await uow.bookings.get(booking_id)
    if booking is None:
        raise BookingNotFound(str(booking_id))
    return booking


async def locked(uow: UnitOfWork, booking_id: int) -> Booking:
    """The booking as committed now, locked until the transaction ends: every decision about a
    booking's state is taken on this, never on a copy read earlier."""
    booking = await uow.bookings.get_for_update(booking_id)
    if booking is None:
        raise BookingNotFound(str(booking_id))
    return booking


async def move(
    uow: UnitOfWork, clock: Clock, booking: Booking, new_status: BookingStatus
) -> Booking:
    """Write the next status of a booking read with ``locked`` in this transaction. The UPDATE
    is conditional on the version read (the mapper's version column), so a writer that lost a
    race writes nothing and is refused."""
    booking.move_to(new_status, clock.now())
    try:
        await uow.bookings.flush()
    except StaleDataError:
        raise StaleBooking(str(booking.id)) from None
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
    booking = await locked(uow, booking_id)
    if expected_version is not None and booking.version != expected_version:
        raise StaleBooking(str(booking_id), current=booking.version)
    return await move(uow, clock, booking, new_status)


async def upcoming_of_driver(
    uow: UnitOfWork, clock: Clock, driver_id: int, *, limit: int = 10
) -> list[tuple[Booking, Spot]]:
    """The driver's bookings that have not ended yet, soonest first, with their spots."""
    return await uow.bookings.of_driver_with_spots(driver_id, ending_after=clock.now(), limit=limit)


async def answer_request(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, owner_id: int, accept: bool
) -> Booking:
    """The owner accepts a driver's request (it then waits for payment) or declines it."""
    booking = await locked(uow, booking_id)
    spot = await spots.get(uow, booking.spot_id)
    if not await operators.may_manage(uow, spot, owner_id):
        raise NotTheOwner(str(booking_id))
    if booking.status != BookingStatus.REQUESTED:
        raise StaleBooking(str(booking_id), current=booking.version)
    new_status = BookingStatus.AWAITING_PAYMENT if accept else BookingStatus.CANCELLED
    return await move(uow, clock, booking, new_status)


async def expire_overdue(
    uow: UnitOfWork, clock: Clock, *, payment_window: timedelta, request_window: timedelta
) -> list[Booking]:
    """Give back the windows of bookings left unpaid, and of requests no owner answered."""
    now = clock.now()
    unpaid_since, unanswered_since = now - payment_window, now - request_window
    expired = []
    for candidate in await uow.bookings.overdue(
        unpaid_since=unpaid_since, unanswered_since=unanswered_since, now=now
    ):
        booking = await locked(uow, candidate.id)
        # Read again under the lock: a payment or an answer may have come meanwhile.
        unpaid_too_long = (
            booking.pay_by <= now if booking.pay_by is not None
            else booking.updated_at < unpaid_since
        )  # fmt: skip
        still_overdue = (booking.status == BookingStatus.AWAITING_PAYMENT and unpaid_too_long) or (
            booking.status == BookingStatus.REQUESTED and booking.updated_at < unanswered_since
        )
        if still_overdue:
            expired.append(await move(uow, clock, booking, BookingStatus.EXPIRED))
            if (
                booking.series_id is not None
                and booking.paid_with_id is None
                and not booking.pay_by
            ):
                expired += await _expire_later_weeks(uow, clock, booking.series_id)
    return expired


async def _expire_later_weeks(uow: UnitOfWork, clock: Clock, series_id: int) -> list[Booking]:
    """A series whose first payment lapsed lapses whole: its later weeks, paid week by week,
    must not hold the spot unpaid until each comes due."""
    lapsed = []
    for candidate in await uow.bookings.of_series(series_id):
        stay = await locked(uow, candidate.id)
        if stay.status == BookingStatus.AWAITING_PAYMENT:
            lapsed.append(await move(uow, clock, stay, BookingStatus.EXPIRED))
    return lapsed


# --- cancelling and extending ----------------------------------------------------------------

CANCELLABLE = frozenset(
    {BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT, BookingStatus.CONFIRMED}
)
EXTENDABLE = frozenset({BookingStatus.CONFIRMED, BookingStatus.ACTIVE})


@dataclass(frozen=True, slots=True)
class CancellationPolicy:
    """The cancellation terms a booking gets when it is made. A booking made when its start is
    already inside the late period never had a free cancellation, and must not be promised one
    that ended before it existed."""

    free_until: datetime | None
    late_percent: int

    @property
    def has_free_cancellation(self) -> bool:
        return self.free_until is not None

    def kept_of(self, price: Money) -> Money:
        """What is kept for the owner of ``price`` after a late cancellation."""
        return price.share(self.late_percent * 100)


def cancellation_policy(
    start: datetime, booked_at: datetime, *, free_hours: int, late_percent: int
) -> CancellationPolicy:
    """Free until ``free_hours`` before the start, unless the booking is made after that
    moment; then there is no free cancellation at all and ``late_percent`` is kept."""
    free_until = ensure_utc(start) - timedelta(hours=free_hours)
    if ensure_utc(booked_at) > free_until:
        return CancellationPolicy(None, late_percent)
    return CancellationPolicy(free_until, late_percent)


def booking_policy(booking: Booking, *, free_hours: int, late_percent: int) -> CancellationPolicy:
    """The terms a booking got when it was made."""
    return cancellation_policy(
        booking.start_at, booking.created_at, free_hours=free_hours, late_percent=late_percent
    )


@dataclass(frozen=True, slots=True)
class CancellationTerms:
    """What a driver gets back if they cancel now, and what is kept for the owner."""

    refund: Money
    kept: Money
    policy: CancellationPolicy

    @property
    def free(self) -> bool:
        return self.kept.minor == 0


def cancellation_terms(
    booking: Booking, now: datetime, *, free_hours: int, late_percent: int
) -> CancellationTerms:
    """The booking's policy applied at ``now``. Nothing paid yet means nothing to refund and
    nothing kept."""
    policy = booking_policy(booking, free_hours=free_hours, late_percent=late_percent)
    nothing = Money(0, booking.currency)
    if booking.status != BookingStatus.CONFIRMED:
        return CancellationTerms(nothing, nothing, policy)
    price = booking.price
    if policy.free_until is not None and ensure_utc(now) <= policy.free_until:
        return CancellationTerms(price, nothing, policy)
    kept = policy.kept_of(price)
    return CancellationTerms(price - kept, kept, policy)


async def stay_cancellation_terms(
    uow: UnitOfWork, booking: Booking, now: datetime, *, free_hours: int, late_percent: int
) -> CancellationTerms:
    """What cancelling the booking would do with its extensions, which go with it: the terms
    shown before the driver decides, the same ``cancel_by_driver`` then applies."""
    parts = await _stay_parts(uow, booking, lock=False)
    return together([
        cancellation_terms(part, now, free_hours=free_hours, late_percent=late_percent)
        for part in parts
    ])  # fmt: skip


def together(each: list[CancellationTerms]) -> CancellationTerms:
    """The terms of a stay's parts as one: the first part's policy, everything summed."""
    first, *rest = each
    return CancellationTerms(
        sum((part.refund for part in rest), first.refund),
        sum((part.kept for part in rest), first.kept),
        first.policy,
    )


async def _drivers(uow: UnitOfWork, booking_id: int, driver_id: int) -> Booking:
    """A driver's own booking, locked; anyone else's is reported as not existing."""
    booking = await locked(uow, booking_id)
    if booking.driver_id != driver_id:
        raise BookingNotFound(str(booking_id))
    return booking


def _check_version(booking: Booking, expected_version: int) -> None:
    if booking.version != expected_version:
        raise StaleBooking(str(booking.id), current=booking.version)


async def cancel_by_driver(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    driver_id: int,
    expected_version: int,
    free_hours: int,
    late_percent: int,
) -> tuple[Booking, CancellationTerms]:
    await _lock_payer_first(uow, booking_id)
    booking = await _drivers(uow, booking_id, driver_id)
    _check_version(booking, expected_version)
    if booking.status not in CANCELLABLE:
        raise BookingNotCancellable(str(booking_id))
    if booking.series_id is not None and booking.status == BookingStatus.AWAITING_PAYMENT:
        parts = await _unpaid_batch(uow, booking)
    else:
        parts = await _stay_parts(uow, booking, lock=True)
    # Each part on its own terms: an extension, made later, may be inside its free period still.
    each = [
        cancellation_terms(part, clock.now(), free_hours=free_hours, late_percent=late_percent)
        for part in parts
    ]
    await cancel_parts(uow, clock, parts, [t.kept for t in each], reason="cancelled")
    terms = together(each)
    if not terms.free:
        await people.change_credit(
            uow, clock, driver_id, kind=CreditEventKind.DRIVER_CANCELLED_LATE,
            booking_id=booking.id,
        )  # fmt: skip
    return booking, terms


# A cancellation by the owner this close to the start weighs more on their credit.
LATE_OWNER_CANCELLATION = timedelta(hours=24)


async def cancel_by_owner(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, owner_id: int, expected_version: int
) -> tuple[Booking, Money, int]:
    """The owner calls off a booking at their spot: the driver gets back everything paid, and
    the owner's credit pays for it. Returns the booking, the refund and the credit penalty."""
    await _lock_payer_first(uow, booking_id)
    booking = await locked(uow, booking_id)
    spot = await spots.get(uow, booking.spot_id)
    if not await operators.may_manage(uow, spot, owner_id):
        raise BookingNotFound(str(booking_id))
    _check_version(booking, expected_version)
    if booking.status not in CANCELLABLE:
        raise BookingNotCancellable(str(booking_id))
    nothing = Money(0, booking.currency)
    parts = await _stay_parts(uow, booking, lock=True)
    refunded = await cancel_parts(
        uow, clock, parts, [nothing] * len(parts), reason="owner_cancelled"
    )
    penalty = owner_cancellation_penalty(booking, clock.now())
    late = penalty == LATE_OWNER_CANCELLATION_PENALTY
    # The spot's owner answers for it, whoever of them (or their operator) pressed.
    await people.change_credit(
        uow, clock, spot.owner_id, booking_id=booking.id,
        kind=CreditEventKind.OWNER_CANCELLED_LATE if late else CreditEventKind.OWNER_CANCELLED,
    )  # fmt: skip
    return booking, refunded, penalty


async def _stay_parts(uow: UnitOfWork, booking: Booking, *, lock: bool) -> list[Booking]:
    """The booking and the extensions that follow it still cancellable: a stay is cancelled
    whole. With ``lock``, each is locked after the one it extends (ids ascend, the order sweeps
    lock in), all before any is settled, since settling takes the owner's money lock, which a
    writer holding one of these bookings may be waiting for."""
    parts = [booking]
    while (following := await uow.bookings.live_extension_of(parts[-1].id)) is not None:
        if lock:
            following = await locked(uow, following.id)
        if following.status not in CANCELLABLE:
            break
        parts.append(following)
    return parts


async def _lock_payer_first(uow: UnitOfWork, booking_id: int) -> None:
    """A stay of a series paid by another's payment: that stay first, as a payment locks them
    (ids ascend), so a payment being recorded sees this stay's change or makes it wait."""
    seen = await uow.bookings.get(booking_id)
    if seen is not None and seen.paid_with_id is not None:
        await locked(uow, seen.paid_with_id)


async def _unpaid_batch(uow: UnitOfWork, booking: Booking, *, lock: bool = True) -> list[Booking]:
    """The stays of a series waiting for the same payment as ``booking`` (itself included),
    locked in id order with ``lock``: calling off one unpaid stay calls off the payment they
    share."""
    first_id = booking.paid_with_id or booking.id
    ids = [first_id, *(b.id for b in await uow.bookings.paid_with(first_id))]
    batch = [await (locked(uow, i) if lock else get(uow, i)) for i in ids]
    return [b for b in batch if b.status == BookingStatus.AWAITING_PAYMENT]


async def unpaid_batch_size(uow: UnitOfWork, booking: Booking) -> int:
    """How many stays cancelling ``booking`` calls off, itself included: a stay of a series
    waiting for its payment goes with the others waiting for the same payment."""
    if booking.series_id is None or booking.status != BookingStatus.AWAITING_PAYMENT:
        return 1
    return len(await _unpaid_batch(uow, booking, lock=False))


async def cancel_parts(
    uow: UnitOfWork, clock: Clock, parts: list[Booking], kept: list[Money], *, reason: str
) -> Money:
    """Cancels each locked part, keeping for the owner what ``kept`` says of it; gives what was
    refunded in all."""
    refunded = Money(0, parts[0].currency)
    for part, part_kept in zip(parts, kept, strict=True):
        part = await move(uow, clock, part, BookingStatus.CANCELLED)
        refund = await settlement.settle_cancelled(uow, clock, part, kept=part_kept, reason=reason)
        if refund is not None:
            refunded += refund.amount
    return refunded


def owner_cancellation_penalty(booking: Booking, now: datetime) -> int:
    """What cancelling would cost the owner, shown before they decide."""
    if booking.start_at - ensure_utc(now) <= LATE_OWNER_CANCELLATION:
        return LATE_OWNER_CANCELLATION_PENALTY
    return OWNER_CANCELLATION_PENALTY


async def extend(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    driver_id: int,
    minutes: int,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
) -> Booking:
    """More time right after a stay: a booking of its own, priced and paid the same way."""
    booking = await _drivers(uow, booking_id, driver_id)
    if booking.status not in EXTENDABLE or booking.end_at <= clock.now():
        raise BookingNotExtendable(str(booking_id))
    return await request(
        uow, clock, driver_id=driver_id, spot_id=booking.spot_id, start=booking.end_at,
        end=booking.end_at + timedelta(minutes=minutes),
        commission_basis_points=commission_basis_points, extends=booking,
        trusted_owner_commission_basis_points=trusted_owner_commission_basis_points,
    )  # fmt: skip


# --- time passing -----------------------------------------------------------------------------

STARTS_SOON = timedelta(minutes=15)
ENDS_SOON = timedelta(minutes=10)


class NoticeKind(StrEnum):
    """A message about a booking that goes out once: the kind its claim is stored under."""

    STARTS_SOON = "starts_soon"
    ENDS_SOON = "ends_soon"
    ENDED = "ended"
    ARRIVAL_ETA = "arrival_eta"


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    booking: Booking
    spot: Spot
    # "Ends soon": the extensions, in minutes, the spot is free for after the end.
    free_for: tuple[int, ...] = ()


# The extensions a driver is offered as their stay ends, in minutes.
EXTENSIONS_MIN = (30, 60, 120)


async def advance(uow: UnitOfWork, clock: Clock) -> list[Notice]:
    """Start and end stays on time, and claim each reminder due: what the caller must tell
    people, each exactly once however often this runs or restarts."""
    # Two processes' sweeps would claim reminders in different orders and deadlock.
    await uow.one_at_a_time("advance_bookings")
    now = clock.now()
    notices: list[Notice] = []
    starting = await uow.bookings.in_status_starting_before(BookingStatus.CONFIRMED, now)
    ending = await uow.bookings.in_status_ending_before(BookingStatus.ACTIVE, now)
    # Every booking the sweep moves is locked before any person's or money's row, in id order as
    # a cancellation locks a stay's parts: a cancel holding one of them while it waits for the
    # owner's row would otherwise deadlock with a sweep holding that row from an earlier stay.
    for candidate_id in sorted({candidate.id for candidate in (*starting, *ending)}):
        await locked(uow, candidate_id)
    # Then their owners' money, in owner order, before any person's row: each stay that ends
    # queues a payout sized by what its owner is owed, which no other writer may change meanwhile.
    owners = {
        (await spots.get(uow, candidate.spot_id)).owner_id for candidate in (*starting, *ending)
    }
    # With the operators who take a share of their payouts, all in one order.
    await settlement.lock_payees_money(uow, owners)
    for candidate in starting:
        booking = await locked(uow, candidate.id)
        if booking.status == BookingStatus.CONFIRMED:  # not cancelled or disputed meanwhile
            await move(uow, clock, booking, BookingStatus.ACTIVE)
    for candidate in await uow.bookings.in_status_ending_before(BookingStatus.ACTIVE, now):
        booking = await locked(uow, candidate.id)
        if booking.status != BookingStatus.ACTIVE or booking.end_at > now:
            continue  # disputed meanwhile
        await move(uow, clock, booking, BookingStatus.COMPLETED)
        await settlement.settle_completed(uow, clock, booking)
        owner_id = (await spots.get(uow, booking.spot_id)).owner_id
        for person_id in (booking.driver_id, owner_id):
            await people.change_credit(
                uow, clock, person_id, kind=CreditEventKind.COMPLETED_STAY,
                booking_id=booking.id,
            )  # fmt: skip
        if await _goes_on(uow, booking):
            continue  # a paid extension follows: the stay ends with it, and says so then
        if await _of_a_pass(uow, booking):
            continue
        if await claim_notice(uow, clock, booking.id, NoticeKind.ENDED):
            notices.append(Notice(NoticeKind.ENDED, booking, await spots.get(uow, booking.spot_id)))
    for booking in await uow.bookings.in_status_starting_before(
        BookingStatus.CONFIRMED, now + STARTS_SOON
    ):
        if booking.extends_id is not None or await _of_a_pass(uow, booking):
            continue  # the driver is already parked there
        if await claim_notice(uow, clock, booking.id, NoticeKind.STARTS_SOON):
            notices.append(
                Notice(NoticeKind.STARTS_SOON, booking, await spots.get(uow, booking.spot_id))
            )
    for booking in await uow.bookings.in_status_ending_before(
        BookingStatus.ACTIVE, now + ENDS_SOON
    ):
        if await uow.bookings.live_extension_of(booking.id):
            continue  # the stay goes on: its extension will remind in its turn
        if await _of_a_pass(uow, booking):
            continue
        if await claim_notice(uow, clock, booking.id, NoticeKind.ENDS_SOON):
            spot = await spots.get(uow, booking.spot_id)
            free_for = [
                minutes
                for minutes in EXTENSIONS_MIN
                if await is_free(
                    uow, spot, booking.end_at, booking.end_at + timedelta(minutes=minutes)
                )
            ]
            notices.append(Notice(NoticeKind.ENDS_SOON, booking, spot, tuple(free_for)))
    return notices


async def _of_a_pass(uow: UnitOfWork, booking: Booking) -> bool:
    """A night (or day) of a monthly pass: its holder knows their hours, and is not told of
    every start and end of them."""
    return booking.series_id is not None and bool(await uow.bookings.in_passes([booking.id]))


async def _goes_on(uow: UnitOfWork, booking: Booking) -> bool:
    extension = await uow.bookings.live_extension_of(booking.id)
    return extension is not None and extension.status in EXTENDABLE


async def claim_notice(uow: UnitOfWork, clock: Clock, booking_id: int, kind: StrEnum) -> bool:
    """True the first time a notice is claimed for a booking, False ever after. ``kind`` is
    a ``NoticeKind`` or one of the stay checks' notices."""
    return await uow.bookings.claim_notice(booking_id, kind, clock.now())


async def live_of_driver_starting_soon(
    uow: UnitOfWork, clock: Clock, driver_id: int, *, within: timedelta
) -> list[tuple[Booking, Spot]]:
    """The driver's confirmed or active bookings that start within ``within`` (or have)."""
    now = clock.now()
    return [
        (booking, spot)
        for booking, spot in await uow.bookings.of_driver_with_spots(
            driver_id, ending_after=now, limit=5
        )
        if booking.status in EXTENDABLE and booking.start_at <= now + within
    ]


async def past_of_driver(
    uow: UnitOfWork, clock: Clock, driver_id: int, *, limit: int = 5
) -> list[tuple[Booking, Spot]]:
    return await uow.bookings.past_of_driver_with_spots(driver_id, clock.now(), limit=limit)


async def at_owners_spots(
    uow: UnitOfWork, clock: Clock, owner_id: int, *, limit: int = 10
) -> list[tuple[Booking, Spot]]:
    """Bookings at the owner's spots that are still to come or under way."""
    return await uow.bookings.of_owner_with_spots(owner_id, ending_after=clock.now(), limit=limit)


async def completed_at_owners_spots(
    uow: UnitOfWork, owner_id: int, *, limit: int = 5
) -> list[tuple[Booking, Spot]]:
    """The latest stays over at the owner's spots, newest first."""
    return await uow.bookings.completed_at_owners_spots(owner_id, limit=limit)
