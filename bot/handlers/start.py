"""/start: greet, let the person say whether they drive or own a spot; honours deep links
(``t.me/<bot>?start=driver``, ``start=owner``, ``start=spot_<id>_<code>``, an operator's
invitation ``start=op_<code>``)."""

from __future__ import annotations

import html

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.incoming import chat_of, message_of
from bot.keyboards import location_request
from bot.main_menu import ROLES, RoleChoice, role_keyboard
from bot.operator_invitations import open_invitation, read_operator_start
from bot.spot_card_view import compose_spot_card, send_composed
from bot.spot_links import SpotStart, read_spot_start
from core.errors import DomainError
from core.services import people, referrals


async def start(update: Update, context: ParkShareContext) -> None:
    _ = context.i18n.gettext
    payload = context.args[0] if context.args else ""
    if payload in ROLES:
        await _welcome_role(update, context, payload)
        return
    if (link := read_spot_start(payload)) is not None:
        await _open_linked_spot(update, context, link)
        return
    if (code := read_operator_start(payload)) is not None:
        await open_invitation(update, context, code)
        return
    name = html.escape(update.effective_user.first_name) if update.effective_user else ""
    await message_of(update).reply_text(
        _(
            "Hi {name}! ParkShare finds you a private parking spot nearby, or earns you money "
            "from yours. We hold the payment until the stay is over, so both sides are safe.\n\n"
            "What brings you here?"
        ).format(name=name),
        reply_markup=role_keyboard(context),
    )


@on_button(RoleChoice)
async def role_chosen(
    update: Update, context: ParkShareContext, query: CallbackQuery, choice: RoleChoice
) -> None:
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _welcome_role(update, context, choice.role)


async def _welcome_role(update: Update, context: ParkShareContext, role: str) -> None:
    _ = context.i18n.gettext
    async with context.db.unit_of_work() as uow:
        await people.add_role(uow, context.person_id, ROLES[role])
    if role == "driver":
        await message_of(update).reply_text(
            _(
                "Great! Share your location and I'll show the nearest spots that are free, "
                "with prices and directions."
            ),
            reply_markup=location_request(_("📍 Share my location")),
        )
    else:
        await message_of(update).reply_text(
            _(
                "Great! You'll list your spot with its place, price and the hours it is free. "
                "Drivers pay through us; you get your share after each stay."
            )
        )


async def _open_linked_spot(update: Update, context: ParkShareContext, link: SpotStart) -> None:
    """A spot's link, shared in some chat: its card, ready to book; a newcomer who came by it
    is remembered as brought by whoever shared it."""
    try:
        card = await compose_spot_card(context, link.spot_id, from_link=True)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return
    if link.code is not None:
        async with context.db.unit_of_work() as uow:
            await referrals.arrived(uow, context.clock, person_id=context.person_id, code=link.code)
    await send_composed(context, chat_of(update).id, card)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", start, filters=filters.ChatType.PRIVATE),
        role_chosen,
    ]
