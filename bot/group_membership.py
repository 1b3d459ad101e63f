"""Which neighbourhood groups a person is in, asked of Telegram: the groups themselves are the
record of their members."""

from __future__ import annotations

from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.context import ParkShareContext
from core.services import communities

IN_THE_GROUP = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
ADMINS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


# A group Telegram no longer lets the bot ask about (it removed the bot, was deleted, or moved
# to a supergroup): it restricts no one any more.
GONE = "gone"


async def status_in(context: ParkShareContext, chat_id: int, user_id: int) -> str:
    """The person's status in the group, ``GONE`` for a group the bot cannot see any more. A
    time-out or Telegram's own trouble is raised: the update is tried again."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except (Forbidden, ChatMigrated):
        return GONE
    except BadRequest as error:
        if "not found" in error.message.lower():
            return GONE
        raise
    if member.status == ChatMemberStatus.RESTRICTED and getattr(member, "is_member", False):
        return ChatMemberStatus.MEMBER
    return member.status


async def groups_of_at_spot(
    context: ParkShareContext, spot_id: int, user_id: int
) -> frozenset[int]:
    """Of the groups the spot is offered to, those the person is in, and those gone (which
    admit everyone)."""
    async with context.db.reading() as uow:
        chats = await communities.chats_of_spot(uow, spot_id)
    inside = set()
    for community_id, chat_id in chats.items():
        if await status_in(context, chat_id, user_id) in (*IN_THE_GROUP, GONE):
            inside.add(community_id)
    return frozenset(inside)
