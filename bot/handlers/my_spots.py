"""/myspots: an owner's spots with what can be done to each — pause or resume, change prices or
hours (see conversations/edit_spot.py), delete."""

from __future__ import annotations

import html

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.incoming import message_of
from bot.keyboards import inline
from bot.owner_spot_view import describe, keyboard
from bot.pass_messages import offer_line, pass_line
from bot.spot_buttons import ManageSpot
from bot.telegram_text import fit_html
from bot.waiting_drivers import tell_of_freed_spots
from core.errors import DomainError, SpotHasBookings
from core.services import listings, operators, passes, spots
from core.status import SpotStatus

STATUS_FOR_ACTION = {
    "pause": SpotStatus.PAUSED,
    "resume": SpotStatus.APPROVED,
    "delete_yes": SpotStatus.DELETED,
}


async def list_spots(update: Update, context: ParkShareContext) -> None:
    i18n = context.i18n
    async with context.db.reading() as uow:
        owned = await listings.owned(uow, context.person_id)
        offers = {shown.spot.id: await passes.offer_of(uow, shown.spot.id) for shown in owned}
        held = await passes.passes_of_owner(uow, context.person_id)
        managing = await operators.of_owner(uow, context.person_id)
    if not owned:
        await message_of(update).reply_text(
            i18n.gettext("You have no spots yet. Send /list to list one.")
        )
        return
    if managing is not None:
        await message_of(update).reply_text(
            i18n.gettext(
                "🤝 {name} manages these spots for you, for {percent}% of your share: /operator"
            ).format(
                name=html.escape(managing.operator.first_name or "—"),
                percent=managing.operatorship.share_bp // 100,
            )
        )
    for shown in owned:
        spot = shown.spot
        lines = [describe(spot, shown.weekly_hours, i18n)]
        if (offered := offers[spot.id]) is not None:
            lines.append(offer_line(offered, i18n))
        lines += [pass_line(view, i18n) for view in held if view.spot.id == spot.id]
        await message_of(update).reply_text(
            fit_html("\n".join(lines)), reply_markup=keyboard(spot, i18n)
        )


@on_button(ManageSpot, pattern=r"^my:(pause|resume|delete|delete_yes|keep):")
async def action_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ManageSpot
) -> None:
    _ = context.i18n.gettext
    if pressed.action == "delete":
        await query.answer()
        await query.edit_message_reply_markup(
            inline(
                [
                    [(_("Yes, delete it"), ManageSpot("delete_yes", pressed.spot_id))],
                    [(_("Keep it"), ManageSpot("keep", pressed.spot_id))],
                ]
            )
        )
        return
    try:
        async with context.db.unit_of_work() as uow:
            shown = await listings.set_owner_status(
                uow, context.clock, spot_id=pressed.spot_id,
                owner_id=context.person_id,
                status=STATUS_FOR_ACTION.get(pressed.action),
            )  # fmt: skip
    except DomainError as error:
        await query.answer(explain(error, context.i18n), show_alert=True)
        if isinstance(error, SpotHasBookings):
            await _redraw(query, context, pressed.spot_id)
        return
    await query.answer()
    spot = shown.spot
    await tell_of_freed_spots(context, shown.freed)
    if spot.status == SpotStatus.DELETED:
        await query.edit_message_text(
            _("“{title}” is deleted.").format(title=html.escape(spot.title))
        )
        return
    await query.edit_message_text(
        describe(spot, shown.weekly_hours, context.i18n), reply_markup=keyboard(spot, context.i18n)
    )


async def _redraw(query, context: ParkShareContext, spot_id: int) -> None:
    """Back to the spot's own buttons, after a confirmation that could not go ahead."""
    async with context.db.reading() as uow:
        spot = await spots.get_owned(uow, spot_id, context.person_id)
    await query.edit_message_reply_markup(keyboard(spot, context.i18n))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("myspots", list_spots, filters=filters.ChatType.PRIVATE),
        action_pressed,
    ]
