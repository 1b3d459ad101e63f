"""Arrival and departure: the driver checks in with a button; an owner who heard nothing is
asked whether the driver came and whether the spot is free again, and a "no" goes to the
managers as a dispute at once."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler

from bot.arrival_eta import tell_owner_arrived
from bot.booking_buttons import CarGone, CheckIn, LeftSpot
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.dispute_card import announce
from bot.i18n import N_
from bot.incoming import message_of
from bot.keyboards import inline
from bot.overstay_bills import send_bill, tell_driver_still_there
from bot.stay_check_questions import AnswerCheck, ask_owners, warn_next_driver
from core.services import disputes, stay_checks
from core.services.stay_checks import Answer


@on_button(CheckIn)
async def check_in_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: CheckIn
) -> None:
    async with context.db.unit_of_work() as uow:
        found = await stay_checks.check_in(
            uow, context.clock, booking_id=pressed.booking_id,
            driver_id=context.person_id,
        )  # fmt: skip
    await query.answer(context.i18n.gettext("Thanks! The owner knows you're here."))
    if found is not None:
        await tell_owner_arrived(context, found)


@on_button(LeftSpot)
async def left_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: LeftSpot
) -> None:
    async with context.db.unit_of_work() as uow:
        left = await stay_checks.leave(
            uow, context.clock, booking_id=pressed.booking_id, driver_id=context.person_id,
            tariff=context.settings.overstay_tariff,
            bills_in_chat=context.gateways.checkout.bills_in_chat,
        )  # fmt: skip
    await query.answer(context.i18n.gettext("Thanks! We've told the owner you've left."))
    if left.check is not None:
        await ask_owners(context, [left.check])
    if left.bill is not None:
        await send_bill(context, left.bill)


@on_button(CarGone)
async def car_gone_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: CarGone
) -> None:
    async with context.db.unit_of_work() as uow:
        bill = await stay_checks.owner_says_gone(
            uow, context.clock, booking_id=pressed.booking_id, owner_id=context.person_id,
            tariff=context.settings.overstay_tariff,
            bills_in_chat=context.gateways.checkout.bills_in_chat,
        )  # fmt: skip
    await query.answer(context.i18n.gettext("Thanks! The driver's overstay is billed from here."))
    await query.edit_message_reply_markup(None)
    if bill is not None:
        await send_bill(context, bill)


# What the managers read as the report of a "no".
REPORTS = {
    Answer.DRIVER_ABSENT: N_("The owner answered the bot's arrival check: no one came."),
    Answer.CAR_STILL_THERE: N_(
        "The owner answered the bot's departure check: the car is still there after the stay."
    ),
}


@on_button(AnswerCheck)
async def answer_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: AnswerCheck
) -> None:
    _ = context.i18n.gettext
    given = Answer(pressed.answer)
    # The report is kept on the dispute as the managers read it, in their group's language.
    note = context.managers_i18n.gettext(REPORTS[given]) if given in REPORTS else ""
    async with context.db.unit_of_work() as uow:
        answered = await stay_checks.answer(
            uow, context.clock, booking_id=pressed.booking_id,
            owner_id=context.person_id, given=given, note=note,
        )  # fmt: skip
        case = await disputes.case(uow, answered.dispute.id) if answered.dispute else None
    await query.answer()
    await query.edit_message_reply_markup(None)
    if case is not None and given == Answer.CAR_STILL_THERE:
        await message_of(update).reply_text(
            _(
                "Thank you. The driver of booking #{id} is told, and pays for every quarter-hour "
                "past the end. Press the button when the car has gone; a manager sees the report."
            ).format(id=pressed.booking_id),
            reply_markup=inline([[(_("🅿️ The car has gone"), CarGone(pressed.booking_id))]]),
        )
        await announce(context, case)
        await tell_driver_still_there(context, answered.parties)
    elif case is not None:
        await message_of(update).reply_text(
            _("Thank you. A manager is looking at booking #{id} and will write to you here.")
            .format(id=pressed.booking_id)
        )  # fmt: skip
        await announce(context, case)
    elif given == Answer.SPOT_FREE:
        await message_of(update).reply_text(
            _("Thanks! The driver earns credit for leaving on time.")
        )
    else:
        await message_of(update).reply_text(_("Thanks for letting us know."))
    for next_stay in answered.next_drivers:
        await warn_next_driver(context, next_stay)


def handlers() -> list[BaseHandler]:
    return [
        check_in_pressed,
        left_pressed,
        answer_pressed,
        car_gone_pressed,
    ]
