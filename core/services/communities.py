"""Neighbourhood groups: group chats the bot was added to, whose members' spots are offered
there first (the rule: ``core.neighbourhood``). Telegram says who is a member; the bot asks
it and hands the groups a person is in to the services, which decide.

Decisions:
- Either way the booking runs through the platform as any other: payment, escrow, the relay,
  disputes; the group sees the spot, never who booked it.
- A group its admins turned off (or that removed the bot) neither lists nor restricts its
  spots any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from core.db.models import Community, Spot, SpotCommunity
from core.db.uow import UnitOfWork
from core.errors import NotInTheGroup
from core.neighbourhood import GroupOffer
from core.services import bookings, spots
from core.status import SpotStatus

# What /spots lists in a group, at most.
LISTED = 20


async def joined(uow: UnitOfWork, clock: Clock, *, chat_id: int, title: str) -> Community:
    """The bot was added to a group (or added back): it is a community again."""
    community = await uow.spots.community_of_chat(chat_id)
    if community is None:
        community = Community(chat_id=chat_id, title=title[:128], created_at=clock.now())
        uow.spots.add(community)
        await uow.spots.flush()
    community.title, community.active = title[:128], True
    return community


async def set_active(uow: UnitOfWork, *, chat_id: int, active: bool) -> Community | None:
    """The group's admins turn it on or off (or the bot left): None for a chat never joined."""
    community = await uow.spots.community_of_chat(chat_id)
    if community is not None:
        community.active = active
    return community


async def moved(uow: UnitOfWork, *, chat_id: int, new_chat_id: int) -> None:
    """The group became a supergroup, with a new chat id."""
    community = await uow.spots.community_of_chat(chat_id)
    if community is not None and await uow.spots.community_of_chat(new_chat_id) is None:
        community.chat_id = new_chat_id


async def by_id(uow: UnitOfWork, community_id: int) -> Community | None:
    community = await uow.spots.community(community_id)
    return community if community is not None and community.active else None


async def of_chat(uow: UnitOfWork, chat_id: int) -> Community | None:
    community = await uow.spots.community_of_chat(chat_id)
    return community if community is not None and community.active else None


async def set_offer(
    uow: UnitOfWork,
    clock: Clock,
    *,
    owner_id: int,
    spot_id: int,
    community_id: int,
    offer: GroupOffer,
) -> Spot:
    """An owner offers their spot to a group they are in (the bot checked), first or only, or
    takes it back."""
    spot = await spots.get_owned(uow, spot_id, owner_id)
    community = await uow.spots.community(community_id)
    if community is None or not community.active:
        raise NotInTheGroup(str(community_id))
    link = await uow.spots.community_link(spot_id, community_id)
    if offer == GroupOffer.NONE:
        if link is not None:
            await uow.spots.delete(link)
    elif link is None:
        only = offer == GroupOffer.ONLY
        uow.spots.add(
            SpotCommunity(
                spot_id=spot_id, community_id=community_id, only=only, created_at=clock.now()
            )
        )
    else:
        link.only = offer == GroupOffer.ONLY
    return spot


async def offers_of_owner(
    uow: UnitOfWork, *, owner_id: int, community_id: int
) -> list[tuple[Spot, GroupOffer]]:
    """The owner's spots, each with how it is offered to the group (the first ``LISTED``:
    a message's keyboard holds a hundred buttons)."""
    owned = [s for s in await uow.spots.owned_by(owner_id) if s.status == SpotStatus.APPROVED]
    owned = owned[:LISTED]
    links = {
        link.spot_id: link
        for link in await uow.spots.community_links(community_id, [s.id for s in owned])
    }
    return [(spot, _offer_of(links.get(spot.id))) for spot in owned]


def _offer_of(link: SpotCommunity | None) -> GroupOffer:
    if link is None:
        return GroupOffer.NONE
    return GroupOffer.ONLY if link.only else GroupOffer.FIRST


@dataclass(frozen=True, slots=True)
class GroupSpot:
    spot: Spot
    offer: GroupOffer
    free_now: bool


async def spots_of(
    uow: UnitOfWork, *, community_id: int, start: datetime, end: datetime
) -> list[GroupSpot]:
    """The listed (approved) spots offered to the group, free for [start, end) first."""
    listed = []
    for spot, link in await uow.spots.offered_to(community_id, limit=LISTED):
        free = await bookings.is_free(uow, spot, start, end)
        listed.append(GroupSpot(spot, _offer_of(link), free))
    return sorted(listed, key=lambda shown: not shown.free_now)


async def chats_of_spot(uow: UnitOfWork, spot_id: int) -> dict[int, int]:
    """The active groups a spot is offered to: community id → chat id, for the bot to ask
    Telegram which of them a driver is in."""
    return {
        community.id: community.chat_id
        for community in await uow.spots.communities_of_spot(spot_id)
        if community.active
    }
