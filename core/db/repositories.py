"""Queries over one aggregate each. Repositories add and read; the unit of work commits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Row,
    SmallInteger,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, make_transient_to_detached, selectinload

from core import free_time
from core.availability import Interval, WeeklyRule
from core.db import free_time_changes, inbox_statements
from core.db.free_time import CoversWindow, WithoutWindow
from core.db.models import (
    AvailabilityRule,
    AvailabilityWindow,
    Booking,
    BookingNotice,
    BookingSeries,
    Checkout,
    Community,
    CreditEvent,
    Dispute,
    DisputeEvidence,
    DisputeStatus,
    GatewayEvent,
    InboxState,
    LedgerEntry,
    LedgerTransaction,
    MonthlyPass,
    Operatorship,
    Overstay,
    OverstayStatus,
    PassOffer,
    PassStatus,
    Payment,
    Payout,
    PayoutReversal,
    Person,
    PersonState,
    Rating,
    Refund,
    RelayMessage,
    SavedSearch,
    Spot,
    SpotCommunity,
    SpotFreeTime,
    SpotPhoto,
    SpotShare,
    TransferStatus,
)
from core.db.overlaps import availability_window_overlapping, live_booking_overlapping
from core.db.rows import ClaimedUpdate, claimed_updates
from core.errors import WindowTaken
from core.neighbourhood import Offered
from core.status import LIVE_BOOKING_STATUSES, BookingStatus, SpotStatus

T = TypeVar("T")
# PostgreSQL's exclusion constraint: no two live bookings of a spot overlap (see the models).
NO_OVERLAP_CONSTRAINT = "ex_booking_no_overlap"
# deadlock_detected, serialization_failure: PostgreSQL aborted a writer for a concurrent one.
RACE_LOST_SQLSTATES = frozenset({"40P01", "40001"})


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)


PAID_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED)


@dataclass(frozen=True, slots=True)
class OwnersMoney:
    """One owner's money in one currency, as of one moment."""

    owed: int  # what they are owed and has not left yet
    reversing: int  # what reversals under way take back from payouts that left
    sending: int  # payouts handed to the gateway, not recorded yet
    due: int  # payouts waiting to be handed over

    @property
    def room(self) -> int:
        """What payouts may still add up to, less those handed to the gateway."""
        return self.owed + self.reversing - self.sending


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, *entities: object) -> None:
        self.session.add_all(entities)

    async def flush(self) -> None:
        await self.session.flush()


class People(_Repository):
    async def get(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def first_names(self, person_ids: list[int]) -> dict[int, str]:
        if not person_ids:
            return {}
        rows = await self.session.execute(
            select(Person.id, Person.first_name).where(Person.id.in_(person_ids))
        )
        return {person_id: name for person_id, name in rows}

    async def credit_events(self, person_id: int, *, limit: int) -> list[CreditEvent]:
        rows = await self.session.scalars(
            select(CreditEvent)
            .where(CreditEvent.person_id == person_id)
            .order_by(CreditEvent.created_at.desc(), CreditEvent.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def by_payout_account(self, account_id: str) -> Person | None:
        return await self.session.scalar(
            select(Person).where(Person.payout_account_id == account_id)
        )

    async def by_referral_code(self, code: str) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.referral_code == code))

    async def shares_between(self, since: datetime, until: datetime) -> int:
        counted = await self.session.scalar(
            select(func.count())
            .select_from(SpotShare)
            .where(SpotShare.created_at >= since, SpotShare.created_at <= until)
        )
        return counted or 0

    async def referred_between(
        self, since: datetime, until: datetime, *, top: int = 5
    ) -> tuple[int, list[tuple[str, int]]]:
        """How many people links brought in the period, and who brought the most."""
        newcomer = aliased(Person)
        brought = func.count(newcomer.id)
        rows = (
            await self.session.execute(
                select(Person.first_name, brought)
                .join(newcomer, newcomer.referred_by_id == Person.id)
                .where(newcomer.created_at >= since, newcomer.created_at <= until)
                .group_by(Person.id, Person.first_name)
                .order_by(brought.desc(), Person.id)
            )
        ).all()
        return sum(count for _name, count in rows), [(name, count) for name, count in rows[:top]]

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.telegram_id == telegram_id))

    async def rating_of(self, person_id: int) -> tuple[float | None, int]:
        """The average of the stars others gave this person, and how many gave them."""
        average, count = (
            await self.session.execute(
                select(func.avg(Rating.stars), func.count(Rating.id)).where(
                    Rating.ratee_id == person_id
                )
            )
        ).one()
        return (float(average) if average is not None else None, int(count))


_WEEKLY_RULES = select(
    AvailabilityRule.weekday, AvailabilityRule.start_minute, AvailabilityRule.end_minute
).where(AvailabilityRule.spot_id == bindparam("spot_id"))
_WINDOWS_TOUCHING = select(
    AvailabilityWindow.start_at, AvailabilityWindow.end_at, AvailabilityWindow.blocked
).where(availability_window_overlapping(bindparam("spot_id"), bindparam("start"), bindparam("end")))
_TAKEN = (
    select(Booking.id)
    .where(live_booking_overlapping(bindparam("spot_id"), bindparam("start"), bindparam("end")))
    .limit(1)
)

# A row of ``Bookings.attempt_facts``.
AttemptFacts = Row[*tuple[Any, ...]]

# A booking attempt's two statements, built once (each attempt then skips building them and
# their cache keys), on tables rather than entities (no ORM on the way in or out).
_BOOKING = cast(Table, Booking.__table__)
_FREE_TIME = cast(Table, SpotFreeTime.__table__)
_SPOT = cast(Table, Spot.__table__)
_DRIVER = Person.__table__.alias("driver")
_OWNER = Person.__table__.alias("owner")
_DRIVERS_STAYS = _BOOKING.alias("drivers_stay")
# ``core.db.overlaps``' live booking, with the statuses written into the statement: a list
# of values would be expanded into parameters anew on every execution.
_LIVE_STATUS = _BOOKING.c.status.in_(
    [literal_column(f"'{status.value}'") for status in sorted(LIVE_BOOKING_STATUSES)]
)
_WINDOW_FREE = CoversWindow(
    _FREE_TIME.c.free, bindparam("start_s", type_=BigInteger), bindparam("end_s", type_=BigInteger)
)
# Everything the decision needs, in one row: none when the driver does not exist, the spot's
# columns empty when the spot does not. "held" is asked only when the window is not free, to
# tell "taken" from "not offered then".
_ATTEMPT_FACTS = (
    select(
        _DRIVER.c.banned,
        _DRIVER.c.credit_score.label("drivers_credit"),
        _SPOT.c.id.label("spot_id"),
        _SPOT.c.status,
        _SPOT.c.owner_id,
        _SPOT.c.timezone,
        _SPOT.c.currency,
        _SPOT.c.hourly_price_minor,
        _SPOT.c.daily_price_minor,
        _SPOT.c.instant_booking,
        _SPOT.c.min_driver_tier,
        _SPOT.c.min_completed_stays,
        # Offered to an active neighbourhood group: who may book is asked of its offers.
        exists()
        .where(
            SpotCommunity.spot_id == _SPOT.c.id,
            SpotCommunity.community_id == Community.id,
            Community.active.is_(True),
        )
        .label("offered_to_groups"),
        # Counted only where the owner asks for stays.
        case(
            (
                _SPOT.c.min_completed_stays > 0,
                select(func.count())
                .select_from(_DRIVERS_STAYS)
                .where(
                    _DRIVERS_STAYS.c.driver_id == _DRIVER.c.id,
                    _DRIVERS_STAYS.c.extends_id.is_(None),
                    _DRIVERS_STAYS.c.status == literal_column(f"'{BookingStatus.COMPLETED.value}'"),
                )
                .scalar_subquery(),
            ),
            else_=0,
        ).label("drivers_completed"),
        _OWNER.c.credit_score.label("owners_credit"),
        func.coalesce(_WINDOW_FREE, false()).label("free"),
        case(
            (_WINDOW_FREE, false()),
            else_=exists().where(
                _BOOKING.c.spot_id == _SPOT.c.id,
                _LIVE_STATUS,
                _BOOKING.c.start_at < bindparam("end"),
                _BOOKING.c.end_at > bindparam("start"),
            ),
        ).label("held"),
    )
    .select_from(
        _DRIVER.outerjoin(_SPOT, _SPOT.c.id == bindparam("spot_id"))
        .outerjoin(_OWNER, _OWNER.c.id == _SPOT.c.owner_id)
        .outerjoin(_FREE_TIME, _FREE_TIME.c.spot_id == _SPOT.c.id)
    )
    .where(_DRIVER.c.id == bindparam("driver_id"))
)
# The compare-and-set on the spot's free time: no row when the window is no longer free.
_NARROW_FREE_TIME = (
    update(_FREE_TIME)
    .where(_FREE_TIME.c.spot_id == bindparam("for_spot"), _WINDOW_FREE)
    .values(
        free=WithoutWindow(
            _FREE_TIME.c.free,
            bindparam("start_s", type_=BigInteger),
            bindparam("end_s", type_=BigInteger),
        )
    )
    .returning(_FREE_TIME.c.spot_id)
)
_NEW_BOOKING_COLUMNS = (
    "driver_id", "start_at", "end_at", "currency", "price_minor", "commission_minor", "status",
    "version", "extends_id", "rebooked_from_id", "series_id", "paid_with_id", "pay_by",
    "created_at", "updated_at",
)  # fmt: skip
_NEW_BOOKING = [
    bindparam(f"new_{name}", type_=_BOOKING.c[name].type) for name in _NEW_BOOKING_COLUMNS
]
# PostgreSQL: both in one statement, its own implicit transaction when no other is open.
_narrowed = _NARROW_FREE_TIME.cte("narrowed")
_NARROW_AND_INSERT = (
    insert(_BOOKING)
    .from_select(["spot_id", *_NEW_BOOKING_COLUMNS], select(_narrowed.c.spot_id, *_NEW_BOOKING))
    .add_cte(_narrowed)
    .returning(_BOOKING.c.id)
)
# SQLite, after ``_NARROW_FREE_TIME``: with no exclusion constraint there, the insert itself
# refuses a window a live booking holds, whatever the free time says.
_INSERT_UNLESS_HELD = (
    insert(_BOOKING)
    .from_select(
        ["spot_id", *_NEW_BOOKING_COLUMNS],
        select(bindparam("for_spot", type_=_BOOKING.c.spot_id.type), *_NEW_BOOKING).where(
            ~exists().where(
                _BOOKING.c.spot_id == bindparam("for_spot"),
                _LIVE_STATUS,
                _BOOKING.c.start_at < bindparam("new_end_at"),
                _BOOKING.c.end_at > bindparam("new_start_at"),
            )
        ),
    )
    .returning(_BOOKING.c.id)
)


class Spots(_Repository):
    async def count_listed(self) -> int:
        count = await self.session.scalar(
            select(func.count(Spot.id)).where(Spot.status == SpotStatus.APPROVED)
        )
        return int(count or 0)

    async def get(self, spot_id: int, *, with_photos: bool = False) -> Spot | None:
        options = [selectinload(Spot.photos)] if with_photos else []
        # A spot already in the session without its photos is read again to load them.
        return await self.session.get(Spot, spot_id, options=options, populate_existing=with_photos)

    async def owned_by(self, owner_id: int) -> list[Spot]:
        """The owner's spots, withdrawn ones left out."""
        rows = await self.session.scalars(
            select(Spot)
            .where(Spot.owner_id == owner_id, Spot.status != SpotStatus.DELETED)
            .order_by(Spot.id)
        )
        return list(rows)

    # --- neighbourhood groups ------------------------------------------------------------------

    async def community_of_chat(self, chat_id: int) -> Community | None:
        return await self.session.scalar(select(Community).where(Community.chat_id == chat_id))

    async def community(self, community_id: int) -> Community | None:
        return await self.session.get(Community, community_id)

    async def community_link(self, spot_id: int, community_id: int) -> SpotCommunity | None:
        return await self.session.scalar(
            select(SpotCommunity).where(
                SpotCommunity.spot_id == spot_id, SpotCommunity.community_id == community_id
            )
        )

    async def delete(self, entity: object) -> None:
        await self.session.delete(entity)

    async def community_links(self, community_id: int, spot_ids: list[int]) -> list[SpotCommunity]:
        rows = await self.session.scalars(
            select(SpotCommunity).where(
                SpotCommunity.community_id == community_id, SpotCommunity.spot_id.in_(spot_ids)
            )
        )
        return list(rows)

    async def offered_to(
        self, community_id: int, *, limit: int
    ) -> list[tuple[Spot, SpotCommunity]]:
        rows = await self.session.execute(
            select(Spot, SpotCommunity)
            .join(SpotCommunity, SpotCommunity.spot_id == Spot.id)
            .where(SpotCommunity.community_id == community_id, Spot.status == SpotStatus.APPROVED)
            .order_by(Spot.id)
            .limit(limit)
        )
        return [(spot, link) for spot, link in rows.all()]

    async def communities_of_spot(self, spot_id: int) -> list[Community]:
        rows = await self.session.scalars(
            select(Community)
            .join(SpotCommunity, SpotCommunity.community_id == Community.id)
            .where(SpotCommunity.spot_id == spot_id)
        )
        return list(rows)

    async def offered_of_spot(self, spot_id: int) -> list[Offered]:
        """How the spot is offered to the active groups it is offered to."""
        rows = await self.session.execute(
            select(SpotCommunity.community_id, SpotCommunity.only)
            .join(Community, Community.id == SpotCommunity.community_id)
            .where(SpotCommunity.spot_id == spot_id, Community.active.is_(True))
        )
        return [Offered(community_id, bool(only)) for community_id, only in rows.all()]

    async def first_photos(self, spot_ids: list[int]) -> dict[int, str]:
        """Each spot's first photo, for those that have one."""
        rows = await self.session.execute(
            select(SpotPhoto.spot_id, SpotPhoto.telegram_file_id).where(
                SpotPhoto.spot_id.in_(spot_ids), SpotPhoto.position == 0
            )
        )
        return {spot_id: file_id for spot_id, file_id in rows.all()}

    async def replace_photos(self, spot_id: int, file_ids: list[str]) -> None:
        await self.session.execute(delete(SpotPhoto).where(SpotPhoto.spot_id == spot_id))
        self.session.add_all(
            SpotPhoto(spot_id=spot_id, position=position, telegram_file_id=file_id)
            for position, file_id in enumerate(file_ids)
        )
        await self.session.flush()

    async def remove_availability(
        self, spot_id: int, rule_ids: list[int], window_ids: list[int]
    ) -> None:
        free_time_changes.note(self.session.sync_session, spot_id)
        await self.session.execute(
            delete(AvailabilityRule).where(
                AvailabilityRule.spot_id == spot_id, AvailabilityRule.id.in_(rule_ids)
            )
        )
        await self.session.execute(
            delete(AvailabilityWindow).where(
                AvailabilityWindow.spot_id == spot_id, AvailabilityWindow.id.in_(window_ids)
            )
        )

    async def clear_weekly_rules(self, spot_id: int) -> None:
        free_time_changes.note(self.session.sync_session, spot_id)
        await self.session.execute(
            delete(AvailabilityRule).where(AvailabilityRule.spot_id == spot_id)
        )

    async def pending_with_owners(self, limit: int) -> list[tuple[Spot, Person]]:
        rows = await self.session.execute(
            select(Spot, Person)
            .join(Person, Spot.owner_id == Person.id)
            .where(Spot.status == SpotStatus.PENDING)
            .order_by(Spot.created_at, Spot.id)
            .limit(limit)
        )
        return [(spot, owner) for spot, owner in rows]

    async def count_rating(self, spot_id: int, stars: int) -> None:
        """Add a rating's stars to the spot's count and sum (``Spot.rating_count``)."""
        await self.session.execute(
            update(Spot)
            .where(Spot.id == spot_id)
            .values(
                rating_count=Spot.rating_count + 1, rating_star_sum=Spot.rating_star_sum + stars
            )
            .execution_options(synchronize_session=False)
        )

    async def rating_of(self, spot_id: int) -> tuple[float | None, int]:
        """The spot's average stars and how many gave them, from its row, as a search shows
        them."""
        star_sum, count = (
            await self.session.execute(
                select(Spot.rating_star_sum, Spot.rating_count).where(Spot.id == spot_id)
            )
        ).one()
        return (star_sum / count if count else None, count)

    async def weekly_rules(self, spot_id: int) -> list[WeeklyRule]:
        rows = await self.session.execute(_WEEKLY_RULES, {"spot_id": spot_id})
        return [WeeklyRule(*row) for row in rows]

    async def windows_touching(
        self, spot_id: int, start: datetime, end: datetime
    ) -> list[Row[datetime, datetime, bool]]:
        """(start_at, end_at, blocked) of the one-off openings and blocks overlapping the span."""
        rows = await self.session.execute(
            _WINDOWS_TOUCHING, {"spot_id": spot_id, "start": start, "end": end}
        )
        return [row for row in rows]


class Bookings(_Repository):
    async def get(self, booking_id: int) -> Booking | None:
        return await self.session.get(Booking, booking_id)

    async def stays_overlapping(
        self, since: datetime, until: datetime, *, spot_ids: list[int] | None = None
    ) -> list[tuple[int, datetime, datetime]]:
        """(spot, start, end) of every paid stay that overlaps [since, until), at ``spot_ids``
        when given."""
        query = select(Booking.spot_id, Booking.start_at, Booking.end_at).where(
            Booking.status.in_(PAID_STATUSES), Booking.start_at < until, Booking.end_at > since
        )
        if spot_ids is not None:
            query = query.where(Booking.spot_id.in_(spot_ids))
        rows = await self.session.execute(query)
        return [(spot_id, start, end) for spot_id, start, end in rows]

    async def overstay_of(self, booking_id: int) -> Overstay | None:
        """The booking's overstay, locked: its next state is decided on this."""
        return await self.session.scalar(
            select(Overstay)
            .where(Overstay.booking_id == booking_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def overstays_due_since(self, moment: datetime, *, limit: int) -> list[Overstay]:
        """Overstays billed at or before ``moment`` and not paid."""
        rows = await self.session.scalars(
            select(Overstay)
            .where(Overstay.status == OverstayStatus.DUE, Overstay.updated_at <= moment)
            .order_by(Overstay.id)
            .limit(limit)
        )
        return list(rows)

    async def covered_for_stays_moved_from(
        self, spot_id: int, start: datetime, end: datetime
    ) -> int:
        """What the platform covered, and still has out, for stays moved away from this spot
        whose windows meet [start, end): the drivers a car left there displaced."""
        moved_from = select(Booking.id).where(
            Booking.spot_id == spot_id, Booking.start_at < end, Booking.end_at > start
        )
        moved = select(Booking.id).where(Booking.rebooked_from_id.in_(moved_from))
        total = await self.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                LedgerTransaction.booking_id.in_(moved),
                LedgerEntry.account == "platform_subsidy",
            )
        )
        # Net of what came back to the platform already (a moved stay refunded since).
        return max(-int(total or 0), 0)

    async def moved_to(self, booking_id: int) -> int | None:
        """The booking a stay's money moved to from this one, if it moved."""
        return await self.session.scalar(
            select(Booking.id).where(Booking.rebooked_from_id == booking_id)
        )

    async def rebooked_among(self, booking_ids: list[int]) -> set[int]:
        """Of these bookings, those whose stay moved to another spot (and their money with it)."""
        if not booking_ids:
            return set()
        rows = await self.session.scalars(
            select(Booking.rebooked_from_id).where(Booking.rebooked_from_id.in_(booking_ids))
        )
        return {booking_id for booking_id in rows if booking_id is not None}

    async def get_for_update(self, booking_id: int) -> Booking | None:
        """The booking as committed now, its row locked until the transaction ends. Without
        ``populate_existing`` the session would hand back the copy it already holds, and the
        decision would be taken on what another writer has since changed.

        The lock is PostgreSQL's FOR NO KEY UPDATE, the one an UPDATE of the booking takes: it
        excludes every other writer of the booking, but not a row that only refers to it. FOR
        UPDATE would also hold up such a row (a reminder claimed by the stay sweep, which holds
        the owner's money lock by then) while its holder waits for that same money lock: a
        deadlock the money soak found."""
        return await self.session.scalar(
            select(Booking)
            .where(Booking.id == booking_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )

    async def reload(self, booking: Booking) -> None:
        """Read the booking again after a savepoint that changed it was rolled back."""
        await self.session.refresh(booking)

    async def attempt_facts(
        self, driver_id: int, spot_id: int, start: datetime, end: datetime
    ) -> AttemptFacts | None:
        """What deciding a booking of [start, end) needs, in one statement: the driver's
        ``banned``, ``drivers_credit`` and ``drivers_completed`` stays (counted only when the
        spot asks for some); the spot's ``spot_id`` (None if there is no such spot),
        ``status``, ``owner_id``, ``timezone``, prices, ``instant_booking`` and requirements; the
        ``owners_credit``; whether the spot's free time holds the window (``free``) and, if
        not, whether a live booking holds some of it (``held``). None if no such driver."""
        result = await self.session.execute(
            _ATTEMPT_FACTS,
            {
                "driver_id": driver_id,
                "spot_id": spot_id,
                "start": start,
                "end": end,
                "start_s": free_time.epoch_seconds(start),
                "end_s": free_time.epoch_seconds(end),
            },
        )
        return result.first()

    async def insert_if_free(self, spot_id: int, values: dict[str, Any]) -> int | None:
        """Insert a booking of the spot (``values``: the columns of ``_NEW_BOOKING_COLUMNS``)
        and take its window out of the spot's free time, if that still holds all of it: the
        new booking's id, or None when someone took the window (or the hours changed) since it
        was read. PostgreSQL's exclusion constraint still guards it (``WindowTaken``)."""
        start, end = values["start_at"], values["end_at"]
        window = {
            "for_spot": spot_id,
            "start_s": free_time.epoch_seconds(start),
            "end_s": free_time.epoch_seconds(end),
        }
        new = {f"new_{name}": value for name, value in values.items()}
        async with self.taking_window(spot_id):
            if self.session.get_bind().dialect.name == "postgresql":
                booking_id = await self.session.scalar(_NARROW_AND_INSERT, {**window, **new})
                return cast(int | None, booking_id)
            # SQLite has no writing CTE; its writers take turns from BEGIN anyway.
            if await self.session.scalar(_NARROW_FREE_TIME, window) is None:
                return None
            # None if a live booking the free time missed holds the window: the caller refuses
            # the booking, and its rollback undoes the narrowing.
            booking_id = await self.session.scalar(_INSERT_UNLESS_HELD, {**window, **new})
            return cast(int | None, booking_id)

    def written(self, booking: Booking) -> Booking:
        """The session's copy of a booking just inserted by ``insert_if_free``, every column
        given: later changes to it are written as of any other booking read here."""
        make_transient_to_detached(booking)
        self.session.add(booking)
        return booking

    async def completed_count(self, driver_id: int) -> int:
        """The stays a driver completed, as owners' requirements count them (an extension is
        part of its stay)."""
        counted = await self.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                Booking.driver_id == driver_id,
                Booking.extends_id.is_(None),
                Booking.status == BookingStatus.COMPLETED,
            )
        )
        return counted or 0

    async def is_taken(self, spot_id: int, start: datetime, end: datetime) -> bool:
        """Whether a live booking holds any of [start, end) at the spot."""
        found = await self.session.scalar(_TAKEN, {"spot_id": spot_id, "start": start, "end": end})
        return found is not None

    async def overdue(
        self, *, unpaid_since: datetime, unanswered_since: datetime, now: datetime
    ) -> list[Booking]:
        """Bookings waiting for payment since before ``unpaid_since`` (their last change) or,
        when they wait until a set moment, past it; and requests waiting for the owner since
        before ``unanswered_since``."""
        rows = await self.session.scalars(
            select(Booking)
            .where(
                or_(
                    (Booking.status == BookingStatus.AWAITING_PAYMENT)
                    & Booking.pay_by.is_(None)
                    & (Booking.updated_at < unpaid_since),
                    (Booking.status == BookingStatus.AWAITING_PAYMENT) & (Booking.pay_by <= now),
                    (Booking.status == BookingStatus.REQUESTED)
                    & (Booking.updated_at < unanswered_since),
                )
            )
            # One order for every sweep, so two sweeps lock the same rows without deadlock.
            .order_by(Booking.id)
        )
        return list(rows)

    async def upcoming_live_of_spot(self, spot_id: int, *, after: datetime) -> list[Booking]:
        rows = await self.session.scalars(
            select(Booking).where(
                Booking.spot_id == spot_id,
                Booking.status.in_(LIVE_BOOKING_STATUSES),
                Booking.end_at > after,
            )
        )
        return list(rows)

    async def of_driver_with_spots(
        self, driver_id: int, *, ending_after: datetime, limit: int
    ) -> list[tuple[Booking, Spot]]:
        rows = await self.session.execute(
            select(Booking, Spot)
            .join(Spot, Booking.spot_id == Spot.id)
            .where(Booking.driver_id == driver_id, Booking.end_at > ending_after)
            .order_by(Booking.start_at)
            .limit(limit)
        )
        return [(booking, spot) for booking, spot in rows]

    async def staying_on_among(self, booking_ids: list[int]) -> set[int]:
        """Of these bookings, those whose car was reported still there after the end."""
        if not booking_ids:
            return set()
        rows = await self.session.scalars(
            select(Overstay.booking_id).where(
                Overstay.booking_id.in_(booking_ids), Overstay.status == OverstayStatus.OPEN
            )
        )
        return set(rows)

    async def staying_on_with_spots(self, driver_id: int) -> list[tuple[Booking, Spot]]:
        """The driver's bookings whose car was reported still there after the end."""
        rows = await self.session.execute(
            select(Booking, Spot)
            .join(Spot, Booking.spot_id == Spot.id)
            .join(Overstay, Overstay.booking_id == Booking.id)
            .where(Booking.driver_id == driver_id, Overstay.status == OverstayStatus.OPEN)
        )
        return [(booking, spot) for booking, spot in rows]

    async def in_status_starting_before(
        self, status: BookingStatus, moment: datetime
    ) -> list[Booking]:
        rows = await self.session.scalars(
            select(Booking)
            .where(Booking.status == status, Booking.start_at <= moment)
            .order_by(Booking.id)
        )
        return list(rows)

    async def in_status_ending_before(
        self, status: BookingStatus, moment: datetime
    ) -> list[Booking]:
        rows = await self.session.scalars(
            select(Booking)
            .where(Booking.status == status, Booking.end_at <= moment)
            .order_by(Booking.id)
        )
        return list(rows)

    async def started_without_notices(
        self,
        status: BookingStatus,
        *,
        started_between: tuple[datetime, datetime],
        without: Iterable[str],
    ) -> list[Booking]:
        noticed = select(BookingNotice.id).where(
            BookingNotice.booking_id == Booking.id, BookingNotice.kind.in_(list(without))
        )
        rows = await self.session.scalars(
            select(Booking).where(
                Booking.status == status,
                Booking.start_at.between(*started_between),
                ~noticed.exists(),
            )
        )
        return list(rows)

    async def ended_unextended_without_notice(
        self, *, ended_between: tuple[datetime, datetime], without: str
    ) -> list[Booking]:
        """Completed stays that ended in the window and did not go on as an extension."""
        noticed = select(BookingNotice.id).where(
            BookingNotice.booking_id == Booking.id, BookingNotice.kind == without
        )
        extension = aliased(Booking)
        extended = select(extension.id).where(
            extension.extends_id == Booking.id,
            extension.status.in_([*LIVE_BOOKING_STATUSES, BookingStatus.COMPLETED]),
        )
        rows = await self.session.scalars(
            select(Booking).where(
                Booking.status == BookingStatus.COMPLETED,
                Booking.end_at.between(*ended_between),
                ~noticed.exists(),
                ~extended.exists(),
            )
        )
        return list(rows)

    async def extensions_of(self, booking_ids: Iterable[int]) -> list[Booking]:
        """The extensions made directly of these bookings, oldest first, whatever their state."""
        ids = list(booking_ids)
        if not ids:
            return []
        rows = await self.session.scalars(
            select(Booking).where(Booking.extends_id.in_(ids)).order_by(Booking.id)
        )
        return list(rows)

    async def paid_with(self, booking_id: int) -> list[Booking]:
        """The other bookings of a series the payment of ``booking_id`` pays, in id order (the
        order writers lock them in)."""
        rows = await self.session.scalars(
            select(Booking).where(Booking.paid_with_id == booking_id).order_by(Booking.id)
        )
        return list(rows)

    async def awaiting_payment_by(self, moment: datetime) -> list[Booking]:
        """Bookings that wait for a payment due (``pay_by``) before ``moment``."""
        rows = await self.session.scalars(
            select(Booking)
            .where(
                Booking.status == BookingStatus.AWAITING_PAYMENT,
                Booking.pay_by.is_not(None),
                Booking.pay_by <= moment,
            )
            .order_by(Booking.id)
        )
        return list(rows)

    async def of_series(self, series_id: int) -> list[Booking]:
        """Every booking of a series, in id order (soonest first: they are made so)."""
        rows = await self.session.scalars(
            select(Booking).where(Booking.series_id == series_id).order_by(Booking.id)
        )
        return list(rows)

    async def add_series(self, series: BookingSeries) -> BookingSeries:
        self.session.add(series)
        await self.session.flush()
        return series

    async def series(self, series_id: int) -> BookingSeries | None:
        return await self.session.get(BookingSeries, series_id)

    async def in_passes(self, booking_ids: Iterable[int]) -> set[int]:
        """Of these bookings, the stays of a monthly pass."""
        ids = list(booking_ids)
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(Booking.id)
            .join(BookingSeries, BookingSeries.id == Booking.series_id)
            .where(Booking.id.in_(ids), BookingSeries.pass_id.is_not(None))
        )
        return set(rows)

    # --- monthly passes ---

    async def pass_offer(self, spot_id: int) -> PassOffer | None:
        return await self.session.scalar(select(PassOffer).where(PassOffer.spot_id == spot_id))

    async def monthly_pass(self, pass_id: int, *, lock: bool = False) -> MonthlyPass | None:
        statement = select(MonthlyPass).where(MonthlyPass.id == pass_id)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return await self.session.scalar(statement)

    async def active_passes(self, *, spot_id: int | None = None, driver_id: int | None = None
                            ) -> list[MonthlyPass]:  # fmt: skip
        statement = select(MonthlyPass).where(MonthlyPass.status == PassStatus.ACTIVE)
        if spot_id is not None:
            statement = statement.where(MonthlyPass.spot_id == spot_id)
        if driver_id is not None:
            statement = statement.where(MonthlyPass.driver_id == driver_id)
        return list(await self.session.scalars(statement.order_by(MonthlyPass.id)))

    async def months_of(self, pass_id: int) -> list[BookingSeries]:
        """A pass's months, the first first."""
        rows = await self.session.scalars(
            select(BookingSeries)
            .where(BookingSeries.pass_id == pass_id)
            .order_by(BookingSeries.period_start_at)
        )
        return list(rows)

    async def live_extension_of(self, booking_id: int) -> Booking | None:
        return await self.session.scalar(
            select(Booking).where(
                Booking.extends_id == booking_id,
                Booking.status.in_(LIVE_BOOKING_STATUSES),
            )
        )

    @asynccontextmanager
    async def taking_window(self, spot_id: int) -> AsyncIterator[None]:
        """Around a write that makes a booking live: PostgreSQL's refusal of it, because a
        booking committed after the caller's check holds the window (the exclusion
        constraint), or because drivers racing for one window deadlocked in the constraint's
        index and PostgreSQL aborted all but one, becomes ``WindowTaken``."""
        try:
            yield
        except IntegrityError as error:
            if NO_OVERLAP_CONSTRAINT in str(error.orig):
                raise WindowTaken(f"spot {spot_id}") from None
            raise
        except DBAPIError as error:
            if _sqlstate(error) in RACE_LOST_SQLSTATES:
                raise WindowTaken(f"spot {spot_id}") from None
            raise

    async def claim_notice(self, booking_id: int, kind: str, at: datetime) -> bool:
        """Records that a notice about the booking is sent: True the first time, False ever
        after. Two sweeps at once (two processes) may both try: the unique key decides, in a
        savepoint, so the loser's transaction goes on."""
        if await self.has_notice(booking_id, kind):
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(BookingNotice(booking_id=booking_id, kind=kind, sent_at=at))
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def notice_sent_at(self, booking_id: int, kind: str) -> datetime | None:
        return await self.session.scalar(
            select(BookingNotice.sent_at).where(
                BookingNotice.booking_id == booking_id, BookingNotice.kind == kind
            )
        )

    async def has_notice(self, booking_id: int, kind: str) -> bool:
        found = await self.session.scalar(
            select(BookingNotice.id).where(
                BookingNotice.booking_id == booking_id, BookingNotice.kind == kind
            )
        )
        return found is not None

    async def past_of_driver_with_spots(
        self, driver_id: int, now: datetime, *, limit: int
    ) -> list[tuple[Booking, Spot]]:
        rows = await self.session.execute(
            select(Booking, Spot)
            .join(Spot, Booking.spot_id == Spot.id)
            .where(
                Booking.driver_id == driver_id,
                or_(Booking.end_at <= now, Booking.status.not_in(LIVE_BOOKING_STATUSES)),
            )
            .order_by(Booking.start_at.desc())
            .limit(limit)
        )
        return [(booking, spot) for booking, spot in rows]

    async def of_owner_with_spots(
        self, owner_id: int, *, ending_after: datetime, limit: int
    ) -> list[tuple[Booking, Spot]]:
        rows = await self.session.execute(
            select(Booking, Spot)
            .join(Spot, Booking.spot_id == Spot.id)
            .where(
                Spot.owner_id == owner_id,
                Booking.end_at > ending_after,
                Booking.status.in_(LIVE_BOOKING_STATUSES),
            )
            .order_by(Booking.start_at)
            .limit(limit)
        )
        return [(booking, spot) for booking, spot in rows]

    async def completed_at_owners_spots(
        self, owner_id: int, *, limit: int
    ) -> list[tuple[Booking, Spot]]:
        rows = await self.session.execute(
            select(Booking, Spot)
            .join(Spot, Booking.spot_id == Spot.id)
            .where(Spot.owner_id == owner_id, Booking.status == BookingStatus.COMPLETED)
            .order_by(Booking.end_at.desc())
            .limit(limit)
        )
        return [(booking, spot) for booking, spot in rows]


_HELD, _OPENING, _BLOCK, _RULE = range(4)


def _free_time_inputs(ids: list[int], first: datetime, last: datetime) -> CompoundSelect[Any]:
    """Everything the spots' free time over [first, last) is made of, in one statement:
    (spot, kind, start, end, weekday, start minute, end minute) of each live booking, one-off
    window and weekly rule."""
    # Typed, or PostgreSQL reads a NULL in a union as text.
    no_instant = null().cast(Booking.start_at.type)
    no_minute = null().cast(SmallInteger())
    return union_all(
        select(
            Booking.spot_id, literal(_HELD), Booking.start_at, Booking.end_at,
            no_minute, no_minute, no_minute,
        ).where(
            Booking.spot_id.in_(ids), Booking.status.in_(LIVE_BOOKING_STATUSES),
            Booking.start_at < last, Booking.end_at > first,
        ),
        select(
            AvailabilityWindow.spot_id,
            case((AvailabilityWindow.blocked, literal(_BLOCK)), else_=literal(_OPENING)),
            AvailabilityWindow.start_at, AvailabilityWindow.end_at,
            no_minute, no_minute, no_minute,
        ).where(
            AvailabilityWindow.spot_id.in_(ids),
            AvailabilityWindow.start_at < last, AvailabilityWindow.end_at > first,
        ),
        select(
            AvailabilityRule.spot_id, literal(_RULE), no_instant, no_instant,
            AvailabilityRule.weekday, AvailabilityRule.start_minute, AvailabilityRule.end_minute,
        ).where(AvailabilityRule.spot_id.in_(ids)),
    )  # fmt: skip


@dataclass
class FreeTimeInputs:
    """What a spot's free time is made of (see ``core.free_time.compute``)."""

    rules: list[WeeklyRule] = field(default_factory=list)
    openings: list[Interval] = field(default_factory=list)
    blocks: list[Interval] = field(default_factory=list)
    held: list[Interval] = field(default_factory=list)


async def free_time_inputs(
    session: AsyncSession, ids: list[int], first: datetime, last: datetime
) -> dict[int, FreeTimeInputs]:
    """Each spot's weekly rules, and its one-off windows and live bookings touching
    [first, last), in one statement."""
    inputs = {spot_id: FreeTimeInputs() for spot_id in ids}
    for spot_id, kind, opens, closes, weekday, first_minute, last_minute in await session.execute(
        _free_time_inputs(ids, first, last)
    ):
        spot = inputs[spot_id]
        if kind == _RULE:
            spot.rules.append(WeeklyRule(weekday, first_minute, last_minute))
        else:
            {_HELD: spot.held, _OPENING: spot.openings, _BLOCK: spot.blocks}[kind].append(
                Interval(opens, closes)
            )
    return inputs


class FreeTimes(_Repository):
    """Each spot's free time (``core.free_time``), written from its hours, one-off windows and
    live bookings."""

    async def of(self, spot_id: int) -> SpotFreeTime | None:
        return await self.session.get(SpotFreeTime, spot_id, populate_existing=True)

    async def due_to_roll(self, written_before: int, *, limit: int) -> list[int]:
        """Spots (ids ascending) whose free time is written until before ``written_before``
        epoch seconds, or not written at all."""
        rows = await self.session.scalars(
            select(Spot.id)
            .outerjoin(SpotFreeTime, SpotFreeTime.spot_id == Spot.id)
            .where(
                or_(
                    SpotFreeTime.written_until.is_(None),
                    SpotFreeTime.written_until < written_before,
                )
            )
            .order_by(Spot.id)
            .limit(limit)
        )
        return list(rows)

    async def refresh(self, spot_ids: Iterable[int], now: datetime | None = None) -> None:
        """Compute the spots' free time anew and write it, and on each spot's row the week's
        slots it falls in when they change; a few statements for any number of spots. With
        ``now``, over the span as of ``now`` (the roll-forward); without, over the span each
        row has already (a change moves what is free, not the span), and a spot written for
        the first time gets the span as of its listing.

        The spots' rows and their free time's are locked before anything else is read, so a
        writer that changed one of these spots meanwhile has committed and is read, and one
        that comes later waits and works on what this writes (PostgreSQL; SQLite's writers
        take turns). The spots' lock lets bookings through (they only take a key share)."""
        ids = sorted(set(spot_ids))
        if not ids:
            return
        # The spots first, then their free time, in id order: every writer of both locks them
        # in this order, and the slots read here are the last committed.
        spots = {
            spot.id: spot
            for spot in await self.session.execute(
                select(Spot.id, Spot.timezone, Spot.created_at, Spot.free_week_slots)
                .where(Spot.id.in_(ids))
                .order_by(Spot.id)
                .with_for_update(key_share=True)
            )
        }
        if not spots:
            return  # deleted meanwhile; their rows went with them
        # From the lock to the commit, a few statements: other writers of these spots wait.
        rows = {
            row.spot_id: row
            for row in await self.session.scalars(
                select(SpotFreeTime)
                .where(SpotFreeTime.spot_id.in_(ids))
                .order_by(SpotFreeTime.spot_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        }
        spans: dict[int, tuple[datetime, datetime]] = {}
        for spot_id, spot in spots.items():
            row = rows.get(spot_id)
            if now is not None:
                spans[spot_id] = free_time.span_for(now)
            elif row is not None:
                spans[spot_id] = (
                    free_time.instant(row.written_from),
                    free_time.instant(row.written_until),
                )
            else:
                spans[spot_id] = free_time.span_for(spot.created_at)
        first = min(start for start, _end in spans.values())
        last = max(end for _start, end in spans.values())
        inputs = await free_time_inputs(self.session, list(spots), first, last)
        changed_slots: list[dict[str, int]] = []
        for spot_id, (start, end) in spans.items():
            made_of = inputs[spot_id]
            free = free_time.compute(
                made_of.rules, made_of.openings, made_of.blocks, made_of.held,
                ZoneInfo(spots[spot_id].timezone), start, end,
            )  # fmt: skip
            row = rows.get(spot_id)
            if row is None:
                row = SpotFreeTime(spot_id=spot_id)
                self.session.add(row)
            row.written_from = free_time.epoch_seconds(start)
            row.written_until = free_time.epoch_seconds(end)
            row.free = free
            if (slots := free_time.week_slots(free)) != spots[spot_id].free_week_slots:
                changed_slots.append({"spot": spot_id, "slots": slots})
        await self.session.flush()
        if changed_slots:
            await self.session.execute(
                update(_SPOT)
                .where(_SPOT.c.id == bindparam("spot"))
                .values(free_week_slots=bindparam("slots")),
                changed_slots,
            )


class SavedSearches(_Repository):
    async def waiting_in(
        self, box: tuple[float, float, float, float], now: datetime
    ) -> list[SavedSearch]:
        """Searches not yet answered, still to come, whose place lies in the box."""
        south, west, north, east = box
        rows = await self.session.scalars(
            select(SavedSearch).where(
                SavedSearch.lat.between(south, north),
                SavedSearch.lon.between(west, east),
                SavedSearch.notified_at.is_(None),
                SavedSearch.end_at > now,
            )
        )
        return list(rows)

    async def mark_answered(self, saved: SavedSearch, at: datetime) -> bool:
        """True if this writer answers the search; False if another one did first (two
        freeing one spot at once), once its transaction ended: the row's lock decides."""
        result = await self.session.execute(
            update(SavedSearch)
            .where(SavedSearch.id == saved.id, SavedSearch.notified_at.is_(None))
            .values(notified_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult


class Ledger(_Repository):
    async def divided_by(self, booking_id: int, kind: str) -> list[tuple[str, str, int]]:
        """(account, currency, sum) of the booking's transactions of one kind, by account."""
        rows = await self.session.execute(
            select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.booking_id == booking_id, LedgerTransaction.kind == kind)
            .group_by(LedgerEntry.account, LedgerEntry.currency)
        )
        return [(account, currency, int(total)) for account, currency, total in rows]

    async def by_idempotency_key(self, key: str) -> LedgerTransaction | None:
        return await self.session.scalar(
            select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
        )

    async def credits_of_kind(self, kind: str, *, since: datetime) -> list[tuple[str, str, int]]:
        """(account, currency, sum) of what transactions of one kind credited since then."""
        rows = await self.session.execute(
            select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                LedgerTransaction.kind == kind,
                LedgerTransaction.created_at >= since,
                LedgerEntry.amount_minor > 0,
            )
            .group_by(LedgerEntry.account, LedgerEntry.currency)
        )
        return [(account, currency, int(total)) for account, currency, total in rows]

    async def credited_by(self, key: str) -> int:
        """What the transaction recorded under ``key`` credited, in all (0 when there is none)."""
        total = await self.session.scalar(
            select(func.sum(LedgerEntry.amount_minor))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.idempotency_key == key, LedgerEntry.amount_minor > 0)
        )
        return int(total or 0)

    async def balance(self, account: str, currency: str) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
                LedgerEntry.account == account, LedgerEntry.currency == currency
            )
        )
        return int(total or 0)

    async def unbalanced_transactions(self) -> list[int]:
        """Ids of transactions whose entries do not sum to zero in some currency."""
        rows = await self.session.scalars(
            select(LedgerEntry.transaction_id)
            .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
            .having(func.sum(LedgerEntry.amount_minor) != 0)
        )
        return sorted(set(rows))

    def add_entries(self, entries: Iterable[LedgerEntry]) -> None:
        self.session.add_all(entries)

    async def credits(
        self, *, account: str | None = None, account_prefix: str | None = None,
        since: datetime | None = None, except_kinds: Iterable[str] = (),
    ) -> list[tuple[datetime, str, int]]:  # fmt: skip
        """(when, currency, amount) of every amount credited to an account, or to every account
        starting with a prefix, newest first, but for some kinds of transaction."""
        query = (
            select(LedgerTransaction.created_at, LedgerEntry.currency, LedgerEntry.amount_minor)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerEntry.amount_minor > 0)
            .order_by(LedgerTransaction.created_at.desc())
        )
        if except_kinds:
            query = query.where(LedgerTransaction.kind.not_in(tuple(except_kinds)))
        if account is not None:
            query = query.where(LedgerEntry.account == account)
        if account_prefix is not None:
            query = query.where(LedgerEntry.account.startswith(account_prefix, autoescape=True))
        if since is not None:
            query = query.where(LedgerTransaction.created_at >= since)
        return [
            (at, currency, amount) for at, currency, amount in await self.session.execute(query)
        ]

    async def movements(
        self, account: str, *, except_kinds: Iterable[str] = (), since: datetime | None = None,
        only_kinds: Iterable[str] | None = None,
    ) -> list[tuple[datetime, str, int]]:  # fmt: skip
        """(when, currency, amount) of every entry on an account, but for some kinds of
        transaction (or of those kinds only), newest first."""
        query = (
            select(LedgerTransaction.created_at, LedgerEntry.currency, LedgerEntry.amount_minor)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                LedgerEntry.account == account,
                LedgerTransaction.kind.not_in(tuple(except_kinds)),
            )
            .order_by(LedgerTransaction.created_at.desc())
        )
        if since is not None:
            query = query.where(LedgerTransaction.created_at >= since)
        if only_kinds is not None:
            query = query.where(LedgerTransaction.kind.in_(tuple(only_kinds)))
        rows = await self.session.execute(query)
        return [(at, kind, amount) for at, kind, amount in rows]

    async def escrow_of_booking(self, booking_id: int) -> dict[str, int]:
        """What escrow still holds for a booking, by currency."""
        rows = await self.session.execute(
            select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.booking_id == booking_id, LedgerEntry.account == "escrow")
            .group_by(LedgerEntry.currency)
        )
        return {currency: int(total) for currency, total in rows if total}

    async def balances_of_booking(self, booking_id: int, currency: str) -> dict[str, int]:
        """What each account holds for a booking in one currency (its entries' sum)."""
        rows = await self.session.execute(
            select(LedgerEntry.account, func.sum(LedgerEntry.amount_minor))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.booking_id == booking_id, LedgerEntry.currency == currency)
            .group_by(LedgerEntry.account)
        )
        return {account: int(total) for account, total in rows if total}

    async def counts(self) -> tuple[int, int]:
        transactions = await self.session.scalar(select(func.count(LedgerTransaction.id)))
        entries = await self.session.scalar(select(func.count(LedgerEntry.id)))
        return int(transactions or 0), int(entries or 0)

    async def negative_escrow(self) -> list[tuple[str, int]]:
        """Currencies in which escrow holds less than nothing: paid out more than was paid in."""
        rows = await self.session.execute(
            select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
            .where(LedgerEntry.account == "escrow")
            .group_by(LedgerEntry.currency)
            .having(func.sum(LedgerEntry.amount_minor) < 0)
        )
        return [(currency, amount) for currency, amount in rows]


class Operators(_Repository):
    async def owner_of_code(self, code: str) -> int | None:
        return await self.session.scalar(
            select(Operatorship.owner_id).where(Operatorship.code == code)
        )

    async def by_code(self, code: str) -> Operatorship | None:
        return await self.session.scalar(
            select(Operatorship)
            .where(Operatorship.code == code)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def get(self, operatorship_id: int) -> Operatorship | None:
        return await self.session.get(Operatorship, operatorship_id)

    async def of_owner(self, owner_id: int) -> Operatorship | None:
        """The owner's operator now, if any."""
        return await self.session.scalar(
            select(Operatorship).where(
                Operatorship.owner_id == owner_id,
                Operatorship.operator_id.is_not(None),
                Operatorship.ended_at.is_(None),
            )
        )

    async def open_invitations(self, owner_id: int) -> list[Operatorship]:
        rows = await self.session.scalars(
            select(Operatorship).where(
                Operatorship.owner_id == owner_id,
                Operatorship.operator_id.is_(None),
                Operatorship.ended_at.is_(None),
            )
        )
        return list(rows)

    async def clients_of(self, operator_id: int) -> list[tuple[Operatorship, Person]]:
        """The owners the operator manages spots for now, oldest first."""
        rows = await self.session.execute(
            select(Operatorship, Person)
            .join(Person, Person.id == Operatorship.owner_id)
            .where(Operatorship.operator_id == operator_id, Operatorship.ended_at.is_(None))
            .order_by(Operatorship.id)
        )
        return [(operatorship, owner) for operatorship, owner in rows]

    async def manages(self, operator_id: int, owner_id: int) -> bool:
        found = await self.session.scalar(
            select(Operatorship.id).where(
                Operatorship.operator_id == operator_id,
                Operatorship.owner_id == owner_id,
                Operatorship.ended_at.is_(None),
            )
        )
        return found is not None

    async def managed_spot_count(self) -> int:
        """Spots (listed, paused or waiting for review) of owners who have an operator now."""
        count = await self.session.scalar(
            select(func.count(Spot.id))
            .join(Operatorship, Operatorship.owner_id == Spot.owner_id)
            .where(
                Operatorship.operator_id.is_not(None),
                Operatorship.ended_at.is_(None),
                Spot.status.in_((SpotStatus.APPROVED, SpotStatus.PAUSED, SpotStatus.PENDING)),
            )
        )
        return int(count or 0)

    async def active_counts(self) -> tuple[int, int]:
        """(operators, owners they manage for) now."""
        row = (
            await self.session.execute(
                select(
                    func.count(func.distinct(Operatorship.operator_id)),
                    func.count(func.distinct(Operatorship.owner_id)),
                ).where(Operatorship.operator_id.is_not(None), Operatorship.ended_at.is_(None))
            )
        ).one()
        return int(row[0]), int(row[1])


class Payments(_Repository):
    async def get(self, model: type[T], row_id: int) -> T:
        row = await self.session.get(model, row_id)
        if row is None:
            raise LookupError(f"{model.__name__} {row_id}")
        return row

    async def locked(self, model: type[T], row_id: int) -> T:
        """The row as committed now, locked until the transaction ends: what a transfer's or a
        payment's next state is decided on, so two sweeps recording one outcome take turns."""
        row = await self.locked_if_any(model, row_id)
        if row is None:
            raise LookupError(f"{model.__name__} {row_id}")
        return row

    async def locked_if_any(self, model: type[T], row_id: int) -> T | None:
        # populate_existing: the copy already in the session is replaced by the locked row.
        return await self.session.get(model, row_id, with_for_update=True, populate_existing=True)

    async def by_external_id(self, external_id: str) -> Payment | None:
        return await self.session.scalar(select(Payment).where(Payment.external_id == external_id))

    async def by_external_id_for_update(self, external_id: str) -> Payment | None:
        """The payment as committed now, locked: a capture and a lapse decide one at a time."""
        return await self.session.scalar(
            select(Payment)
            .where(Payment.external_id == external_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def by_charge_id(self, charge_id: str) -> Payment | None:
        """The payment whose card charge this is (a Telegram invoice's payment has only one)."""
        return await self.session.scalar(
            select(Payment)
            .where(Payment.provider_charge_id == charge_id)
            .order_by(Payment.id)
            .limit(1)
        )

    async def of_booking(self, booking_id: int) -> list[Payment]:
        rows = await self.session.scalars(
            select(Payment).where(Payment.booking_id == booking_id).order_by(Payment.id)
        )
        return list(rows)

    async def waiting_payout_of(self, booking_id: int, owner_id: int) -> Payout | None:
        """The booking's payout to the owner that has not left yet, locked against the sender."""
        return await self.session.scalar(
            select(Payout)
            .where(
                Payout.booking_id == booking_id,
                Payout.owner_id == owner_id,
                Payout.status == TransferStatus.DUE,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def due_payouts_of_owner(self, owner_id: int, currency: str) -> list[Payout]:
        """The owner's payouts not handed to the gateway yet, newest first, locked."""
        rows = await self.session.scalars(
            select(Payout)
            .where(
                Payout.owner_id == owner_id,
                Payout.currency == currency,
                Payout.status == TransferStatus.DUE,
            )
            .order_by(Payout.id.desc())
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(rows)

    async def owners_money(self, owner_id: int, payable: str, currency: str) -> OwnersMoney:
        """What the owner is owed (the balance of their ``payable`` account) and what their
        payouts and reversals under way add up to, in one statement: a payout recorded as sent
        (or a reversal made) meanwhile moves two of these at once, and is seen in both or none."""
        owed = select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
            LedgerEntry.account == payable, LedgerEntry.currency == currency
        )
        reversing = select(func.coalesce(func.sum(PayoutReversal.amount_minor), 0)).where(
            PayoutReversal.owner_id == owner_id,
            PayoutReversal.currency == currency,
            PayoutReversal.status == TransferStatus.DUE,
        )
        payouts = [
            select(func.coalesce(func.sum(Payout.amount_minor), 0)).where(
                Payout.owner_id == owner_id, Payout.currency == currency, Payout.status == status
            )
            for status in (TransferStatus.SENDING, TransferStatus.DUE)
        ]
        row = (
            await self.session.execute(
                select(*(query.scalar_subquery() for query in (owed, reversing, *payouts)))
            )
        ).one()
        return OwnersMoney(*(int(value or 0) for value in row))

    async def payouts_waiting(self, owner_id: int, currency: str) -> int:
        """What the owner's payouts not yet recorded as sent add up to."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(Payout.amount_minor), 0)).where(
                Payout.owner_id == owner_id,
                Payout.currency == currency,
                Payout.status.in_((TransferStatus.DUE, TransferStatus.SENDING)),
            )
        )
        return int(total or 0)

    async def payout_of_booking(self, booking_id: int, owner_id: int) -> Payout | None:
        return await self.session.scalar(
            select(Payout).where(Payout.booking_id == booking_id, Payout.owner_id == owner_id)
        )

    async def reversed_of_payout(self, payout_id: int) -> int:
        """What the payout's reversals add up to, those refused excepted."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(PayoutReversal.amount_minor), 0)).where(
                PayoutReversal.payout_id == payout_id,
                PayoutReversal.status != TransferStatus.FAILED,
            )
        )
        return int(total or 0)

    async def due_reversals(self, *, limit: int) -> list[PayoutReversal]:
        rows = await self.session.scalars(
            select(PayoutReversal)
            .where(PayoutReversal.status == TransferStatus.DUE)
            .order_by(PayoutReversal.id)
            .limit(limit)
        )
        return list(rows)

    async def delete(self, row: object) -> None:
        await self.session.delete(row)

    async def due_refunds(self, *, limit: int) -> list[Refund]:
        rows = await self.session.scalars(
            select(Refund)
            .where(Refund.status == TransferStatus.DUE)
            .order_by(Refund.id)
            .limit(limit)
        )
        return list(rows)

    async def due_payouts(self, *, owed_before: datetime, limit: int) -> list[Payout]:
        """Payouts to make, except those whose booking a manager is still deciding on; and those
        handed to the gateway whose answer was never recorded, to ask again."""
        disputed = select(Dispute.id).where(
            Dispute.booking_id == Payout.booking_id, Dispute.status != DisputeStatus.RESOLVED
        )
        # An overstay still to be billed or paid adds to the payout: it waits for it.
        billing = select(Overstay.id).where(
            Overstay.booking_id == Payout.booking_id,
            Overstay.status.in_((OverstayStatus.OPEN, OverstayStatus.DUE)),
        )
        rows = await self.session.scalars(
            select(Payout)
            .where(
                or_(
                    Payout.status == TransferStatus.SENDING,
                    and_(
                        Payout.status == TransferStatus.DUE,
                        Payout.created_at <= owed_before,
                        ~disputed.exists(),
                        ~billing.exists(),
                    ),
                )
            )
            .order_by(Payout.id)
            .limit(limit)
        )
        return list(rows)

    async def has_refund(self, booking_id: int, reason: str) -> bool:
        found = await self.session.scalar(
            select(Refund.id).where(Refund.booking_id == booking_id, Refund.reason == reason)
        )
        return found is not None

    async def refunded_of_payment(self, payment_id: int) -> int:
        """What the payment's refunds add up to, those given up on excepted."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
                Refund.payment_id == payment_id, Refund.status != TransferStatus.FAILED
            )
        )
        return int(total or 0)

    async def refunds_of_booking(self, booking_id: int) -> list[Refund]:
        rows = await self.session.scalars(
            select(Refund).where(Refund.booking_id == booking_id).order_by(Refund.id)
        )
        return list(rows)

    async def payouts_of_owner(self, owner_id: int) -> list[Payout]:
        rows = await self.session.scalars(
            select(Payout).where(Payout.owner_id == owner_id).order_by(Payout.id.desc())
        )
        return list(rows)

    async def checkout_by_reference(self, reference: str) -> Checkout | None:
        return await self.session.scalar(select(Checkout).where(Checkout.reference == reference))

    async def open_checkout_of_booking(self, booking_id: int) -> Checkout | None:
        # The latest: one opened after another expired replaces it.
        return await self.session.scalar(
            select(Checkout)
            .where(Checkout.booking_id == booking_id, Checkout.open.is_(True))
            .order_by(Checkout.id.desc())
            .limit(1)
        )

    async def close_checkouts_of_booking(self, booking_id: int) -> None:
        await self.session.execute(
            update(Checkout)
            .where(Checkout.booking_id == booking_id, Checkout.open.is_(True))
            .values(open=False)
        )

    async def checkouts_of_booking(self, booking_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count()).select_from(Checkout).where(Checkout.booking_id == booking_id)
            )
            or 0
        )

    async def open_checkouts(self, *, created_before: datetime, limit: int) -> list[Checkout]:
        rows = await self.session.scalars(
            select(Checkout)
            .where(Checkout.open.is_(True), Checkout.created_at <= created_before)
            .order_by(Checkout.id)
            .limit(limit)
        )
        return list(rows)

    async def open_checkouts_not_awaiting_payment(
        self, *, gateway: str, limit: int
    ) -> list[Checkout]:
        rows = await self.session.scalars(
            select(Checkout)
            .join(Booking, Booking.id == Checkout.booking_id)
            .where(
                Checkout.open.is_(True),
                Checkout.gateway == gateway,
                Booking.status != BookingStatus.AWAITING_PAYMENT,
            )
            .order_by(Checkout.id)
            .limit(limit)
        )
        return list(rows)

    async def open_checkouts_lapsed_in_stay(self, root_id: int) -> list[Checkout]:
        """Payment pages still open for a stay's bookings (the booking ``root_id`` and its
        extensions) that no longer wait for payment."""
        rows = await self.session.scalars(
            select(Checkout)
            .join(Booking, Booking.id == Checkout.booking_id)
            .where(
                Checkout.open.is_(True),
                or_(Booking.id == root_id, Booking.extends_id == root_id),
                Booking.status != BookingStatus.AWAITING_PAYMENT,
            )
            .order_by(Checkout.id)
        )
        return list(rows)

    async def held_with_bookings(self, *, limit: int) -> list[tuple[Payment, Booking]]:
        """Payments only authorised on a card, with their bookings."""
        rows = await self.session.execute(
            select(Payment, Booking)
            .join(Booking, Booking.id == Payment.booking_id)
            .where(Payment.held.is_(True))
            .order_by(Payment.id)
            .limit(limit)
        )
        return [(payment, booking) for payment, booking in rows]

    async def has_held_payment(self, booking_id: int) -> bool:
        found = await self.session.scalar(
            select(Payment.id).where(Payment.booking_id == booking_id, Payment.held.is_(True))
        )
        return found is not None

    async def event_seen(self, gateway: str, event_id: str) -> bool:
        found = await self.session.scalar(
            select(GatewayEvent.id).where(
                GatewayEvent.gateway == gateway, GatewayEvent.event_id == event_id
            )
        )
        return found is not None

    async def disputes_since(self, since: datetime) -> int:
        count = await self.session.scalar(
            select(func.count(Dispute.id)).where(Dispute.created_at >= since)
        )
        return int(count or 0)


class Trust(_Repository):
    """What the two sides of a booking said to each other, of each other, and to the managers."""

    async def relay_transcript(self, booking_id: int, *, limit: int) -> list[RelayMessage]:
        rows = await self.session.scalars(
            select(RelayMessage)
            .where(RelayMessage.booking_id == booking_id)
            .order_by(RelayMessage.id.desc())
            .limit(limit)
        )
        return list(reversed(list(rows)))

    async def rating_of(self, booking_id: int, ratee_id: int) -> Rating | None:
        return await self.session.scalar(
            select(Rating).where(Rating.booking_id == booking_id, Rating.ratee_id == ratee_id)
        )

    async def rating_by(self, booking_id: int, rater_id: int) -> Rating | None:
        return await self.session.scalar(
            select(Rating).where(Rating.booking_id == booking_id, Rating.rater_id == rater_id)
        )

    async def rated_bookings(self, rater_id: int, booking_ids: Iterable[int]) -> set[int]:
        rows = await self.session.scalars(
            select(Rating.booking_id).where(
                Rating.rater_id == rater_id, Rating.booking_id.in_(list(booking_ids))
            )
        )
        return set(rows)

    async def dispute(self, dispute_id: int, *, for_update: bool = False) -> Dispute | None:
        query = select(Dispute).where(Dispute.id == dispute_id)
        if for_update:
            # As committed now, not the copy the session may hold already.
            query = query.with_for_update().execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def unanswered_by(self, moment: datetime, kind: str, *, limit: int) -> list[int]:
        """Open disputes of a kind whose asked party had until ``moment`` to answer and did not,
        no manager having taken them."""
        rows = await self.session.scalars(
            select(Dispute.id)
            .where(
                Dispute.kind == kind,
                Dispute.status == DisputeStatus.OPEN,
                Dispute.answer_by <= moment,
            )
            .order_by(Dispute.id)
            .limit(limit)
        )
        return list(rows)

    async def unresolved_dispute_of(self, booking_id: int) -> Dispute | None:
        return await self.session.scalar(
            select(Dispute).where(
                Dispute.booking_id == booking_id, Dispute.status != DisputeStatus.RESOLVED
            )
        )

    async def disputed_among(self, booking_ids: list[int]) -> set[int]:
        if not booking_ids:
            return set()
        found = await self.session.scalars(
            select(Dispute.booking_id).where(Dispute.booking_id.in_(booking_ids)).distinct()
        )
        return set(found)

    async def unresolved_disputes(self, *, limit: int) -> list[Dispute]:
        rows = await self.session.scalars(
            select(Dispute)
            .where(Dispute.status != DisputeStatus.RESOLVED)
            .order_by(Dispute.id)
            .limit(limit)
        )
        return list(rows)

    async def evidence(self, dispute_id: int) -> list[DisputeEvidence]:
        rows = await self.session.scalars(
            select(DisputeEvidence)
            .where(DisputeEvidence.dispute_id == dispute_id)
            .order_by(DisputeEvidence.id)
        )
        return list(rows)


_INBOX = inbox_statements.INBOX
_WAITING = inbox_statements.WAITING


class Inbox(_Repository):
    """Updates kept before they are acknowledged, claimed by workers under a lease."""

    async def keep(
        self, source: int, update_id: int, sender: int | None, body: str, at: datetime
    ) -> bool:
        """Keep an update unless it is kept already; whether it was new."""
        dialect = self.session.get_bind().dialect.name
        kept = inbox_statements.keep(dialect, source, update_id, sender, body, at)
        return (await self.session.execute(*kept)).first() is not None

    async def announce(self) -> None:
        """Workers in other processes hear, once this transaction commits, that updates wait
        (PostgreSQL's NOTIFY; elsewhere they look every so often)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text(inbox_statements.ANNOUNCE))

    async def claim(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedUpdate]:
        """``inbox_statements.claim``, in a unit of work (a test's connection)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text(inbox_statements.CLAIM_PLAN_SETTING))
        claim = inbox_statements.claim(worker, now, lease_until, limit)
        rows = (await self.session.execute(*claim)).all()
        return claimed_updates(rows, lease_until)

    async def finish(self, inbox_id: int, worker: str, state: InboxState, at: datetime,
                     error: str | None = None, *, worker_done: bool = True) -> bool:  # fmt: skip
        """Compare-and-set (``inbox_statements.finish``); False when the update is not
        ``worker``'s any more (their lease ran out and another worker took it)."""
        result = await self.session.execute(
            *inbox_statements.finish(inbox_id, worker, state, at, error, worker_done=worker_done)
        )
        return _changed_one(result)

    async def stamp_finished(self, inbox_id: int, worker: str, at: datetime) -> bool:
        """``inbox_statements.stamp_finished``; False when the update was not ``worker``'s to
        finish any more."""
        return _changed_one(
            await self.session.execute(*inbox_statements.stamp_finished(inbox_id, worker, at))
        )

    async def retry_later(self, inbox_id: int, worker: str, not_before: datetime,
                          error: str) -> bool:  # fmt: skip
        """``worker`` gives the update back, to be claimed again from ``not_before``."""
        result = await self.session.execute(
            update(_INBOX)
            .where(_INBOX.c.id == inbox_id, _WAITING, _INBOX.c.lease_owner == worker)
            .values(lease_owner=None, lease_until=None, not_before=not_before, last_error=error)
        )
        return _changed_one(result)

    async def drop_beyond(self, sender: int, keep: int, at: datetime) -> list[int]:
        """A flood: all but the first ``keep`` waiting updates of ``sender`` are dropped."""
        kept_last = (
            select(_INBOX.c.update_id)
            .where(_INBOX.c.sender == sender, _WAITING)
            .order_by(_INBOX.c.update_id)
            .offset(keep - 1)
            .limit(1)
            .scalar_subquery()
        )
        result = await self.session.execute(
            update(_INBOX)
            .where(_INBOX.c.sender == sender, _WAITING, _INBOX.c.update_id > kept_last)
            .values(state=InboxState.DROPPED.value, finished_at=at, lease_until=None)
            .returning(_INBOX.c.update_id)
        )
        return list(result.scalars())

    async def renew(self, worker: str, inbox_ids: list[int], lease_until: datetime) -> int:
        """``worker`` still holds these unfinished updates until ``lease_until``; those taken
        over meanwhile stay with their new worker. How many were renewed."""
        # One whose first write waits for its end is locked by it (and taken over by nobody
        # meanwhile): passed over, rather than waited for with the others.
        held = (
            select(_INBOX.c.id)
            .where(
                _INBOX.c.id.in_(inbox_ids),
                _INBOX.c.lease_owner == worker,
                _INBOX.c.finished_at.is_(None),
            )
            .with_for_update(skip_locked=True)
        )
        result = await self.session.execute(
            update(_INBOX)
            .where(_INBOX.c.id.in_(held.scalar_subquery()))
            .values(lease_until=lease_until)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]  # a CursorResult

    async def take_abandoned(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[tuple[int, str | None, int]]:
        """Updates done whose worker's lease ran out before it finished them (the process died
        between the update's commit and its answers) become ``worker``'s until
        ``lease_until``: each is returned once as ``(inbox id, held answers, attempts)``, for
        ``worker`` to send and then finish (``stamp_finished``). Each takeover counts as an
        attempt."""
        abandoned = (
            select(_INBOX.c.id)
            .where(
                _INBOX.c.finished_at.is_(None),
                _INBOX.c.state == InboxState.DONE.value,
                _INBOX.c.lease_until < now,
            )
            .order_by(_INBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = await self.session.execute(
            update(_INBOX)
            .where(_INBOX.c.id.in_(abandoned.scalar_subquery()))
            .values(
                lease_owner=worker,
                lease_until=lease_until,
                attempts=_INBOX.c.attempts + 1,
                last_error="its worker stopped",
            )
            .returning(_INBOX.c.id, _INBOX.c.answers, _INBOX.c.attempts)
        )
        return sorted((inbox_id, answers, attempts) for inbox_id, answers, attempts in rows)

    async def forget_finished_before(self, moment: datetime) -> int:
        connection = await self.session.connection()
        result = await connection.execute(
            delete(_INBOX).where(
                ~_WAITING,
                # One whose answers never went out is never stamped.
                func.coalesce(_INBOX.c.finished_at, _INBOX.c.received_at) < moment,
            )
        )
        return result.rowcount or 0

    async def finished_after(self, update_id: int) -> list[int]:
        """The ids past ``update_id`` of updates whose workers are done with them."""
        rows = await self.session.scalars(
            select(_INBOX.c.update_id)
            .where(_INBOX.c.update_id > update_id, _INBOX.c.finished_at.is_not(None))
            .order_by(_INBOX.c.update_id)
        )
        return list(rows)

    async def counts(self) -> dict[InboxState, int]:
        rows = await self.session.execute(
            select(_INBOX.c.state, func.count()).group_by(_INBOX.c.state)
        )
        return {InboxState(state): count for state, count in rows}


def _changed_one(result: Any) -> bool:
    return bool(result.rowcount == 1)


class PersonStates(_Repository):
    async def put(self, telegram_user_id: int, user_data: str, flows: str,
                  flows_expire_at: datetime | None) -> None:  # fmt: skip
        dialect = self.session.get_bind().dialect.name
        await self.session.execute(*inbox_statements.put_person_state(
            dialect, telegram_user_id, user_data, flows, flows_expire_at
        ))  # fmt: skip

    async def forget_flows(self, telegram_user_ids: list[int]) -> None:
        """These people are in no flow any more; what they had typed (their drafts) stays."""
        await self.session.execute(
            update(PersonState)
            .where(PersonState.telegram_user_id.in_(telegram_user_ids))
            .values(flows="{}", flows_expire_at=None)
        )

    async def locked(self, telegram_user_id: int) -> PersonState | None:
        """The person's row, held until the unit of work ends (changes to it are written)."""
        return await self.session.get(PersonState, telegram_user_id, with_for_update=True)

    async def with_flows_expired(self, now: datetime, limit: int) -> list[int]:
        rows = await self.session.scalars(
            select(PersonState.telegram_user_id)
            .where(PersonState.flows_expire_at <= now)
            .order_by(PersonState.flows_expire_at)
            .limit(limit)
        )
        return list(rows)
