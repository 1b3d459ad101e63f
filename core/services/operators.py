"""Operators: people who manage spots on behalf of owners (a building manager, a parking
agent). An owner invites one by link and sets their share; the operator then lists, edits and
manages the availability of the owner's spots and answers their bookings, and is paid their
share out of the owner's share of each stay by the ledger when the owner's payout is queued
(``core.services.settlement``).

Decisions:
- An owner has one operator at a time: taking a new invitation ends the previous operator's
  management (the owner sent it knowingly). An operator may have any number of owners.
- Either side can end it; the owner can change the share, which counts for payouts queued
  from then on.
- The operator's share is of what the owner is paid for a stay, taken once a booking, from the
  first payout queued for it. A refund decided after the stay comes back from the owner's part
  (the operator's fee for a stay they managed stands); an overstay's fee, or money won back
  from a chargeback, tops up the owner's payout alone.
- An invitation is good for a week and for one person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from core.db.models import Operatorship, Person, Spot
from core.db.uow import UnitOfWork
from core.errors import InvalidInput, InvitationNotValid, OperatorshipNotFound, OwnInvitation
from core.money import Money
from core.services import profit
from core.services.ledger import OPERATOR_SHARE, owner_payable_account
from core.status import SpotStatus

# Per cent of the owner's share an owner can give their operator.
SHARES_OFFERED = (5, 10, 15, 20, 25, 30)
INVITATION_LASTS = timedelta(days=7)
# /portfolio's shorter period, up to now.
RECENT_DAYS = 7


def share_bp(percent: int) -> int:
    if percent not in SHARES_OFFERED:
        raise InvalidInput(f"share {percent}%")
    return percent * 100


async def invite(uow: UnitOfWork, clock: Clock, *, owner_id: int, percent: int) -> Operatorship:
    """A new invitation link's row; the owner's earlier invitations not taken are withdrawn."""
    await uow.one_at_a_time(f"operators_of:{owner_id}")
    now = clock.now()
    for earlier in await uow.operators.open_invitations(owner_id):
        earlier.ended_at = now
    invitation = Operatorship(
        owner_id=owner_id, code=secrets.token_urlsafe(9), share_bp=share_bp(percent),
        created_at=now,
    )  # fmt: skip
    uow.operators.add(invitation)
    await uow.operators.flush()
    return invitation


@dataclass(frozen=True, slots=True)
class Invitation:
    operatorship: Operatorship
    owner: Person
    spots: int


async def _open(uow: UnitOfWork, clock: Clock, code: str) -> Operatorship:
    invitation = await uow.operators.by_code(code)
    if (
        invitation is None
        or invitation.operator_id is not None
        or invitation.ended_at is not None
        or clock.now() - invitation.created_at > INVITATION_LASTS
    ):
        raise InvitationNotValid(code)
    return invitation


async def invitation(uow: UnitOfWork, clock: Clock, *, code: str, person_id: int) -> Invitation:
    """What the person who opened an invitation link is asked to take."""
    found = await _open(uow, clock, code)
    if found.owner_id == person_id:
        raise OwnInvitation(code)
    owner = await uow.people.get(found.owner_id)
    assert owner is not None
    return Invitation(found, owner, len(await uow.spots.owned_by(found.owner_id)))


async def accept(uow: UnitOfWork, clock: Clock, *, code: str, person_id: int) -> Operatorship:
    # Two invitations taken at once would leave the owner two operators: one at a time, the
    # turn taken before the invitation's row, as ``invite`` takes it before withdrawing rows.
    if (owner_id := await uow.operators.owner_of_code(code)) is not None:
        await uow.one_at_a_time(f"operators_of:{owner_id}")
    found = await _open(uow, clock, code)
    if found.owner_id == person_id:
        raise OwnInvitation(code)
    now = clock.now()
    if (previous := await uow.operators.of_owner(found.owner_id)) is not None:
        previous.ended_at = now
    found.operator_id, found.accepted_at = person_id, now
    return found


async def decline(uow: UnitOfWork, clock: Clock, *, code: str, person_id: int) -> Operatorship:
    found = await _open(uow, clock, code)
    if found.owner_id == person_id:
        raise OwnInvitation(code)
    found.ended_at = clock.now()
    return found


async def _between(uow: UnitOfWork, operatorship_id: int, person_id: int) -> Operatorship:
    """An operatorship under way, only for its two sides."""
    found = await uow.operators.get(operatorship_id)
    if found is None or not found.active or person_id not in (found.owner_id, found.operator_id):
        raise OperatorshipNotFound(str(operatorship_id))
    return found


async def end(
    uow: UnitOfWork, clock: Clock, *, operatorship_id: int, person_id: int
) -> Operatorship:
    """Either side ends it; stays already settled keep the share they were settled with."""
    found = await _between(uow, operatorship_id, person_id)
    found.ended_at = clock.now()
    return found


async def set_share(
    uow: UnitOfWork, *, operatorship_id: int, owner_id: int, percent: int
) -> Operatorship:
    found = await _between(uow, operatorship_id, owner_id)
    if found.owner_id != owner_id:
        raise OperatorshipNotFound(str(operatorship_id))
    found.share_bp = share_bp(percent)
    return found


@dataclass(frozen=True, slots=True)
class OwnersOperator:
    operatorship: Operatorship
    operator: Person


async def of_owner(uow: UnitOfWork, owner_id: int) -> OwnersOperator | None:
    found = await uow.operators.of_owner(owner_id)
    if found is None or found.operator_id is None:
        return None
    operator = await uow.people.get(found.operator_id)
    assert operator is not None
    return OwnersOperator(found, operator)


async def owners_of(uow: UnitOfWork, operator_id: int) -> list[Person]:
    """The owners whose spots the operator manages now."""
    return [owner for _operatorship, owner in await uow.operators.clients_of(operator_id)]


async def may_manage(uow: UnitOfWork, spot: Spot, person_id: int) -> bool:
    """The spot's owner, or the operator who manages the owner's spots now."""
    return spot.owner_id == person_id or await uow.operators.manages(person_id, spot.owner_id)


async def acting_for(uow: UnitOfWork, *, person_id: int, owner_id: int) -> None:
    """Refuses anyone but the owner and the operator who manages the owner's spots now, for
    what is done to all of an owner's spots (listing, importing, changing them in bulk)."""
    if person_id != owner_id and not await uow.operators.manages(person_id, owner_id):
        raise OperatorshipNotFound(str(owner_id))


@dataclass(frozen=True, slots=True)
class Client:
    operatorship: Operatorship
    owner: Person
    spots: list[Spot]


@dataclass(frozen=True, slots=True)
class Period:
    since: datetime
    until: datetime
    booked_hours: float
    # Booked spot-hours over listed spot-hours, 0-1 (as the managers' report counts it).
    occupancy: float
    earned: list[Money]  # the operator's share


@dataclass(frozen=True, slots=True)
class Portfolio:
    clients: list[Client]
    week: Period
    month: Period
    pending: list[Money]  # earned and not paid out yet
    paid_out: list[Money]

    @property
    def spots(self) -> list[Spot]:
        return [spot for client in self.clients for spot in client.spots]


async def _period(
    uow: UnitOfWork, operator_id: int, spots: list[Spot], since: datetime, until: datetime
) -> Period:
    listed = [spot.id for spot in spots if spot.status == SpotStatus.APPROVED]
    booked = timedelta()
    if listed:
        for _spot, start, end in await uow.bookings.stays_overlapping(
            since, until, spot_ids=listed
        ):
            booked += min(end, until) - max(start, since)
    hours = booked.total_seconds() / 3600
    period_hours = (until - since).total_seconds() / 3600
    earned = await uow.ledger.movements(
        owner_payable_account(operator_id), only_kinds=(OPERATOR_SHARE,), since=since
    )
    return Period(
        since=since, until=until, booked_hours=hours,
        occupancy=min(1.0, hours / (len(listed) * period_hours)) if listed else 0.0,
        earned=profit.totals(earned),
    )  # fmt: skip


def share_key(booking_id: int) -> str:
    """The ledger's key of the operator's share of a booking: there is at most one."""
    return f"booking:{booking_id}:{OPERATOR_SHARE}"


async def share_of_booking(uow: UnitOfWork, booking_id: int, currency: str) -> Money:
    """What the operator was paid of the owner's share of the booking's stay."""
    return Money(await uow.ledger.credited_by(share_key(booking_id)), currency)


def month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def portfolio(uow: UnitOfWork, clock: Clock, operator_id: int) -> Portfolio:
    """The operator's owners and spots, and for the last ``RECENT_DAYS`` and this month (UTC) how
    busy the spots were and what the operator earned; with what is waiting to be paid out."""
    now = clock.now()
    clients = [
        Client(operatorship, owner, await uow.spots.owned_by(owner.id))
        for operatorship, owner in await uow.operators.clients_of(operator_id)
    ]
    spots = [spot for client in clients for spot in client.spots]
    # What the operator is owed and was paid reads as an owner's earnings do: the same accounts.
    earned = await profit.earnings(uow, operator_id)
    return Portfolio(
        clients=clients,
        week=await _period(uow, operator_id, spots, now - timedelta(days=RECENT_DAYS), now),
        month=await _period(uow, operator_id, spots, month_start(now), now),
        pending=earned.pending,
        paid_out=earned.paid_out,
    )


# How many operators the managers' report names.
TOP = 3


@dataclass(frozen=True, slots=True)
class OperatorsReport:
    operators: int
    owners: int
    spots: int  # listed or paused, of the owners they manage for
    shares: list[Money]  # paid to operators out of owners' shares in the period
    top: list[tuple[str, Money]]  # the operators paid most, by first name


async def report(uow: UnitOfWork, *, since: datetime) -> OperatorsReport:
    count, owners = await uow.operators.active_counts()
    paid = await uow.ledger.credits_of_kind(OPERATOR_SHARE, since=since)
    names = await uow.people.first_names([int(account.split(":")[1]) for account, _, _ in paid])
    ranked = sorted(paid, key=lambda row: -row[2])[:TOP]
    return OperatorsReport(
        operators=count, owners=owners, spots=await uow.operators.managed_spot_count(),
        shares=profit.totals([(since, currency, amount) for _account, currency, amount in paid]),
        top=[(names.get(int(account.split(":")[1]), "—"), Money(amount, currency))
             for account, currency, amount in ranked],
    )  # fmt: skip
