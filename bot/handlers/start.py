"""/start: greet, let the person say whether they drive or own a spot; honours deep links
(``t.me/<bot>?start=driver``, ``start=owner``, ``start=spot_<id>``)."""

from __future__ import annotations

import html
import re

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.incoming import message_of
from bot.keyboards import location_request
from bot.main_menu import ROLES, RoleChoice, role_keyboard
from core.errors import DomainError, SpotNotFound
from core.services import people, spots
from core.status import SpotStatus

SPOT_LINK = re.compile(r"^spot_(\d{1,12})$")


async def start(update: Update, context: ParkShareContext) -> None:
    _ = context.i18n.gettext
    payload = context.args[0] if context.args else ""
    if payload in ROLES:
        await _welcome_role(update, context, payload)
        return
    if match := SPOT_LINK.match(payload):
        await _show_linked_spot(update, context, int(match.group(1)))
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


async def _show_linked_spot(update: Update, context: ParkShareContext, spot_id: int) -> None:
    _ = context.i18n.gettext
    try:
        async with context.db.reading() as uow:
            spot = await spots.get(uow, spot_id)
            if spot.status != SpotStatus.APPROVED:
                raise SpotNotFound(str(spot_id))
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return
    price = context.i18n.money(spot.hourly_price)
    await message_of(update).reply_text(
        _("<b>{title}</b>\n{address}\n{price} per hour").format(
            title=html.escape(spot.title), address=html.escape(spot.address), price=price
        ),
        reply_markup=location_request(_("📍 Share my location")),
    )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", start, filters=filters.ChatType.PRIVATE),
        role_chosen,
    ]
