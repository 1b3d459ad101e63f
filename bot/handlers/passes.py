"""Monthly passes from a driver's side and an owner's: the quote from the spot card, taking
the pass (its first month waits for payment like any booking), /passes, and notice from
either side."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import owner_notices
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.drafts import BookingDraft
from bot.errors import explain
from bot.group_membership import groups_of_at_spot
from bot.incoming import chat_of, message_of, sender_of
from bot.keyboards import CallbackData, inline
from bot.pass_messages import (
    notice_text,
    pass_line,
    quote_buttons,
    quote_text,
    tell_other_side_of_notice,
)
from bot.payment_messages import offer_payment
from bot.spot_buttons import TakePass
from core.errors import DomainError
from core.monthly import decode_band
from core.services import passes, stays


@dataclass(frozen=True)
class EndPass(CallbackData):
    """Notice on a pass, from its driver or its spot's owner."""

    prefix = "pe"
    choices = {"action": frozenset({"ask", "yes", "keep"})}  # noqa: RUF012
    action: str
    pass_id: int


@on_button(TakePass)
async def pass_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: TakePass
) -> None:
    i18n = context.i18n
    if pressed.action == "quote":
        try:
            async with context.db.reading() as uow:
                quote = await passes.quote(
                    uow, context.clock, spot_id=pressed.spot_id, driver_id=context.person_id
                )
        except DomainError as error:
            await query.answer(explain(error, i18n), show_alert=True)
            return
        await query.answer()
        _remember(context, quote)
        await message_of(update).reply_text(
            quote_text(quote, i18n), reply_markup=quote_buttons(quote, i18n)
        )
        return
    draft = context.user_data.booking_draft
    if draft is None or draft.spot_id != pressed.spot_id or not draft.offered_terms:
        await query.answer(i18n.gettext("This button is no longer valid."), show_alert=True)
        return
    member_of = await groups_of_at_spot(context, pressed.spot_id, sender_of(update).id)
    async with context.db.unit_of_work() as uow:
        result = await passes.take(
            uow, context.clock, spot_id=pressed.spot_id, driver_id=context.person_id,
            agreed=draft.offered_terms,
            commission_basis_points=context.settings.commission_basis_points,
            trusted_owner_commission_basis_points=(
                context.settings.trusted_owner_commission_basis_points
            ),
            member_of=member_of,
        )  # fmt: skip
        if isinstance(result, passes.Taken):
            first = result.first_month.first
            parties = await stays.parties_of(uow, first)
            due = await stays.payment_due(uow, first.id, context.person_id)
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if isinstance(result, passes.Quote):
        _remember(context, result)
        await message_of(update).reply_text(
            i18n.gettext("The terms changed since I showed them. Here they are now:")
            + "\n"
            + quote_text(result, i18n),
            reply_markup=quote_buttons(result, i18n),
        )
        return
    context.user_data.booking_draft = None
    minutes = context.settings.payment_window_minutes
    await message_of(update).reply_text(
        i18n.ngettext(
            "Your monthly pass holds its first month for {minutes} minute. Pay {price} now to "
            "start it.",
            "Your monthly pass holds its first month for {minutes} minutes. Pay {price} now to "
            "start it.",
            minutes,
        ).format(minutes=minutes, price=i18n.money(result.first_month.price))
    )
    await offer_payment(
        context, first.id, chat_id=chat_of(update).id, driver_id=context.person_id, i18n=i18n,
        due=due,
    )  # fmt: skip
    taken = result.monthly_pass
    await owner_notices.pass_taken(
        context, first, decode_band(taken.band), taken.monthly_price, parties
    )


def _remember(context: ParkShareContext, quote: passes.Quote) -> None:
    """The terms shown, so Take books on nothing else."""
    month = quote.month
    context.user_data.booking_draft = BookingDraft(
        spot_id=month.spot.id, start_at=month.start.isoformat(), end_at=month.end.isoformat(),
        offered_terms=passes.terms_of(quote),
    )  # fmt: skip


async def list_passes(update: Update, context: ParkShareContext) -> None:
    i18n = context.i18n
    async with context.db.reading() as uow:
        held = await passes.passes_of_driver(uow, context.person_id)
        at_my_spots = await passes.passes_of_owner(uow, context.person_id)
    if not held and not at_my_spots:
        await message_of(update).reply_text(
            i18n.gettext(
                "You have no monthly passes. A spot offered by the month shows “🗓 Monthly "
                "pass” on its card."
            )
        )
        return
    for view in [*held, *at_my_spots]:
        monthly_pass = view.monthly_pass
        keyboard = (
            inline([[(i18n.gettext("⏹ End the pass"), EndPass("ask", monthly_pass.id))]])
            if monthly_pass.ends_at is None
            else None
        )
        await message_of(update).reply_text(pass_line(view, i18n), reply_markup=keyboard)


@on_button(EndPass)
async def end_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: EndPass
) -> None:
    i18n = context.i18n
    _ = i18n.gettext
    if pressed.action == "ask":
        await query.answer()
        await query.edit_message_reply_markup(
            inline([
                [(_("Yes, give notice"), EndPass("yes", pressed.pass_id))],
                [(_("Keep it"), EndPass("keep", pressed.pass_id))],
            ])
        )  # fmt: skip
        return
    if pressed.action == "keep":
        await query.answer()
        await query.edit_message_reply_markup(
            inline([[(_("⏹ End the pass"), EndPass("ask", pressed.pass_id))]])
        )
        return
    async with context.db.unit_of_work() as uow:
        notice = await passes.give_notice(
            uow, context.clock, pass_id=pressed.pass_id, person_id=context.person_id
        )
    await query.answer()
    await query.edit_message_text(notice_text(notice, i18n))
    if notice.given_now:
        await tell_other_side_of_notice(context, notice, given_by=context.person_id)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("passes", list_passes, filters=filters.ChatType.PRIVATE),
        pass_pressed,
        end_pressed,
    ]
