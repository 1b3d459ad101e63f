"""Arrival and departure: the driver checks in with a button; an owner who heard nothing is
asked whether the driver came and whether the spot is free again, and a "no" goes to the
managers as a dispute at once."""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.handlers.disputes import announce
from bot.i18n import N_, Translator, translator
from bot.keyboards import CallbackData, inline
from core.services import disputes, stay_checks
from core.services.stay_checks import Answer, Check, Notice


@dataclass(frozen=True)
class CheckIn(CallbackData):
    prefix = "ci"
    booking_id: int


@dataclass(frozen=True)
class AnswerCheck(CallbackData):
    prefix = "sc"
    choices = {"answer": frozenset(Answer)}  # noqa: RUF012
    booking_id: int
    answer: str


def check_in_button(booking_id: int, i18n: Translator) -> tuple[str, CheckIn]:
    return i18n.gettext("📍 I'm here"), CheckIn(booking_id)


@on_button(CheckIn)
async def check_in_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: CheckIn
) -> None:
    async with context.db.unit_of_work() as uow:
        found = await stay_checks.check_in(
            uow, context.clock, booking_id=pressed.booking_id,
            driver_id=context.user_data.person_id,
        )  # fmt: skip
    await query.answer(context.i18n.gettext("Thanks! The owner knows you're here."))
    if found is None:
        return
    to_owner = translator(found.owner.language)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            found.owner.telegram_id,
            to_owner.gettext("The driver of booking #{id} has arrived at “{title}”.").format(
                id=found.booking.id, title=html.escape(found.spot.title)
            ),
        )


def _question(check: Check, i18n: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = i18n.gettext
    booking, spot = check.parties.booking, check.parties.spot
    title = html.escape(spot.title)
    if check.kind == Notice.ARRIVAL_CHECK:
        text = _(
            "The stay of booking #{id} at “{title}” began at {start} and the driver hasn't "
            "checked in. Has the driver arrived?"
        ).format(id=booking.id, title=title, start=i18n.moment(booking.start_at, spot.timezone))
        answers = [(_("✅ Yes, they're here"), Answer.DRIVER_HERE),
                   (_("🚫 No one came"), Answer.DRIVER_ABSENT)]  # fmt: skip
    else:
        text = _(
            "The stay of booking #{id} at “{title}” ended at {end}. Is the spot free again?"
        ).format(id=booking.id, title=title, end=i18n.moment(booking.end_at, spot.timezone))
        answers = [(_("✅ Yes, it's free"), Answer.SPOT_FREE),
                   (_("🚗 The car is still there"), Answer.CAR_STILL_THERE)]  # fmt: skip
    return text, inline([[(label, AnswerCheck(booking.id, answer)) for label, answer in answers]])


async def ask_owners(context: ParkShareContext, checks: list[Check]) -> None:
    for check in checks:
        owner = check.parties.owner
        text, markup = _question(check, translator(owner.language))
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(owner.telegram_id, text, reply_markup=markup)


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
            owner_id=context.user_data.person_id, given=given, note=note,
        )  # fmt: skip
        case = await disputes.case(uow, answered.dispute.id) if answered.dispute else None
    await query.answer()
    await query.edit_message_reply_markup(None)
    if case is not None:
        await update.effective_message.reply_text(
            _("Thank you. A manager is looking at booking #{id} and will write to you here.")
            .format(id=pressed.booking_id)
        )  # fmt: skip
        await announce(context, case)
    elif given == Answer.SPOT_FREE:
        await update.effective_message.reply_text(
            _("Thanks! The driver earns credit for leaving on time.")
        )
    else:
        await update.effective_message.reply_text(_("Thanks for letting us know."))


def handlers() -> list[BaseHandler]:
    return [
        check_in_pressed,
        answer_pressed,
    ]
