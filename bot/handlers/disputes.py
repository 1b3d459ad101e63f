"""Disputes in the managers' group: a card with the booking's facts, both credit scores, the
photos and the relay transcript, and the buttons to settle it. The first manager to act takes
the card. A money ruling takes two taps: the first shows what each side would get, the second
makes it final, moves the money and posts it back to both parties."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler

from bot.ban_notice import banned_notice
from bot.buttons import on_button
from bot.context import ParkShareContext, required
from bot.dispute_card import (
    PARTIAL_PERCENTS,
    DisputeAction,
    card_keyboard,
    card_text,
    side_label,
    tell,
)
from bot.errors import explain
from bot.i18n import N_, Translator, translator
from bot.incoming import chat_of, message_of, sender_of
from bot.keyboards import CallbackData, inline
from bot.managers_group import is_manager
from bot.telegram_text import MAX_TEXT, fit_html, split_html, visible_len
from core.errors import DisputeTaken, RulingNotAllowed
from core.services import disputes, people
from core.services.disputes import Case, Decision, Division, Proposal, Ruling
from core.services.parties import Side

# The money buttons, each asking for the ruling it names to be confirmed.
RULING_OF_ACTION = {
    "refund": Ruling.REFUND, "pct": Ruling.PARTIAL, "release": Ruling.RELEASE,
    "split": Ruling.SPLIT,
}  # fmt: skip
RULING_QUESTIONS = {
    Ruling.REFUND: N_("Refund the driver in full?"),
    Ruling.RELEASE: N_("Release the payment to the owner?"),
    Ruling.SPLIT: N_("Split the payment 50/50?"),
}


@dataclass(frozen=True)
class ConfirmRuling(CallbackData):
    """The second tap that makes a money ruling final, e.g. ``dpc:partial:12:25``."""

    prefix = "dpc"
    choices = {"ruling": frozenset(Ruling)}  # noqa: RUF012
    ruling: str
    dispute_id: int
    percent: int = 0

    def is_valid(self) -> bool:
        if self.ruling == Ruling.PARTIAL:
            return self.percent in PARTIAL_PERCENTS
        return self.percent == 0


@dataclass(frozen=True)
class AnswerDispute(CallbackData):
    """The asked party's button: their next message is their answer to the managers."""

    prefix = "da"
    dispute_id: int


SIDE_OF_ACTION = {"d": Side.DRIVER, "o": Side.OWNER}


def partial_keyboard(dispute_id: int, i18n: Translator) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    return inline([
        [(_("Refund {percent}%").format(percent=p), DisputeAction("pct", dispute_id, p))
         for p in PARTIAL_PERCENTS],
        [(_("↩️ Back"), DisputeAction("back", dispute_id))],
    ])  # fmt: skip


def confirm_keyboard(proposal: Proposal, i18n: Translator) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    dispute_id = proposal.case.dispute.id
    # Only a partial refund names its share; the others imply theirs.
    percent = proposal.percent if proposal.ruling == Ruling.PARTIAL else 0
    return inline([
        [(_("✅ Confirm"), ConfirmRuling(proposal.ruling, dispute_id, percent)),
         (_("↩️ Back"), DisputeAction("back", dispute_id))],
    ])  # fmt: skip


def amounts_text(division: Division, i18n: Translator) -> str:
    """Where the money goes, one line a side."""
    _ = i18n.gettext
    return "\n".join([
        _("• The driver gets back {amount}").format(amount=i18n.money(division.refund)),
        _("• The owner receives {amount}").format(amount=i18n.money(division.owner_share)),
        _("• The platform keeps {amount}").format(amount=i18n.money(division.commission)),
    ])  # fmt: skip


def proposal_text(proposal: Proposal, i18n: Translator) -> str:
    _ = i18n.gettext
    if proposal.ruling == Ruling.PARTIAL:
        question = _("Refund the driver {percent}%?").format(percent=proposal.percent)
    else:
        question = _(RULING_QUESTIONS[proposal.ruling])
    return "<b>{question}</b>\n{amounts}\n{final}".format(
        question=question,
        amounts=amounts_text(proposal.division, i18n),
        final=_("This is final once confirmed."),
    )


def decided_text(decision: Decision, i18n: Translator) -> str:
    _ = i18n.gettext
    return "{verdict}\n{amounts}\n{held}".format(
        verdict=_("✅ Decided by {manager}: {what}").format(
            manager=html.escape(decision.manager.first_name),
            what=_verdict(decision, i18n),
        ),
        amounts=amounts_text(decision.division, i18n),
        held=_("Still held by the platform: {amount}").format(
            amount=i18n.money(decision.still_held)
        ),
    )


def _card_with(case: Case, note: str, i18n: Translator) -> str:
    """The card's last part (the message with the buttons), with ``note`` under it."""
    note = "\n\n" + note
    last = split_html(card_text(case, i18n), MAX_TEXT)[-1]
    return fit_html(last, MAX_TEXT - visible_len(note)) + note


async def _may_settle(update: Update, context: ParkShareContext, query: CallbackQuery) -> bool:
    """Only a manager, and only on a card in the managers' group: a press anywhere else is a
    forged or forwarded button. Whoever pressed in the group reads the group's language."""
    if (
        update.effective_chat is None
        or update.effective_chat.id != context.settings.manager_chat_id
    ):
        await query.answer(
            context.i18n.gettext("Disputes are settled in the managers' group only."),
            show_alert=True,
        )
        return False
    if not await is_manager(context, chat_of(update).id, sender_of(update).id):
        await query.answer(
            context.managers_i18n.gettext("Only the managers' administrators can settle disputes."),
            show_alert=True,
        )
        return False
    return True


async def _settle(
    update: Update,
    context: ParkShareContext,
    query: CallbackQuery,
    act: Callable[[int], Awaitable[None]],
) -> None:
    """A manager's press on a card: ``act`` runs with the manager's id once they may settle,
    and a card another manager took, or a ruling the dispute does not allow, is answered."""
    if not await _may_settle(update, context, query):
        return
    try:
        await act(context.person_id)
    except DisputeTaken as taken:
        await query.answer(await _taken_by(context, taken), show_alert=True)
    except RulingNotAllowed as refused:
        await query.answer(explain(refused, context.managers_i18n), show_alert=True)


@on_button(DisputeAction, managers=True)
async def action_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: DisputeAction
) -> None:
    async def act(manager_id: int) -> None:
        if pressed.action in ("partial", "back"):
            await _show_keyboard(query, context, pressed, manager_id)
        elif pressed.action in RULING_OF_ACTION:
            await _propose(query, context, pressed, manager_id)
        else:
            await _side_action(update, context, query, pressed, manager_id)

    await _settle(update, context, query, act)


@on_button(ConfirmRuling, managers=True)
async def confirm_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ConfirmRuling
) -> None:
    async def act(manager_id: int) -> None:
        await _decide(update, context, query, pressed, manager_id)

    await _settle(update, context, query, act)


async def _taken_by(context: ParkShareContext, taken: DisputeTaken) -> str:
    i18n = context.managers_i18n
    async with context.db.reading() as uow:
        dispute = await disputes.get(uow, taken.dispute_id)
        manager = await people.get(uow, required(dispute.manager_id, "manager who took it"))
    if dispute.resolution:
        return i18n.gettext("Already decided by {manager}.").format(manager=manager.first_name)
    return i18n.gettext("{manager} is handling this dispute.").format(manager=manager.first_name)


async def _show_keyboard(query, context: ParkShareContext, pressed: DisputeAction, manager_id):
    i18n = context.managers_i18n
    async with context.db.reading() as uow:
        dispute = await disputes.get(uow, pressed.dispute_id)
        if dispute.resolution or dispute.manager_id not in (None, manager_id):
            raise DisputeTaken(dispute.id)
        case = await disputes.case(uow, dispute.id)
    await query.answer()
    if pressed.action == "partial":
        await query.edit_message_reply_markup(partial_keyboard(dispute.id, i18n))
        return
    # Back from a confirmation: the card as it was, without the amounts asked about.
    last = split_html(card_text(case, i18n), MAX_TEXT)[-1]
    await query.edit_message_text(last, reply_markup=card_keyboard(dispute.id, i18n))


async def _propose(query, context: ParkShareContext, pressed: DisputeAction, manager_id: int):
    """The first tap of a money ruling: what each side would get, to confirm or go back."""
    async with context.db.reading() as uow:
        proposal = await disputes.propose(
            uow, dispute_id=pressed.dispute_id, manager_id=manager_id,
            ruling=RULING_OF_ACTION[pressed.action], refund_percent=pressed.percent,
        )  # fmt: skip
    await query.answer()
    i18n = context.managers_i18n
    await query.edit_message_text(
        _card_with(proposal.case, proposal_text(proposal, i18n), i18n),
        reply_markup=confirm_keyboard(proposal, i18n),
    )


async def _decide(
    update: Update,
    context: ParkShareContext,
    query: CallbackQuery,
    pressed: ConfirmRuling,
    manager_id: int,
) -> None:
    async with context.db.unit_of_work() as uow:
        decision = await disputes.decide(
            uow, context.clock, dispute_id=pressed.dispute_id, manager_id=manager_id,
            ruling=Ruling(pressed.ruling), refund_percent=pressed.percent,
        )  # fmt: skip
    await query.answer()
    i18n = context.managers_i18n
    # The pressed message is the card's last part: it keeps its text and gains the verdict.
    await query.edit_message_text(
        _card_with(decision.case, decided_text(decision, i18n), i18n), reply_markup=None
    )
    for side in (Side.DRIVER, Side.OWNER):
        person = decision.case.parties.person(side)
        to_them = translator(person.language)
        text = to_them.gettext(
            "A manager has decided on booking #{id} (“{title}”): {what}. This decision is final."
        ).format(
            id=decision.case.parties.booking.id,
            title=html.escape(decision.case.parties.spot.title),
            what=_verdict(decision, to_them, reader=side),
        )
        await tell(context, person.telegram_id, text)


def _verdict(decision: Decision, i18n: Translator, *, reader: Side | None = None) -> str:
    """The ruling in words for whoever reads it: the driver, the owner, or (``None``) the
    managers, who read about both sides."""
    _ = i18n.gettext
    refund, share = i18n.money(decision.refund), i18n.money(decision.owner_share)
    if reader == Side.DRIVER:
        if decision.ruling == Ruling.REFUND:
            return _("you get the full {refund} back").format(refund=refund)
        if decision.ruling == Ruling.RELEASE:
            return _("the payment goes to the owner, and nothing is refunded to you")
        return _("you get {refund} back and the owner receives {share}").format(
            refund=refund, share=share
        )
    if reader == Side.OWNER:
        if decision.ruling == Ruling.REFUND:
            return _("the driver gets the full {refund} back, and you receive nothing").format(
                refund=refund
            )
        if decision.ruling == Ruling.RELEASE:
            return _("the payment goes to you: you receive {share}").format(share=share)
        return _("the driver gets {refund} back and you receive {share}").format(
            refund=refund, share=share
        )
    if decision.ruling == Ruling.REFUND:
        return _("the driver gets the full {refund} back").format(refund=refund)
    if decision.ruling == Ruling.RELEASE:
        return _("the payment goes to the owner, who receives {share}").format(share=share)
    return _("the driver gets {refund} back and the owner receives {share}").format(
        refund=refund, share=share
    )


async def _side_action(
    update: Update,
    context: ParkShareContext,
    query: CallbackQuery,
    pressed: DisputeAction,
    manager_id: int,
) -> None:
    kind, side = pressed.action.split("_")[0], SIDE_OF_ACTION[pressed.action[-1]]
    i18n = context.managers_i18n
    _ = i18n.gettext
    manager = html.escape(sender_of(update).first_name)
    async with context.db.unit_of_work() as uow:
        if kind == "pen":
            person = await disputes.penalise(
                uow, context.clock, dispute_id=pressed.dispute_id, manager_id=manager_id,
                side=side,
            )  # fmt: skip
            note = _("{manager} penalised {side}: credit now {score}.").format(
                manager=manager, side=side_label(side, i18n), score=person.credit_score
            )
        elif kind == "ban":
            # The reason is kept for the banned person, who reads it in their own language.
            banned = (await disputes.case(uow, pressed.dispute_id)).parties.person(side)
            reason = translator(banned.language).gettext("after dispute #{id}")
            person = await disputes.ban_party(
                uow, context.clock, dispute_id=pressed.dispute_id, manager_id=manager_id, side=side,
                reason=reason.format(id=pressed.dispute_id),
            )  # fmt: skip
            note = _("{manager} banned {side}.").format(
                manager=manager, side=side_label(side, i18n)
            )
        else:
            person = await disputes.ask(
                uow, dispute_id=pressed.dispute_id, manager_id=manager_id, side=side
            )
            note = _("{manager} asked {side} for more.").format(
                manager=manager, side=side_label(side, i18n)
            )
        case = await disputes.case(uow, pressed.dispute_id)
    await query.answer(note)
    with contextlib.suppress(TelegramError):
        await message_of(update).reply_text(note)
    if kind == "ban":
        await tell(context, person.telegram_id, banned_notice(person.language, person.ban_reason))
    elif kind == "pen":
        to_them = translator(person.language)
        await tell(
            context, person.telegram_id,
            to_them.ngettext(
                "A manager reviewing booking #{id} lowered your credit score by {points} "
                "point. See /credit.",
                "A manager reviewing booking #{id} lowered your credit score by {points} "
                "points. See /credit.",
                disputes.PENALTY_POINTS,
            ).format(id=case.parties.booking.id, points=disputes.PENALTY_POINTS),
        )  # fmt: skip
    else:
        to_them = translator(person.language)
        await tell(
            context, person.telegram_id,
            to_them.gettext(
                "A manager reviewing booking #{id} asks you for more details. Press Answer, "
                "then send a message or a photo."
            ).format(id=case.parties.booking.id),
            inline([[(to_them.gettext("✍️ Answer"), AnswerDispute(case.dispute.id))]]),
        )  # fmt: skip


@on_button(AnswerDispute)
async def answer_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: AnswerDispute
) -> None:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        dispute = await disputes.get(uow, pressed.dispute_id)
    if dispute.asked_person_id != context.person_id or dispute.resolution:
        await query.answer(_("This question was not addressed to you."), show_alert=True)
        return
    await query.answer()
    context.user_data.answering_dispute_id = dispute.id
    context.user_data.relay_booking_id = None
    await message_of(update).reply_text(
        _("Write your answer, or send a photo. It goes to the manager only.")
    )


def handlers() -> list[BaseHandler]:
    return [
        action_pressed,
        confirm_pressed,
        answer_pressed,
    ]
