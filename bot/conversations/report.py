"""Reporting a problem with a booking: what kind, what happened in words and photos, then the
managers get a dispute card and the booking's money stays on hold until they decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum, auto

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.booking_buttons import ReportProblem, SpotOccupied
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.dispute_card import PROBLEMS, announce
from bot.drafts import ReportDraft
from bot.flow import ask_first, conversation
from bot.i18n import N_, Translator
from bot.incoming import message_of
from bot.keyboards import CallbackData, inline
from bot.occupied import ask_owner, moves_for, offer_moves
from bot.relay_chat import leave as leave_relay
from core.errors import TooEarlyToReport
from core.services import disputes, parties, rebooking
from core.services.disputes import MAX_PHOTOS, OCCUPIED_REPORT_LEAD, PROBLEMS_OF, Problem
from core.services.parties import Side


class ReportState(IntEnum):
    PROBLEM = auto()
    DETAILS = auto()


@dataclass(frozen=True)
class PickProblem(CallbackData):
    prefix = "pbk"
    choices = {"problem": frozenset(Problem)}  # noqa: RUF012
    problem: str


@dataclass(frozen=True)
class ReportStep(CallbackData):
    prefix = "pbs"
    choices = {"action": frozenset({"send", "cancel"})}  # noqa: RUF012
    action: str


@on_button(ReportProblem, forged=ConversationHandler.END)
async def report_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ReportProblem
) -> ReportState | int:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        side = await disputes.check_can_report(
            uow,
            context.clock,
            booking_id=pressed.booking_id,
            reporter_id=context.person_id,
        )
    await query.answer()
    await leave_relay(update, context)
    context.user_data.report_draft = ReportDraft(booking_id=pressed.booking_id)
    await ask_first(
        update, context, _("What went wrong with booking #{id}?").format(id=pressed.booking_id),
        reply_markup=inline(
            [[(_(PROBLEMS[problem]).capitalize(), PickProblem(problem))]
             for problem in PROBLEMS_OF[side]]
            + [[(_("Never mind"), ReportStep("cancel"))]]
        ),
    )  # fmt: skip
    return ReportState.PROBLEM


@on_button(SpotOccupied, forged=ConversationHandler.END)
async def occupied_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: SpotOccupied
) -> ReportState | int:
    """Straight to the photo: the driver is standing in front of someone else's car."""
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        side = await disputes.check_can_report(
            uow, context.clock, booking_id=pressed.booking_id, reporter_id=context.person_id
        )
    if side != Side.DRIVER:
        await query.answer(_("Only the driver of this booking can report its spot occupied."),
                           show_alert=True)  # fmt: skip
        return ConversationHandler.END
    if await _too_early(context, query, pressed.booking_id, Problem.SPOT_OCCUPIED):
        return ConversationHandler.END
    await query.answer()
    await leave_relay(update, context)
    context.user_data.report_draft = ReportDraft(
        booking_id=pressed.booking_id, problem=Problem.SPOT_OCCUPIED.value
    )
    await ask_first(
        update, context,
        _(
            "🚫 Sorry about that. Please send a photo of the car in your spot (a few words too, "
            "if you like), then press “Send report”. Right after, we'll offer you free spots "
            "nearby."
        ),
        reply_markup=_details_keyboard(context.i18n),
    )  # fmt: skip
    return ReportState.DETAILS


@on_button(PickProblem, forged=ReportState.PROBLEM)
async def problem_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PickProblem
) -> ReportState | int:
    _ = context.i18n.gettext
    draft = context.user_data.report_draft
    if draft is None:
        return await _stale(update, context)
    if await _too_early(context, query, draft.booking_id, Problem(pressed.problem)):
        return ReportState.PROBLEM
    await query.answer()
    draft.problem = pressed.problem
    await query.edit_message_text(
        _(
            "{problem}: tell us what happened, and add photos if you can (up to {max}). "
            "Press “Send report” when you're done."
        ).format(problem=_(PROBLEMS[Problem(pressed.problem)]).capitalize(), max=MAX_PHOTOS),
        reply_markup=_details_keyboard(context.i18n),
    )
    return ReportState.DETAILS


async def _too_early(
    context: ParkShareContext, query: CallbackQuery, booking_id: int, problem: Problem
) -> bool:
    """A spot found occupied long before the stay is refused with the moment it can be
    reported; the other problems stay on offer."""
    early: TooEarlyToReport | None = None
    async with context.db.reading() as uow:
        found = await parties.of_booking(uow, booking_id)
        timezone = found.spot.timezone
        try:
            await disputes.check_problem_timing(uow, found.booking, problem, context.clock.now())
        except TooEarlyToReport as refused:
            early = refused
    if early is not None:
        minutes = int(OCCUPIED_REPORT_LEAD.total_seconds() // 60)
        await query.answer(
            context.i18n.ngettext(
                "Your stay hasn't started yet. If the spot is still taken then, you can report "
                "it from {moment}, {count} minute before the start.",
                "Your stay hasn't started yet. If the spot is still taken then, you can report "
                "it from {moment}, {count} minutes before the start.",
                minutes,
            ).format(
                moment=context.i18n.moment(early.reportable_from, timezone),
                count=minutes,
            ),
            show_alert=True,
        )
        return True
    return False


def _details_keyboard(i18n: Translator):
    _ = i18n.gettext
    return inline(
        [[(_("📨 Send report"), ReportStep("send")), (_("Never mind"), ReportStep("cancel"))]]
    )


async def details_sent(update: Update, context: ParkShareContext) -> ReportState | int:
    message = message_of(update)
    _ = context.i18n.gettext
    draft = context.user_data.report_draft
    if draft is None:
        return await _stale(update, context)
    if message.photo:
        if len(draft.photo_file_ids) >= MAX_PHOTOS:
            await message.reply_text(
                context.i18n.ngettext(
                    "That's {max} photo already, as many as a report takes.",
                    "That's {max} photos already, as many as a report takes.",
                    MAX_PHOTOS,
                ).format(max=MAX_PHOTOS)
            )
            return ReportState.DETAILS
        draft.photo_file_ids.append(message.photo[-1].file_id)
    text = (message.text or message.caption or "").strip()
    if text:
        draft.text = f"{draft.text}\n{text}".strip()
    photos = len(draft.photo_file_ids)
    await message.reply_text(
        context.i18n.ngettext(
            "Got it: {photos} photo so far. Add more, or press “Send report”.",
            "Got it: {photos} photos so far. Add more, or press “Send report”.",
            photos,
        ).format(photos=photos)
        if photos
        else _("Got it. Add photos or more words, or press “Send report”."),
        reply_markup=_details_keyboard(context.i18n),
    )
    return ReportState.DETAILS


@on_button(ReportStep, forged=ConversationHandler.END)
async def step_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ReportStep
) -> ReportState | int:
    _ = context.i18n.gettext
    draft = context.user_data.report_draft
    if pressed.action == "cancel" or draft is None:
        context.user_data.report_draft = None
        await query.answer()
        await query.edit_message_text(_("Nothing was reported."))
        return ConversationHandler.END
    if not draft.problem:
        await query.answer(_("Pick what went wrong first."), show_alert=True)
        return ReportState.PROBLEM
    if not (draft.text or draft.photo_file_ids):
        await query.answer(_("Please describe what happened, or send a photo."), show_alert=True)
        return ReportState.DETAILS
    problem = Problem(draft.problem)
    answer_within = timedelta(minutes=context.settings.occupied_answer_minutes)
    # Where the driver could go instead is found before the report is written, so that the
    # report and, with nowhere to go, the refund are one transaction.
    moves = await moves_for(context, draft.booking_id) if problem == Problem.SPOT_OCCUPIED else None
    refunded = None
    async with context.db.unit_of_work() as uow:
        dispute = await disputes.report(
            uow, context.clock, booking_id=draft.booking_id,
            reporter_id=context.person_id, problem=problem,
            text=draft.text, photo_file_ids=draft.photo_file_ids,
            owner_answers_within=answer_within,
        )  # fmt: skip
        if moves is not None and not moves.hits:
            refunded = await rebooking.refund_at_once(
                uow, context.clock, booking_id=draft.booking_id, driver_id=context.person_id
            )
        case = await disputes.case(uow, dispute.id)
    context.user_data.report_draft = None
    await query.answer()
    await query.edit_message_reply_markup(None)
    await announce(context, case)
    if problem == Problem.SPOT_OCCUPIED:
        await ask_owner(context, case, answer_within)
    if moves is not None:
        await offer_moves(context, message_of(update), moves, refunded)
        return ConversationHandler.END
    await message_of(update).reply_text(
        _(
            "Thank you. A manager is looking at booking #{id} and will write to you here. The "
            "payment stays on hold until they decide."
        ).format(id=case.parties.booking.id)
    )
    return ConversationHandler.END


async def _stale(update: Update, context: ParkShareContext) -> int:
    text = context.i18n.gettext("This report was closed. Open it again from /bookings.")
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await message_of(update).reply_text(text)
    return ConversationHandler.END


def _forget(context: ParkShareContext) -> None:
    context.user_data.report_draft = None


def build_report_conversation() -> ConversationHandler:
    private = filters.ChatType.PRIVATE
    return conversation(
        name="report",
        stopped=N_("Reporting a problem stopped. Nothing was reported."),
        cancelled=N_("Nothing was reported."),
        forget=_forget,
        entry_points=[report_pressed, occupied_pressed],
        states={
            ReportState.PROBLEM: [
                problem_picked,
                step_pressed,
            ],
            ReportState.DETAILS: [
                MessageHandler(
                    private & (filters.PHOTO | (filters.TEXT & ~filters.COMMAND)), details_sent
                ),
                step_pressed,
            ],
        },
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [build_report_conversation()]
