"""Who uses ParkShare: registration on first contact, language, roles, payout account and
credit score."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock
from core.credit import CreditEventKind, clamp_score, points_for
from core.db import standing_view
from core.db.models import CreditEvent, Person, Role
from core.db.rows import Standing as Standing  # what the gate reads, for the bot
from core.db.uow import Database, UnitOfWork
from core.errors import InvalidLanguage, PersonBanned, PersonNotFound
from core.requirements import Requirements, Shortfall, shortfalls

SUPPORTED_LANGUAGES = ("en", "zh_Hans", "ru")


def language_from_telegram(code: str | None) -> str:
    """Map Telegram's IETF ``language_code`` to one of our catalogs; English otherwise."""
    if not code:
        return "en"
    primary = code.replace("_", "-").lower().split("-")[0]
    if primary == "zh":
        return "zh_Hans"
    return primary if primary in SUPPORTED_LANGUAGES else "en"


async def register(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_id: int,
    language_code: str | None,
    first_name: str,
    initial_credit: int,
) -> Person:
    """The person behind a Telegram account, created on first contact."""
    person = await uow.people.by_telegram_id(telegram_id)
    if person is None:
        person = Person(
            telegram_id=telegram_id,
            language=language_from_telegram(language_code),
            first_name=first_name[:64],
            roles=Role.NONE,
            credit_score=initial_credit,
            banned=False,
            created_at=clock.now(),
        )
        uow.people.add(person)
        await uow.people.flush()
    elif person.first_name != first_name[:64]:
        person.first_name = first_name[:64]
    return person


async def get(uow: UnitOfWork, person_id: int) -> Person:
    person = await uow.people.get(person_id)
    if person is None:
        raise PersonNotFound(str(person_id))
    return person


async def get_active(uow: UnitOfWork, person_id: int) -> Person:
    """The person, refusing those a manager has banned."""
    person = await get(uow, person_id)
    if person.banned:
        raise PersonBanned(str(person_id))
    return person


async def set_language(uow: UnitOfWork, person_id: int, language: str) -> Person:
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidLanguage(language)
    person = await get(uow, person_id)
    person.language = language
    return person


async def add_role(uow: UnitOfWork, person_id: int, role: Role) -> Person:
    person = await get(uow, person_id)
    person.roles = person.roles | role
    return person


async def set_payout_account(uow: UnitOfWork, person_id: int, account_id: str) -> Person:
    person = await get(uow, person_id)
    person.payout_account_id = account_id
    return person


async def payout_account_changed(
    uow: UnitOfWork, account_id: str, *, payouts_enabled: bool
) -> Person | None:
    """The gateway says whether an owner's account can receive money yet."""
    person = await uow.people.by_payout_account(account_id)
    if person is not None:
        person.payouts_enabled = payouts_enabled
    return person


MAX_BAN_REASON = 300


async def ban(uow: UnitOfWork, clock: Clock, person_id: int, reason: str) -> Person:
    """Stops the person searching, listing and booking; their bookings are left to managers.
    Spots they managed for owners go back to their owners alone, and with them the share of
    the payouts still to come."""
    person = await get(uow, person_id)
    person.banned = True
    person.ban_reason = reason.strip()[:MAX_BAN_REASON]
    for operatorship, _owner in await uow.operators.clients_of(person_id):
        operatorship.ended_at = clock.now()
    return person


async def unban(uow: UnitOfWork, person_id: int) -> Person:
    person = await get(uow, person_id)
    person.banned = False
    person.ban_reason = None
    return person


async def standing(db: Database, person_id: int) -> Standing | None:
    """Whether the person an update comes from may go on (not banned), read once for all its
    handlers by the store's quickest read path."""
    return await standing_view.standing(db, person_id)


@dataclass(frozen=True, slots=True)
class Profile:
    """What managers see of a person."""

    person: Person
    rating: float | None
    rating_count: int
    spot_ids: list[int]
    recent_events: list[CreditEvent]


async def profile(uow: UnitOfWork, person_id: int) -> Profile:
    person = await get(uow, person_id)
    rating, count = await uow.people.rating_of(person_id)
    spot_ids = [spot.id for spot in await uow.spots.owned_by(person_id)]
    return Profile(person, rating, count, spot_ids, await credit_history(uow, person_id, limit=5))


@dataclass(frozen=True, slots=True)
class DriverRecord:
    """Where a driver stands against what owners may ask of them."""

    score: int
    completed_stays: int

    def short_of(self, asked: Requirements) -> list[Shortfall]:
        return shortfalls(asked, driver_score=self.score, completed_stays=self.completed_stays)


async def driver_record(uow: UnitOfWork, person_id: int) -> DriverRecord:
    person = await get(uow, person_id)
    return DriverRecord(person.credit_score, await uow.bookings.completed_count(person_id))


async def change_credit(
    uow: UnitOfWork,
    clock: Clock,
    person_id: int,
    *,
    kind: CreditEventKind,
    booking_id: int | None = None,
    note: str = "",
    manager_points: int = 0,
) -> Person:
    """Move a person's credit score by the rule for ``kind``, kept within its range, with the
    reason on record."""
    delta = points_for(kind, manager_points=manager_points)
    person = await get(uow, person_id)
    person.credit_score = clamp_score(person.credit_score + delta)
    uow.people.add(
        CreditEvent(
            person_id=person_id, kind=kind, delta=delta, booking_id=booking_id, note=note,
            created_at=clock.now(),
        )
    )  # fmt: skip
    return person


async def credit_history(uow: UnitOfWork, person_id: int, *, limit: int = 10) -> list[CreditEvent]:
    """What moved the person's score, newest first."""
    return await uow.people.credit_events(person_id, limit=limit)
