"""Weekly series: the stays of a driver's pattern ("Mon-Fri 8-18 for 2 weeks") at one spot,
checked together, booked in one transaction and paid once.

Each stay is a booking of its own, for reminders, check-in, disputes, cancellation and payout.
The first stay carries the payment for all of them (its charge is their sum); when the money
arrives, each other stay's price moves from the first one's escrow to its own, through the
first one's "moving:" account, so every booking's money is its own from then on, and a stay
cancelled later is refunded on its own terms against that one payment."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.credit import CreditEventKind
from core.db.models import Booking, BookingSeries, Person, Spot
from core.db.uow import Database, UnitOfWork
from core.errors import (
    BookingNotCancellable,
    OwnSpot,
    SeriesNotFound,
    SpotNotBookable,
    StaleBooking,
)
from core.geo import GeoPoint
from core.money import Money
from core.pricing import price_of
from core.recurrence import Pattern, parse_pattern
from core.services import bookings, ledger, people, saved_searches, spots
from core.services.bookings import CancellationTerms
from core.services.ledger import ESCROW, Posting, moving_account
from core.services.saved_searches import FreedSpot
from core.services.search import SearchFilters, SpotHit, nearest_free
from core.status import BookingStatus, SpotStatus
from core.window import Window


@dataclass(frozen=True, slots=True)
class Occurrence:
    window: Window
    price: Money
    free: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """A pattern's stays at a spot, each free or taken, as the driver is shown them."""

    spot: Spot
    pattern: Pattern
    occurrences: tuple[Occurrence, ...]

    @property
    def free(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.free]

    @property
    def taken(self) -> list[Occurrence]:
        return [o for o in self.occurrences if not o.free]

    def first_week_price(self) -> Money:
        """What paying week by week asks now: the free stays of the first week."""
        free = self.free
        zone = ZoneInfo(self.spot.timezone)
        first = [o for o in free if free and _week(o.window.start, zone) == _week(
            free[0].window.start, zone)]  # fmt: skip
        return sum((o.price for o in first), Money(0, self.spot.hourly_price.currency))

    @property
    def weeks(self) -> int:
        zone = ZoneInfo(self.spot.timezone)
        return len({_week(o.window.start, zone) for o in self.free})

    @property
    def price(self) -> Money:
        """The price of the stays that are free: what booking them costs."""
        free = self.free
        nothing = Money(0, self.spot.hourly_price.currency)
        return sum((o.price for o in free), nothing)


async def plan(uow: UnitOfWork, clock: Clock, *, spot_id: int, driver_id: int, text: str) -> Plan:
    """Read a pattern in the spot's zone and check each of its stays against the spot's hours
    and bookings. Raises what ``parse_pattern`` raises."""
    spot = await spots.get(uow, spot_id)
    if spot.status != SpotStatus.APPROVED:
        raise SpotNotBookable(str(spot_id))
    if spot.owner_id == driver_id:
        raise OwnSpot(str(spot_id))
    pattern = parse_pattern(text, zone=ZoneInfo(spot.timezone), now=clock.now())
    occurrences = tuple([
        Occurrence(
            window, price_of(spot, window),
            await bookings.is_free(uow, spot, window.start, window.end),
        )
        for window in pattern.stays
    ])  # fmt: skip
    return Plan(spot, pattern, occurrences)


# Nearest spots free for the pattern's first stay that are read to find those free for all.
ELSEWHERE_CANDIDATES = 20


async def elsewhere(
    db: Database, clock: Clock, plan: Plan, *, driver_id: int, most: int
) -> list[SpotHit]:
    """The spots nearest to the plan's that are free for every stay of its pattern, at most
    ``most``: the nearest free for the first stay, each then checked for the others."""
    windows = [o.window for o in plan.occurrences]
    if not windows:
        return []
    spot = plan.spot
    nearby = await nearest_free(
        db, point=GeoPoint(spot.lat, spot.lon), start=windows[0].start, end=windows[0].end,
        now=clock.now(), k=ELSEWHERE_CANDIDATES, filters=SearchFilters(),
    )  # fmt: skip
    found: list[SpotHit] = []
    async with db.reading() as uow:
        for hit in nearby.hits:
            if hit.spot_id == spot.id:
                continue
            candidate = await spots.get(uow, hit.spot_id)
            if candidate.owner_id == driver_id:
                continue
            if await _free_for_all(uow, candidate, windows[1:]):
                found.append(hit)
                if len(found) == most:
                    break
    return found


@dataclass(frozen=True, slots=True)
class PatternHit:
    """A spot free for every stay of a pattern, and what all of them cost there."""

    hit: SpotHit
    price: Money


async def nearest_for_pattern(
    db: Database, clock: Clock, *, point: GeoPoint, pattern: Pattern, driver_id: int, most: int
) -> list[PatternHit]:
    """The spots nearest to ``point`` free for every stay of ``pattern``: the nearest free
    for its first stay (on the store's spatial index, as any search), each then checked for
    the others and priced for all of them."""
    stays = list(pattern.stays)
    nearby = await nearest_free(
        db, point=point, start=stays[0].start, end=stays[0].end, now=clock.now(),
        k=ELSEWHERE_CANDIDATES, filters=SearchFilters(),
    )  # fmt: skip
    found: list[PatternHit] = []
    async with db.reading() as uow:
        for hit in nearby.hits:
            spot = await spots.get(uow, hit.spot_id)
            if spot.owner_id == driver_id or not await _free_for_all(uow, spot, stays[1:]):
                continue
            price = sum((price_of(spot, stay) for stay in stays[1:]), price_of(spot, stays[0]))
            found.append(PatternHit(hit, price))
            if len(found) == most:
                break
    return found


async def _free_for_all(uow: UnitOfWork, spot: Spot, windows: list[Window]) -> bool:
    for window in windows:
        if not await bookings.is_free(uow, spot, window.start, window.end):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Booked:
    series: BookingSeries
    bookings: list[Booking]

    @property
    def first(self) -> Booking:
        """The stay whose payment pays for all of them."""
        return self.bookings[0]

    @property
    def price(self) -> Money:
        return sum((b.price for b in self.bookings[1:]), self.bookings[0].price)


# A later week paid week by week is due this long before its first stay, and billed (asked
# for in chat) ``WEEK_BILLED_AHEAD`` before that.
WEEK_DUE_BEFORE = timedelta(hours=12)
WEEK_BILLED_AHEAD = timedelta(days=3)


async def book(
    uow: UnitOfWork,
    clock: Clock,
    *,
    driver_id: int,
    spot_id: int,
    pattern: str,
    windows: list[Window],
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
    week_by_week: bool = False,
    member_of: frozenset[int] = frozenset(),
) -> Booked:
    """Book every window of a pattern, all or none: ``WindowTaken`` if any was taken since the
    plan (the caller's rollback undoes the others), ``SeriesNeedsAnswer`` when the owner
    answers each booking. The stays wait for one payment, made for the first; paid
    ``week_by_week``, each week's stays (in the spot's calendar) wait for a payment of their
    own, the first week's now and each later one's until ``WEEK_DUE_BEFORE`` its first stay."""
    series = await uow.bookings.add_series(
        BookingSeries(spot_id=spot_id, driver_id=driver_id, pattern=pattern, created_at=clock.now())
    )
    zone = ZoneInfo((await spots.get(uow, spot_id)).timezone)
    made: list[Booking] = []
    first_of_week: Booking | None = None
    for window in sorted(windows, key=lambda w: w.start):
        if first_of_week is None or (
            week_by_week and _week(window.start, zone) != _week(first_of_week.start_at, zone)
        ):
            payer, pay_by = None, None
            if first_of_week is not None:  # a later week
                pay_by = max(window.start - WEEK_DUE_BEFORE, clock.now())
        else:
            payer, pay_by = first_of_week, first_of_week.pay_by
        booking = await bookings.request(
            uow, clock, driver_id=driver_id, spot_id=spot_id, start=window.start,
            end=window.end, commission_basis_points=commission_basis_points,
            trusted_owner_commission_basis_points=trusted_owner_commission_basis_points,
            series_id=series.id, paid_with=payer, pay_by=pay_by, member_of=member_of,
        )  # fmt: skip
        if payer is None:
            first_of_week = booking
        made.append(booking)
    return Booked(series, made)


def _week(moment: datetime, zone: ZoneInfo) -> tuple[int, int]:
    year, week, _day = moment.astimezone(zone).isocalendar()
    return year, week


async def weeks_to_bill(uow: UnitOfWork, clock: Clock) -> list[WeekDue]:
    """Later weeks of series paid week by week whose payment is due within
    ``WEEK_BILLED_AHEAD``: each billed once (claimed on its first stay)."""
    now = clock.now()
    due = []
    for first in await uow.bookings.awaiting_payment_by(now + WEEK_BILLED_AHEAD):
        if first.series_id is None or first.paid_with_id is not None or first.pay_by is None:
            continue
        if await uow.bookings.in_passes([first.id]):
            continue  # a pass's month is billed and reminded by the pass
        if not await bookings.claim_notice(uow, clock, first.id, SeriesNotice.WEEK_BILLED):
            continue
        week = [first, *(b for b in await uow.bookings.paid_with(first.id)
                         if b.status == BookingStatus.AWAITING_PAYMENT)]  # fmt: skip
        due.append(
            WeekDue(
                first, week, await spots.get(uow, first.spot_id),
                await people.get(uow, first.driver_id),
            )
        )  # fmt: skip
    return due


class SeriesNotice(StrEnum):
    # Claimed when a later week of a series paid week by week is billed.
    WEEK_BILLED = "series_week_due"


@dataclass(frozen=True, slots=True)
class WeekDue:
    first: Booking
    stays: list[Booking]
    spot: Spot
    driver: Person

    @property
    def price(self) -> Money:
        return sum((b.price for b in self.stays[1:]), self.stays[0].price)


async def batch_price(uow: UnitOfWork, first: Booking) -> Money:
    """What the payment of ``first`` is for: its price, and the prices of the other stays of
    its series it pays that still wait for it."""
    price = first.price
    for other in await uow.bookings.paid_with(first.id):
        if other.status == BookingStatus.AWAITING_PAYMENT:
            price += other.price
    return price


async def share_out(uow: UnitOfWork, clock: Clock, first: Booking) -> list[Booking]:
    """The payment of ``first`` arrived and confirmed it: confirm the other stays it pays and
    move each one's price to its own escrow. Locks them in id order, after ``first``."""
    confirmed: list[Booking] = []
    for candidate in await uow.bookings.paid_with(first.id):
        other = await bookings.locked(uow, candidate.id)
        if other.status != BookingStatus.AWAITING_PAYMENT:
            continue
        await bookings.move(uow, clock, other, BookingStatus.CONFIRMED)
        confirmed.append(other)
    priced = [other for other in confirmed if other.price.minor > 0]
    if not priced:
        return confirmed
    moved = sum((other.price for other in priced[1:]), priced[0].price)
    await ledger.post(
        uow, clock, kind="series_out", idempotency_key=f"booking:{first.id}:series_out",
        booking_id=first.id,
        postings=[Posting(ESCROW, -moved), Posting(moving_account(first.id), moved)],
    )  # fmt: skip
    for other in priced:
        await ledger.post(
            uow, clock, kind="series_in", idempotency_key=f"booking:{other.id}:series_in",
            booking_id=other.id,
            postings=[Posting(moving_account(first.id), -other.price),
                      Posting(ESCROW, other.price)],
        )  # fmt: skip
    return confirmed


@dataclass(frozen=True, slots=True)
class SeriesView:
    series: BookingSeries
    spot: Spot
    bookings: list[Booking]

    @property
    def ahead(self) -> list[Booking]:
        """The stays still to come that can be cancelled."""
        return [b for b in self.bookings if b.status in bookings.CANCELLABLE]


async def of_driver(uow: UnitOfWork, *, series_id: int, driver_id: int) -> SeriesView:
    """A driver's own series; anyone else's is reported as not existing."""
    series = await uow.bookings.series(series_id)
    if series is None or series.driver_id != driver_id:
        raise SeriesNotFound(str(series_id))
    return SeriesView(
        series, await spots.get(uow, series.spot_id), await uow.bookings.of_series(series_id)
    )


async def paid_together(uow: UnitOfWork, first: Booking) -> list[Booking]:
    """The stays one payment paid for: ``first`` and those of its series paid with it."""
    return [first, *await uow.bookings.paid_with(first.id)]


def _terms_of(
    stays: list[Booking], now: datetime, *, free_hours: int, late_percent: int
) -> CancellationTerms:
    return bookings.together([
        bookings.cancellation_terms(b, now, free_hours=free_hours, late_percent=late_percent)
        for b in stays
    ])  # fmt: skip


async def rest_terms(
    uow: UnitOfWork,
    clock: Clock,
    *,
    series_id: int,
    driver_id: int,
    free_hours: int,
    late_percent: int,
) -> tuple[SeriesView, CancellationTerms | None]:
    """What cancelling the stays still ahead would give back and keep, shown before the driver
    decides (None when none can be cancelled); ``cancel_rest`` then applies the same."""
    view = await of_driver(uow, series_id=series_id, driver_id=driver_id)
    if not view.ahead or view.series.pass_id is not None:
        # A pass's month is ended by notice on the pass, not all at once from here.
        return view, None
    terms = _terms_of(view.ahead, clock.now(), free_hours=free_hours, late_percent=late_percent)
    return view, terms


def rest_fingerprint(ahead: list[Booking], terms: CancellationTerms) -> int:
    """Names what cancelling the stays ahead was shown to do: which stays, as they were, and the
    money. A confirmation of anything else is asked again."""
    stays = ",".join(f"{b.id}.{b.version}" for b in ahead)
    return zlib.crc32(f"{stays}|{terms.refund.minor}|{terms.kept.minor}".encode())


@dataclass(frozen=True, slots=True)
class Cancelled:
    view: SeriesView
    cancelled: list[Booking]
    terms: CancellationTerms
    # The waiting drivers the freed time answers.
    freed: list[FreedSpot]
    # Both sides, for what each is told.
    owner: Person
    driver: Person


async def cancel_rest(
    uow: UnitOfWork,
    clock: Clock,
    *,
    series_id: int,
    driver_id: int,
    free_hours: int,
    late_percent: int,
    shown: int,
) -> Cancelled:
    """Cancel every stay of the series not begun yet, each on its own terms (a stay days away
    is free to cancel when one tomorrow is not); a late one costs the driver credit once.
    ``shown`` is the ``rest_fingerprint`` of the terms the driver agreed to."""
    view = await of_driver(uow, series_id=series_id, driver_id=driver_id)
    if view.series.pass_id is not None:
        raise BookingNotCancellable(f"series {series_id} is a month of a pass")
    ahead = [await bookings.locked(uow, b.id) for b in view.ahead]
    ahead = [b for b in ahead if b.status in bookings.CANCELLABLE]
    if not ahead:
        raise BookingNotCancellable(f"series {series_id}")
    now = clock.now()
    each = [
        bookings.cancellation_terms(b, now, free_hours=free_hours, late_percent=late_percent)
        for b in ahead
    ]
    terms = bookings.together(each)
    if rest_fingerprint(ahead, terms) != shown:
        raise StaleBooking(f"series {series_id}")
    await bookings.cancel_parts(uow, clock, ahead, [t.kept for t in each], reason="cancelled")
    if not terms.free:
        await people.change_credit(
            uow, clock, driver_id, kind=CreditEventKind.DRIVER_CANCELLED_LATE,
            booking_id=ahead[0].id,
        )  # fmt: skip
    freed = await saved_searches.freed_for_waiting_drivers(uow, clock, [view.spot.id])
    owner = await people.get(uow, view.spot.owner_id)
    return Cancelled(view, ahead, terms, freed, owner, await people.get(uow, driver_id))
