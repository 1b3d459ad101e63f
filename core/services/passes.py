"""Monthly passes: an owner offers a spot by the month (a daily band, a price a month, a
notice period); a driver takes a pass, and each month of it is a weekly-series-like set of
stays, booked together and paid at once with its first stay, so the database's own guard
against double booking holds between single bookings, series and passes alike.

A month is billed ``RENEW_AHEAD`` before it begins and waits for its money until it begins;
unpaid by then, its stays expire (the expiry sweep), the time goes back to the spot and the
pass lapses. Notice from either side ends the pass at the first month's end at least the
notice period away; a month billed past that is called off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.availability import WeeklyRule
from core.clock import Clock
from core.db.models import (
    Booking,
    BookingSeries,
    MonthlyPass,
    PassOffer,
    PassStatus,
    Person,
    Spot,
)
from core.db.uow import UnitOfWork
from core.errors import (
    DomainError,
    InvalidInput,
    NotTheOwner,
    OwnSpot,
    PassNotFound,
    PassNotOffered,
    SpotNotBookable,
)
from core.money import Money
from core.monthly import decode_band, encode_band, month_after, priced, stays_of
from core.ports import SavedCard
from core.services import bookings, operators, people, settlement, spots
from core.services.series import Booked
from core.status import BookingStatus, SpotStatus
from core.window import Window, next_step

# The next month is billed this long before it begins, and waits for its money until then.
RENEW_AHEAD = timedelta(days=5)
# Reminders of an unpaid month, this long before it begins.
REMIND_BEFORE = (timedelta(days=3), timedelta(days=1))
NOTICE_DAYS = (7, 14, 30)


# --- the owner's offer ---------------------------------------------------------------------


async def offer(
    uow: UnitOfWork,
    clock: Clock,
    *,
    owner_id: int,
    spot_id: int,
    band: tuple[WeeklyRule, ...],
    monthly: Money,
    notice_days: int,
) -> PassOffer:
    """Offer (or change the offer of) a spot by the month. Passes already taken keep their
    terms."""
    spot = await spots.get(uow, spot_id)
    if not await operators.may_manage(uow, spot, owner_id):
        raise NotTheOwner(str(spot_id))
    if monthly.currency != spot.currency or monthly.minor <= 0:
        raise InvalidInput(f"monthly price {monthly}")
    if notice_days not in NOTICE_DAYS:
        raise InvalidInput(f"notice of {notice_days} days")
    now = clock.now()
    existing = await uow.bookings.pass_offer(spot_id)
    if existing is None:
        existing = PassOffer(spot_id=spot_id, created_at=now)
        uow.bookings.add(existing)
    existing.band, existing.monthly_price = encode_band(band), monthly
    existing.notice_days, existing.active, existing.updated_at = notice_days, True, now
    await uow.bookings.flush()
    return existing


async def withdraw(uow: UnitOfWork, clock: Clock, *, owner_id: int, spot_id: int) -> None:
    """No new passes; those taken run on until notice."""
    spot = await spots.get(uow, spot_id)
    if not await operators.may_manage(uow, spot, owner_id):
        raise NotTheOwner(str(spot_id))
    existing = await uow.bookings.pass_offer(spot_id)
    if existing is not None:
        existing.active, existing.updated_at = False, clock.now()


async def offer_of(uow: UnitOfWork, spot_id: int) -> PassOffer | None:
    """The spot's offer while it stands."""
    existing = await uow.bookings.pass_offer(spot_id)
    return existing if existing is not None and existing.active else None


# --- taking a pass -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Month:
    """A month of a pass at a spot: its stays, each free or taken, and what each costs."""

    spot: Spot
    start: datetime
    end: datetime
    stays: tuple[Window, ...]
    free: tuple[bool, ...]
    prices: tuple[Money, ...]

    @property
    def price(self) -> Money:
        return sum(self.prices, Money(0, self.spot.hourly_price.currency))

    @property
    def taken(self) -> list[Window]:
        return [stay for stay, is_free in zip(self.stays, self.free, strict=True) if not is_free]

    @property
    def bookable(self) -> list[tuple[Window, Money]]:
        return [
            (stay, price)
            for stay, is_free, price in zip(self.stays, self.free, self.prices, strict=True)
            if is_free
        ]


async def _month(
    uow: UnitOfWork,
    spot: Spot,
    band: tuple[WeeklyRule, ...],
    monthly: Money,
    start: datetime,
    end: datetime | None = None,
) -> Month:
    """From ``start`` to ``end`` (by default a month after ``start``)."""
    zone = ZoneInfo(spot.timezone)
    end = end or month_after(start, zone)
    stays = stays_of(band, zone, start, end)
    free = [await bookings.is_free(uow, spot, stay.start, stay.end) for stay in stays]
    return Month(spot, start, end, tuple(stays), tuple(free), tuple(priced(monthly, stays, free)))


@dataclass(frozen=True, slots=True)
class Quote:
    offer: PassOffer
    month: Month

    @property
    def band(self) -> tuple[WeeklyRule, ...]:
        return decode_band(self.offer.band)


async def quote(uow: UnitOfWork, clock: Clock, *, spot_id: int, driver_id: int) -> Quote:
    """The first month of a pass a driver would take now: from the next five-minute mark, a
    calendar month of the offer's band. ``PassNotOffered`` when the spot has no offer, or the
    driver holds a pass there already."""
    spot = await spots.get(uow, spot_id)
    if spot.status != SpotStatus.APPROVED:
        raise SpotNotBookable(str(spot_id))
    if spot.owner_id == driver_id:
        raise OwnSpot(str(spot_id))
    standing = await offer_of(uow, spot_id)
    if standing is None or await uow.bookings.active_passes(spot_id=spot_id, driver_id=driver_id):
        raise PassNotOffered(str(spot_id))
    start = next_step(clock.now())
    band = decode_band(standing.band)
    return Quote(standing, await _month(uow, spot, band, standing.monthly_price, start))


def terms_of(quote: Quote) -> str:
    """What the driver agrees to, as one comparable value."""
    month = quote.month
    starts = ",".join(stay.start.isoformat() for stay, _price in month.bookable)
    return f"{month.price.minor} {month.price.currency} {quote.offer.notice_days} {starts}"


@dataclass(frozen=True, slots=True)
class Taken:
    monthly_pass: MonthlyPass
    first_month: Booked


async def take(
    uow: UnitOfWork,
    clock: Clock,
    *,
    spot_id: int,
    driver_id: int,
    agreed: str,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
    member_of: frozenset[int] = frozenset(),
) -> Taken | Quote:
    """Take a pass on the terms the driver saw (``agreed``, from ``terms_of``): the pass and
    its first month, waiting for payment. When the terms changed meanwhile, the new quote
    instead, and nothing is written."""
    fresh = await quote(uow, clock, spot_id=spot_id, driver_id=driver_id)
    if terms_of(fresh) != agreed or not fresh.month.bookable:
        return fresh
    now = clock.now()
    offered = fresh.offer
    monthly_pass = MonthlyPass(
        spot_id=spot_id, driver_id=driver_id, band=offered.band, currency=offered.currency,
        monthly_minor=offered.monthly_minor, notice_days=offered.notice_days,
        status=PassStatus.ACTIVE, version=1, created_at=now, updated_at=now,
    )  # fmt: skip
    uow.bookings.add(monthly_pass)
    await uow.bookings.flush()
    booked = await _book_month(
        uow, clock, monthly_pass, fresh.month, commission_basis_points,
        trusted_owner_commission_basis_points, pay_by=None, member_of=member_of,
    )  # fmt: skip
    return Taken(monthly_pass, booked)


async def _book_month(
    uow: UnitOfWork,
    clock: Clock,
    monthly_pass: MonthlyPass,
    month: Month,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None,
    *,
    pay_by: datetime | None,
    member_of: frozenset[int] = frozenset(),
) -> Booked:
    """A month of the pass; ``pay_by`` set for a renewal, paid later and asked nothing the
    driver met when the pass began."""
    series = BookingSeries(
        spot_id=monthly_pass.spot_id, driver_id=monthly_pass.driver_id, pattern="",
        pass_id=monthly_pass.id, period_start_at=month.start, period_end_at=month.end,
        created_at=clock.now(),
    )  # fmt: skip
    await uow.bookings.add_series(series)
    made: list[Booking] = []
    for stay, price in month.bookable:
        made.append(
            await bookings.request(
                uow, clock, driver_id=monthly_pass.driver_id, spot_id=monthly_pass.spot_id,
                start=stay.start, end=stay.end, commission_basis_points=commission_basis_points,
                trusted_owner_commission_basis_points=trusted_owner_commission_basis_points,
                series_id=series.id, paid_with=made[0] if made else None, price=price,
                pay_by=pay_by, owner_agreed=True, admitted=pay_by is not None,
                member_of=member_of,
            )
        )  # fmt: skip
    return Booked(series, made)


# --- month after month -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Renewal:
    monthly_pass: MonthlyPass
    month: Month
    booked: Booked
    driver: Person
    owner: Person


async def renew_due(
    uow: UnitOfWork,
    clock: Clock,
    *,
    commission_basis_points: int,
    trusted_owner_commission_basis_points: int | None = None,
) -> list[Renewal]:
    """Bill the next month of every pass whose month ends within ``RENEW_AHEAD`` and that no
    notice ends first: its stays wait for payment until the month begins."""
    await uow.one_at_a_time("renew_passes")
    now = clock.now()
    renewed = []
    for candidate in await uow.bookings.active_passes():
        monthly_pass = await uow.bookings.monthly_pass(candidate.id, lock=True)
        assert monthly_pass is not None
        months = await uow.bookings.months_of(monthly_pass.id)
        if not months or monthly_pass.status != PassStatus.ACTIVE:
            continue
        latest = months[-1]
        assert latest.period_end_at is not None
        ends = latest.period_end_at
        if ends - now > RENEW_AHEAD or (monthly_pass.ends_at and ends >= monthly_pass.ends_at):
            continue
        if not await _paid(uow, latest):
            continue  # the month before is not paid: it lapses first
        spot = await spots.get(uow, monthly_pass.spot_id)
        band = decode_band(monthly_pass.band)
        # A sweep that ran late starts the month now rather than in the past.
        start = max(ends, next_step(now))
        try:
            async with uow.savepoint():
                # The month after the one that ends, keeping the first month's day and hour,
                # however late the sweep starts it.
                month_end = month_after(
                    ends, ZoneInfo(spot.timezone), anchor=months[0].period_start_at
                )
                month = await _month(uow, spot, band, monthly_pass.monthly_price, start, month_end)
                if not month.bookable:
                    raise SpotNotBookable(f"spot {spot.id}: nothing of the band is free")
                booked = await _book_month(
                    uow, clock, monthly_pass, month, commission_basis_points,
                    trusted_owner_commission_basis_points, pay_by=start,
                )  # fmt: skip
        except DomainError:
            # The spot was paused or its band taken, the driver banned: this pass ends with
            # its month, and the others renew.
            monthly_pass.ends_at = ends
            continue
        renewed.append(
            Renewal(
                monthly_pass, month, booked, await people.get(uow, monthly_pass.driver_id),
                await people.get(uow, spot.owner_id),
            )
        )  # fmt: skip
    return renewed


# A month with a stay in one of these was paid (a stay cancelled later leaves the others).
_PAID = frozenset({BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED,
                   BookingStatus.DISPUTED})  # fmt: skip


async def _paid(uow: UnitOfWork, month: BookingSeries) -> bool:
    return any(stay.status in _PAID for stay in await uow.bookings.of_series(month.id))


class PassReminder(StrEnum):
    """Reminders of an unpaid month, each sent once (claimed on its first stay)."""

    THREE_DAYS = "pass_due_3d"
    ONE_DAY = "pass_due_1d"


@dataclass(frozen=True, slots=True)
class Unpaid:
    """A billed month still waiting for its money, its first stay (the one paid), and the
    reminder now due for it."""

    monthly_pass: MonthlyPass
    spot: Spot
    first: Booking
    pay_by: datetime
    reminder: PassReminder
    driver: Person


async def reminders_due(uow: UnitOfWork, clock: Clock) -> list[Unpaid]:
    """Billed months still unpaid whose next reminder is due, each claimed once."""
    now = clock.now()
    due = []
    for monthly_pass in await uow.bookings.active_passes():
        months = await uow.bookings.months_of(monthly_pass.id)
        stays = await uow.bookings.of_series(months[-1].id) if months else []
        first = stays[0] if stays else None
        if (
            first is None
            or first.status != BookingStatus.AWAITING_PAYMENT
            or first.pay_by is None
            or first.pay_by - now > REMIND_BEFORE[0]
        ):
            continue
        kind = (
            PassReminder.ONE_DAY if first.pay_by - now <= REMIND_BEFORE[1]
            else PassReminder.THREE_DAYS
        )  # fmt: skip
        if await bookings.claim_notice(uow, clock, first.id, kind):
            due.append(
                Unpaid(
                    monthly_pass, await spots.get(uow, monthly_pass.spot_id), first,
                    first.pay_by, kind, await people.get(uow, monthly_pass.driver_id),
                )
            )  # fmt: skip
    return due


@dataclass(frozen=True, slots=True)
class PassOver:
    monthly_pass: MonthlyPass
    spot: Spot
    driver: Person
    owner: Person


async def close_finished(uow: UnitOfWork, clock: Clock) -> list[PassOver]:
    """Passes whose last month is over (``ENDED``) or whose billed month lapsed unpaid
    (``LAPSED``: its stays have expired and their time is the spot's again)."""
    now = clock.now()
    closed = []
    for candidate in await uow.bookings.active_passes():
        monthly_pass = await uow.bookings.monthly_pass(candidate.id, lock=True)
        assert monthly_pass is not None
        if monthly_pass.status != PassStatus.ACTIVE:
            continue
        months = await uow.bookings.months_of(monthly_pass.id)
        stays = await uow.bookings.of_series(months[-1].id) if months else []
        # An unpaid month's stays all expire together, at its start.
        lapsed = bool(stays) and all(stay.status == BookingStatus.EXPIRED for stay in stays)
        last_end = months[-1].period_end_at if months else None
        over = (monthly_pass.ends_at is not None and monthly_pass.ends_at <= now) or (
            last_end is not None and last_end <= now
        )
        if lapsed or over:
            monthly_pass.move_to(PassStatus.LAPSED if lapsed else PassStatus.ENDED, now)
            spot = await spots.get(uow, monthly_pass.spot_id)
            closed.append(
                PassOver(
                    monthly_pass, spot, await people.get(uow, monthly_pass.driver_id),
                    await people.get(uow, spot.owner_id),
                )
            )  # fmt: skip
    return closed


async def card_saved(uow: UnitOfWork, paid: Booking, card: SavedCard) -> None:
    """The first month of a pass was paid with a card the gateway saved: the months after are
    charged to it."""
    if paid.series_id is None:
        return
    series = await uow.bookings.series(paid.series_id)
    if series is None or series.pass_id is None:
        return
    monthly_pass = await uow.bookings.monthly_pass(series.pass_id, lock=True)
    if monthly_pass is not None and monthly_pass.driver_id == paid.driver_id:
        monthly_pass.card_customer_ref, monthly_pass.card_method_ref = card.customer, card.method


def saved_card_of(monthly_pass: MonthlyPass) -> SavedCard | None:
    if monthly_pass.card_customer_ref and monthly_pass.card_method_ref:
        return SavedCard(monthly_pass.card_customer_ref, monthly_pass.card_method_ref)
    return None


async def monthly_prices(uow: UnitOfWork, spot_ids: list[int]) -> dict[int, Money]:
    """The price a month of each of these spots offered by the month."""
    prices = {}
    for spot_id in spot_ids:
        standing = await offer_of(uow, spot_id)
        if standing is not None:
            prices[spot_id] = standing.monthly_price
    return prices


async def stays_of_passes(uow: UnitOfWork, booking_ids: list[int]) -> set[int]:
    """Of these bookings, those that are stays of a monthly pass."""
    return await uow.bookings.in_passes(booking_ids)


# --- notice ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    monthly_pass: MonthlyPass
    spot: Spot
    ends_at: datetime
    # Stays of a month billed past the end, called off.
    called_off: list[Booking]
    driver: Person
    owner: Person
    # False when notice had been given already: nothing changed.
    given_now: bool = True


async def give_notice(uow: UnitOfWork, clock: Clock, *, pass_id: int, person_id: int) -> Notice:
    """Either side ends the pass: at the end of the first month that ends at least the notice
    period from now (a month already paid always runs to its end). Given again, it changes
    nothing."""
    # The stays it may call off before the pass: a payment saving its card locks them first.
    for month in await uow.bookings.months_of(pass_id):
        for stay in await uow.bookings.of_series(month.id):
            if stay.status == BookingStatus.AWAITING_PAYMENT:
                await bookings.locked(uow, stay.id)
    monthly_pass = await uow.bookings.monthly_pass(pass_id, lock=True)
    spot = await spots.get(uow, monthly_pass.spot_id) if monthly_pass else None
    if (
        monthly_pass is None
        or spot is None
        or person_id not in (monthly_pass.driver_id, spot.owner_id)
        or monthly_pass.status != PassStatus.ACTIVE
    ):
        raise PassNotFound(str(pass_id))
    now = clock.now()
    months = await uow.bookings.months_of(monthly_pass.id)
    called_off: list[Booking] = []
    given_now = monthly_pass.ends_at is None
    if given_now:
        zone = ZoneInfo(spot.timezone)
        paid_ends = [m.period_end_at for m in months if m.period_end_at and await _paid(uow, m)]
        # From a month's end, or before any was paid from the first month's start: a pass
        # ends at a month boundary.
        ends = max(paid_ends) if paid_ends else months[0].period_start_at or now
        while ends < now + timedelta(days=monthly_pass.notice_days):
            ends = month_after(ends, zone, anchor=months[0].period_start_at)
        monthly_pass.ends_at = ends
        monthly_pass.version += 1
        monthly_pass.updated_at = now
        for month in months:
            if month.period_start_at is not None and month.period_start_at >= ends:
                called_off += await _call_off(uow, clock, month)
    assert monthly_pass.ends_at is not None
    return Notice(
        monthly_pass, spot, monthly_pass.ends_at, called_off,
        await people.get(uow, monthly_pass.driver_id), await people.get(uow, spot.owner_id),
        given_now,
    )  # fmt: skip


# A month whose stays are all in these was neither paid nor is waiting to be.
_LIVE = _PAID | {BookingStatus.AWAITING_PAYMENT}


@dataclass(frozen=True, slots=True)
class UnpaidMonth:
    """What cancelling a stay of a pass's unpaid month does: the month goes whole, and the
    pass ends with the months paid (``paid_until``) or at once when none was."""

    monthly_pass: MonthlyPass
    stays: int
    paid_until: datetime | None


async def unpaid_month_of(uow: UnitOfWork, stay: Booking) -> UnpaidMonth | None:
    """The pass month ``stay`` belongs to, when it is still waiting for its payment."""
    series = await uow.bookings.series(stay.series_id) if stay.series_id is not None else None
    if series is None or series.pass_id is None or stay.status != BookingStatus.AWAITING_PAYMENT:
        return None
    monthly_pass = await uow.bookings.monthly_pass(series.pass_id)
    if monthly_pass is None or monthly_pass.status != PassStatus.ACTIVE:
        return None
    waiting = [
        s for s in await uow.bookings.of_series(series.id)
        if s.status == BookingStatus.AWAITING_PAYMENT
    ]  # fmt: skip
    return UnpaidMonth(monthly_pass, len(waiting), (await _view(uow, monthly_pass)).paid_until)


async def month_called_off(uow: UnitOfWork, clock: Clock, stay: Booking) -> Notice | None:
    """After the driver cancelled ``stay`` (locked, with the rest of its payment): when that
    left its pass month with nothing paid or waiting, the driver has ended the pass, with its
    last paid month, or now when none was paid."""
    series = await uow.bookings.series(stay.series_id) if stay.series_id is not None else None
    if series is None or series.pass_id is None:
        return None
    if any(s.status in _LIVE for s in await uow.bookings.of_series(series.id)):
        return None
    # Locked after the stays, as a payment recording its saved card does.
    monthly_pass = await uow.bookings.monthly_pass(series.pass_id, lock=True)
    if monthly_pass is None or monthly_pass.status != PassStatus.ACTIVE:
        return None
    now = clock.now()
    paid_until = (await _view(uow, monthly_pass)).paid_until
    ends = paid_until or now
    if monthly_pass.ends_at is None or ends < monthly_pass.ends_at:
        monthly_pass.ends_at = ends
        monthly_pass.version += 1
        monthly_pass.updated_at = now
    if paid_until is None:
        monthly_pass.move_to(PassStatus.ENDED, now)
    spot = await spots.get(uow, monthly_pass.spot_id)
    return Notice(
        monthly_pass, spot, ends, [],
        await people.get(uow, monthly_pass.driver_id), await people.get(uow, spot.owner_id),
    )  # fmt: skip


async def _call_off(uow: UnitOfWork, clock: Clock, month: BookingSeries) -> list[Booking]:
    """Cancel a billed month's stays still waiting for payment: nothing was paid for them."""
    called_off = []
    for candidate in await uow.bookings.of_series(month.id):
        stay = await bookings.locked(uow, candidate.id)
        if stay.status == BookingStatus.AWAITING_PAYMENT:
            await bookings.move(uow, clock, stay, BookingStatus.CANCELLED)
            await settlement.settle_cancelled(
                uow, clock, stay, kept=Money(0, stay.currency), reason="pass_notice"
            )
            called_off.append(stay)
    return called_off


@dataclass(frozen=True, slots=True)
class PassView:
    monthly_pass: MonthlyPass
    spot: Spot
    # The end of its last paid month; None before the first is paid.
    paid_until: datetime | None


async def _view(uow: UnitOfWork, monthly_pass: MonthlyPass) -> PassView:
    paid = [
        month.period_end_at
        for month in await uow.bookings.months_of(monthly_pass.id)
        if month.period_end_at is not None and await _paid(uow, month)
    ]
    spot = await spots.get(uow, monthly_pass.spot_id)
    return PassView(monthly_pass, spot, max(paid) if paid else None)


async def passes_of_driver(uow: UnitOfWork, driver_id: int) -> list[PassView]:
    return [await _view(uow, p) for p in await uow.bookings.active_passes(driver_id=driver_id)]


async def passes_of_owner(uow: UnitOfWork, owner_id: int) -> list[PassView]:
    """The passes held at the owner's spots."""
    return [
        await _view(uow, p)
        for spot in await uow.spots.owned_by(owner_id)
        for p in await uow.bookings.active_passes(spot_id=spot.id)
    ]
