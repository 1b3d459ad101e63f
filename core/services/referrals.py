"""Who brought whom: each person's code for the links they share, a newcomer who arrived by
one, the spot cards sent to chats, and what the managers' report counts of them.

Decisions:
- A person is brought by the first link they open, and only when it is their first contact
  with ParkShare (registered moments before): a link opened later by someone already here
  credits nobody.
- Codes are random, not the person's id, so a link says nothing about who shared it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from core.db.models import Spot, SpotShare
from core.db.uow import UnitOfWork
from core.services import bookings, people
from core.status import SpotStatus

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 8
CODE_PATTERN = rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}"
# A person registered this recently is new: their first update was the link itself.
NEW_FOR = timedelta(minutes=10)


async def code_of(uow: UnitOfWork, person_id: int) -> str:
    """The person's code, made on first use."""
    person = await people.get(uow, person_id)
    if person.referral_code is None:
        person.referral_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return person.referral_code


async def arrived(uow: UnitOfWork, clock: Clock, *, person_id: int, code: str) -> bool:
    """A newcomer opened a link with ``code``: remembered as brought by its owner. False when
    the code names nobody, themselves, or the person was here before."""
    person = await people.get(uow, person_id)
    referrer = await uow.people.by_referral_code(code)
    if (
        referrer is None
        or referrer.id == person.id
        or person.referred_by_id is not None
        or clock.now() - person.created_at > NEW_FOR
    ):
        return False
    person.referred_by_id = referrer.id
    return True


async def shared(uow: UnitOfWork, clock: Clock, *, person_id: int, spot_id: int) -> None:
    """A spot's card was sent to a chat."""
    uow.people.add(SpotShare(spot_id=spot_id, person_id=person_id, created_at=clock.now()))


@dataclass(frozen=True, slots=True)
class Referrals:
    """Over a period: spot cards sent to chats, newcomers brought by links, and who brought
    the most (their names, for the managers)."""

    cards_shared: int
    newcomers: int
    top: list[tuple[str, int]]


async def report(uow: UnitOfWork, *, since: datetime, until: datetime) -> Referrals:
    return Referrals(
        await uow.people.shares_between(since, until),
        *await uow.people.referred_between(since, until),
    )


@dataclass(frozen=True, slots=True)
class Shareable:
    """What a person can hand on: their code, their own listed spots and the spots of their
    bookings still to come."""

    code: str
    spots: list[Spot]


async def shareable(uow: UnitOfWork, clock: Clock, person_id: int) -> Shareable:
    own = [s for s in await uow.spots.owned_by(person_id) if s.status == SpotStatus.APPROVED]
    booked = [spot for _b, spot in await bookings.upcoming_of_driver(uow, clock, person_id)]
    unique = list({spot.id: spot for spot in own + booked}.values())
    return Shareable(await code_of(uow, person_id), unique)
