"""Neighbourhood groups: added to a group (a building's, an office's chat), the bot offers its
members' spots there first. ``/spots`` lists them with links that open each in the bot,
``/offerhere`` sends an owner the choice of how to offer each of their spots to the group, and
the group's admins turn it off or on with ``/groupspots off`` / ``on``. Bookings run in the
private chat as any other: the group sees the spots, never who booked them."""

from __future__ import annotations

import html

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import Forbidden
from telegram.ext import BaseHandler, ChatMemberHandler, CommandHandler, filters

from bot.button_width import fit_label
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.edge import made_now
from bot.group_membership import ADMINS, IN_THE_GROUP, status_in
from bot.i18n import N_, Translator
from bot.incoming import chat_of, message_of, sender_of
from bot.keyboards import Button, inline
from bot.spot_buttons import OfferToGroup
from bot.spot_links import spot_link
from bot.telegram_text import fit_html
from core.neighbourhood import OPEN_TO_ALL_WITHIN, GroupOffer
from core.services import communities
from core.window import DEFAULT_WINDOW, window_for

NOT_OFFERED = N_(
    "Spots are not offered in this group. Its admins can turn them on with /groupspots on."
)
OFFER_LABELS = {
    GroupOffer.FIRST: N_("🏘 First"),
    GroupOffer.ONLY: N_("🔒 Only"),
    GroupOffer.NONE: N_("✖️ Not here"),
}


async def bot_added_or_removed(update: Update, context: ParkShareContext) -> None:
    change = update.my_chat_member
    assert change is not None
    chat = change.chat
    if chat.type not in ("group", "supergroup") or chat.id == context.settings.manager_chat_id:
        return
    status, before = change.new_chat_member.status, change.old_chat_member.status
    outside = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    if status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR) and before in outside:
        async with context.db.unit_of_work() as uow:
            await communities.joined(uow, context.clock, chat_id=chat.id, title=chat.title or "")
        i18n = context.i18n
        await context.bot.send_message(
            chat.id,
            i18n.gettext(
                "🅿️ Hello, neighbours! I'm ParkShare. Owners here can offer their parking spots to "
                "this group first: send /offerhere. Anyone can see them with /spots and book in a "
                "private chat with me, paid safely; nobody here sees who booked."
            ),
        )
    elif status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        async with context.db.unit_of_work() as uow:
            await communities.set_active(uow, chat_id=chat.id, active=False)


async def moved_to_supergroup(update: Update, context: ParkShareContext) -> None:
    """A group that became a supergroup has a new id: its offers go with it."""
    message = message_of(update)
    if message.migrate_to_chat_id is None:
        return
    async with context.db.unit_of_work() as uow:
        await communities.moved(
            uow, chat_id=message.chat.id, new_chat_id=message.migrate_to_chat_id
        )


async def _as_a_person(update: Update, context: ParkShareContext) -> bool:
    """Whether a person wrote (not the group itself, an anonymous admin or a channel), and is
    not in the managers' group; if not, they are told how to write, or left alone."""
    if chat_of(update).id == context.settings.manager_chat_id:
        return False
    message = message_of(update)
    if message.sender_chat is not None or sender_of(update).is_bot:
        await message.reply_text(
            context.i18n.gettext("Please write this as yourself, not as the group or a channel.")
        )
        return False
    return True


async def group_spots(update: Update, context: ParkShareContext) -> None:
    i18n = context.i18n
    chat = chat_of(update)
    if chat.id == context.settings.manager_chat_id:
        return
    now = context.clock.now()
    async with context.db.reading() as uow:
        community = await communities.of_chat(uow, chat.id)
        listed = []
        if community is not None:
            window = window_for(DEFAULT_WINDOW, now, "UTC")
            listed = await communities.spots_of(
                uow, community_id=community.id, start=window.start, end=window.end
            )
    if community is None:
        await message_of(update).reply_text(i18n.gettext(NOT_OFFERED))
        return
    if not listed:
        await message_of(update).reply_text(
            i18n.gettext("No spot is offered to this group yet. Owners: send /offerhere.")
        )
        return
    username = context.bot.username
    lines = [i18n.gettext("🏘 Spots offered to this group:")]
    rows = []
    for shown in listed:
        spot = shown.spot
        state = i18n.gettext("free now") if shown.free_now else i18n.gettext("taken now")
        only = " · " + i18n.gettext("members only") if shown.offer == GroupOffer.ONLY else ""
        lines.append(
            f"• <b>{html.escape(spot.title)}</b> — "
            + i18n.gettext("{price} per hour").format(price=i18n.money(spot.hourly_price))
            + f" · {state}{only}"
        )
        rows.append([InlineKeyboardButton(
            fit_label(i18n.gettext("📅 {title}").format(title=spot.title)),
            url=spot_link(username, spot.id),
        )])  # fmt: skip
    await message_of(update).reply_text(
        fit_html("\n".join(lines)), reply_markup=InlineKeyboardMarkup(rows)
    )


async def offer_here(update: Update, context: ParkShareContext) -> None:
    """An owner in the group asks to offer their spots to it: the choices go to their private
    chat, so the group sees no one's spots but those offered."""
    i18n = context.i18n
    chat = chat_of(update)
    if not await _as_a_person(update, context):
        return
    async with context.db.reading() as uow:
        community = await communities.of_chat(uow, chat.id)
        offers = (
            await communities.offers_of_owner(
                uow, owner_id=context.person_id, community_id=community.id
            )
            if community is not None
            else []
        )
    if community is None:
        await message_of(update).reply_text(i18n.gettext(NOT_OFFERED))
        return
    if not offers:
        await message_of(update).reply_text(
            i18n.gettext("You have no listed spot yet: list one in a private chat with me (/list).")
        )
        return
    user = sender_of(update)
    try:
        # Whether it arrives decides what the group hears: sent now, even after a first write.
        with made_now():
            await context.bot.send_message(
                user.id, offer_text(community.title, offers, i18n),
                reply_markup=offer_keyboard(community.id, offers, i18n),
            )  # fmt: skip
    except Forbidden:
        await message_of(update).reply_text(
            i18n.gettext("Start a private chat with me first, then send /offerhere again."),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("ParkShare", url=f"https://t.me/{context.bot.username}")]]
            ),
        )
        return
    await message_of(update).reply_text(
        i18n.gettext("I've sent you the choices in our private chat.")
    )


def offer_text(title: str, offers, i18n: Translator) -> str:
    hours = int(OPEN_TO_ALL_WITHIN.total_seconds() // 3600)
    return i18n.ngettext(
        "🏘 How do you offer your spots to “{group}”? First: members can book at any time, others "
        "only for the next {hours} hour. Only: members alone.",
        "🏘 How do you offer your spots to “{group}”? First: members can book at any time, others "
        "only for the next {hours} hours. Only: members alone.",
        hours,
    ).format(group=html.escape(title), hours=hours)


def offer_keyboard(community_id: int, offers, i18n: Translator) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    for spot, offer in offers:
        rows.append([(fit_label(i18n.gettext("{title}:").format(title=spot.title)),
                      OfferToGroup(community_id, spot.id, "show"))])  # fmt: skip
        # One a row: side by side, a translation would be cut on a phone.
        rows += [
            [(("✅ " if offer == choice else "") + i18n.gettext(OFFER_LABELS[choice]),
              OfferToGroup(community_id, spot.id, choice.value))]
            for choice in GroupOffer
        ]  # fmt: skip
    return inline(rows)


@on_button(OfferToGroup)
async def offer_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: OfferToGroup
) -> None:
    i18n = context.i18n
    if pressed.offer == "show":
        await query.answer()
        return
    async with context.db.reading() as uow:
        community = await communities.by_id(uow, pressed.community_id)
    # Taking a spot back needs no membership: the owner may have left, or the group be gone.
    if community is None or (
        pressed.offer != GroupOffer.NONE
        and await status_in(context, community.chat_id, sender_of(update).id) not in IN_THE_GROUP
    ):
        await query.answer(i18n.gettext("You're not in that group."), show_alert=True)
        return
    async with context.db.unit_of_work() as uow:
        await communities.set_offer(
            uow, context.clock, owner_id=context.person_id, spot_id=pressed.spot_id,
            community_id=community.id, offer=GroupOffer(pressed.offer),
        )  # fmt: skip
        offers = await communities.offers_of_owner(
            uow, owner_id=context.person_id, community_id=community.id
        )
    await query.answer()
    await query.edit_message_reply_markup(offer_keyboard(community.id, offers, i18n))


async def switch(update: Update, context: ParkShareContext) -> None:
    """``/groupspots on`` or ``off``, for the group's admins."""
    i18n = context.i18n
    chat = chat_of(update)
    wanted = (context.args or [""])[0].lower()
    if wanted not in ("on", "off"):
        await message_of(update).reply_text(i18n.gettext("Send /groupspots on or /groupspots off."))
        return
    if await status_in(context, chat.id, sender_of(update).id) not in ADMINS:
        await message_of(update).reply_text(
            i18n.gettext("Only the group's admins can turn this on or off.")
        )
        return
    async with context.db.unit_of_work() as uow:
        if wanted == "on":
            await communities.joined(uow, context.clock, chat_id=chat.id, title=chat.title or "")
        else:
            await communities.set_active(uow, chat_id=chat.id, active=False)
    await message_of(update).reply_text(
        i18n.gettext("Spots offered to this group are on again.") if wanted == "on"
        else i18n.gettext("Spots are no longer offered in this group; they are open to all.")
    )  # fmt: skip


def handlers() -> list[BaseHandler]:
    in_groups = filters.ChatType.GROUPS
    return [
        ChatMemberHandler(bot_added_or_removed, ChatMemberHandler.MY_CHAT_MEMBER),
        CommandHandler("spots", group_spots, filters=in_groups),
        CommandHandler("offerhere", offer_here, filters=in_groups),
        CommandHandler("groupspots", switch, filters=in_groups),
        offer_pressed,
    ]
