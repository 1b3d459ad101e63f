"""/operator: an owner invites someone to manage their spots (a building manager, a parking
agent) with a link, sets their share, or ends it; the invited person accepts or declines.
The operator's own view is /portfolio (handlers/portfolio.py)."""

from __future__ import annotations

import contextlib
import html

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import Translator, translator
from bot.incoming import message_of
from bot.keyboards import Button, inline
from bot.operator_buttons import AnswerInvitation, InviteOperator, ManageOperator
from bot.operator_invitations import invitation_link, tell_ended
from core.db.models import Operatorship, Person
from core.services import operators, people
from core.services.operators import SHARES_OFFERED, OwnersOperator


def _percent_rows(make, chosen: int | None = None) -> list[list[Button]]:
    """The shares offered, three a row."""
    buttons = [
        (f"✅ {percent}%" if percent == chosen else f"{percent}%", make(percent))
        for percent in SHARES_OFFERED
    ]
    return [buttons[i : i + 3] for i in range(0, len(buttons), 3)]


def _operator_text(managing: OwnersOperator, i18n: Translator) -> str:
    return i18n.gettext(
        "🤝 {name} manages your spots: they list, edit and open or close them, and answer "
        "booking requests. They are paid {percent}% of your share of each stay, out of your "
        "payout.\n\nTheir share:"
    ).format(
        name=html.escape(managing.operator.first_name or "—"),
        percent=managing.operatorship.share_bp // 100,
    )


def _operator_keyboard(managing: OwnersOperator, i18n: Translator) -> InlineKeyboardMarkup:
    relation = managing.operatorship
    return inline([
        *_percent_rows(lambda p: ManageOperator("share", relation.id, p), relation.share_bp // 100),
        [(i18n.gettext("🚫 End their management"), ManageOperator("end", relation.id))],
    ])  # fmt: skip


async def show_operator(update: Update, context: ParkShareContext) -> None:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        managing = await operators.of_owner(uow, context.person_id)
    if managing is not None:
        await message_of(update).reply_text(
            _operator_text(managing, context.i18n),
            reply_markup=_operator_keyboard(managing, context.i18n),
        )
        return
    await message_of(update).reply_text(
        _("An operator (a building manager, a parking agent) can manage your spots for you: "
          "list, edit and open or close them, and answer booking requests. They are paid a "
          "share of your share of each stay, which we take out of your payout and send them.\n\n"
          "Pick their share, and I'll make the link to send them:"),
        reply_markup=inline(_percent_rows(InviteOperator)),
    )  # fmt: skip


@on_button(InviteOperator)
async def invite_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: InviteOperator
) -> None:
    async with context.db.unit_of_work() as uow:
        invitation = await operators.invite(
            uow, context.clock, owner_id=context.person_id, percent=pressed.percent
        )
    await query.answer()
    link = invitation_link(context.bot.username, invitation.code)
    await query.edit_message_text(
        context.i18n.gettext(
            "Send this link to your operator. It works once, for a week, and gives them "
            "{percent}% of your share of each stay:\n{link}"
        ).format(percent=pressed.percent, link=link)
    )


@on_button(AnswerInvitation)
async def invitation_answered(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: AnswerInvitation
) -> None:
    _ = context.i18n.gettext
    async with context.db.unit_of_work() as uow:
        if pressed.answer == "accept":
            relation = await operators.accept(
                uow, context.clock, code=pressed.code, person_id=context.person_id
            )
        else:
            relation = await operators.decline(
                uow, context.clock, code=pressed.code, person_id=context.person_id
            )
        owner = await people.get(uow, relation.owner_id)
        operator = await people.get(uow, context.person_id)
    await query.answer()
    name = html.escape(owner.first_name or "—")
    if pressed.answer == "accept":
        mine = _(
            "Done: you manage {name}'s spots. /portfolio shows them; set up where your share "
            "goes with /payouts."
        )
    else:
        mine = _("You declined {name}'s invitation.")
    await query.edit_message_text(mine.format(name=name))
    await _tell(context, owner, relation, operator, accepted=pressed.answer == "accept")


async def _tell(
    context: ParkShareContext, owner: Person, relation: Operatorship, operator: Person, *,
    accepted: bool,
) -> None:  # fmt: skip
    i18n = translator(owner.language)
    if accepted:
        text = i18n.gettext(
            "🤝 {name} accepted: they manage your spots now, for {percent}% of your share. "
            "/operator to change or end it."
        )
    else:
        text = i18n.gettext("{name} declined your invitation to manage your spots.")
    text = text.format(
        name=html.escape(operator.first_name or "—"), percent=relation.share_bp // 100
    )
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(owner.telegram_id, text)


@on_button(ManageOperator)
async def manage_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ManageOperator
) -> None:
    _ = context.i18n.gettext
    if pressed.action == "end":
        await query.answer()
        await query.edit_message_reply_markup(
            inline([
                [(_("Yes, end it"), ManageOperator("end_yes", pressed.operatorship_id))],
            ])
        )  # fmt: skip
        return
    async with context.db.unit_of_work() as uow:
        if pressed.action == "share":
            before = await operators.of_owner(uow, context.person_id)
            was = before.operatorship.share_bp if before is not None else None
            if was == pressed.percent * 100:
                await query.answer()  # chosen already: the message shows it
                return
            relation = await operators.set_share(
                uow, operatorship_id=pressed.operatorship_id, owner_id=context.person_id,
                percent=pressed.percent,
            )  # fmt: skip
            managing = await operators.of_owner(uow, relation.owner_id)
            other = ender = None
            if managing is not None:
                # The operator hears of a change to what they are paid, from its owner.
                other, ender = managing.operator, await people.get(uow, context.person_id)
        else:
            relation = await operators.end(
                uow, context.clock, operatorship_id=pressed.operatorship_id,
                person_id=context.person_id,
            )  # fmt: skip
            managing = None
            other_id = relation.operator_id if context.person_id == relation.owner_id else None
            other = await people.get(uow, other_id or relation.owner_id)
            ender = await people.get(uow, context.person_id)
    await query.answer()
    if managing is not None:
        await query.edit_message_text(
            _operator_text(managing, context.i18n),
            reply_markup=_operator_keyboard(managing, context.i18n),
        )
        if other is not None and ender is not None:
            i18n = translator(other.language)
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(
                    other.telegram_id,
                    i18n.gettext(
                        "🤝 {name} set your share of their spots' stays to {percent}%, for "
                        "payouts from now on."
                    ).format(name=html.escape(ender.first_name or "—"), percent=pressed.percent),
                )
        return
    await query.edit_message_text(_("Ended. Bookings already made stay as they are."))
    if other is not None and ender is not None:
        await tell_ended(context, other, ender.first_name)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("operator", show_operator, filters=filters.ChatType.PRIVATE),
        invite_pressed,
        invitation_answered,
        manage_pressed,
    ]
