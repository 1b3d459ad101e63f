"""Disputes in the managers' group: a card with the booking's facts, both credit scores, the
photos and the relay transcript, and the buttons to settle it. The first manager to act takes
the card. A money ruling takes two taps: the first shows what each side would get, the second
makes it final, moves the money and posts it back to both parties."""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.handlers.gate import banned_notice
from bot.handlers.moderation import is_manager
from bot.i18n import N_, Translator, translator
from bot.keyboards import CallbackData, inline
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, fit_html, split_html, visible_len
from core.credit import CreditTier, tier_of
from core.errors import DisputeTaken, RulingNotAllowed
from core.money import Money
from core.services import disputes, people
from core.services.disputes import Case, Decision, Division, Problem, Proposal, Ruling
from core.services.parties import Side

log = logging.getLogger(__name__)

PROBLEMS = {
    Problem.SPOT_OCCUPIED: N_("spot occupied"),
    Problem.NO_ACCESS: N_("can't get in"),
    Problem.OVERSTAY: N_("driver overstaying"),
    Problem.NO_SHOW: N_("driver didn't come"),
    Problem.DAMAGE: N_("damage"),
    Problem.PAYMENT: N_("payment problem"),
    Problem.OTHER: N_("something else"),
    Problem.CHARGEBACK: N_("card chargeback"),
}
SIDES = {Side.DRIVER: N_("the driver"), Side.OWNER: N_("the owner")}
# A person's credit tier as the managers read it on a card.
TIER_NAMES = {
    CreditTier.TRUSTED: N_("trusted"),
    CreditTier.GOOD: N_("good standing"),
    CreditTier.WATCH: N_("on watch"),
}
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
PARTIAL_PERCENTS = (25, 50, 75)
TRANSCRIPT_LINES = 12


@dataclass(frozen=True)
class DisputeAction(CallbackData):
    """A manager's button on a dispute card; ``percent`` only for a partial refund."""

    prefix = "dp"
    choices = {  # noqa: RUF012
        "action": frozenset(
            {
                "refund",
                "partial",
                "pct",
                "back",
                "release",
                "split",
                "pen_d",
                "pen_o",
                "ban_d",
                "ban_o",
                "ask_d",
                "ask_o",
            }
        )
    }
    action: str
    dispute_id: int
    percent: int = 0

    def is_valid(self) -> bool:
        return self.percent in PARTIAL_PERCENTS if self.action == "pct" else self.percent == 0


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


def _side_label(side: Side, i18n: Translator) -> str:
    return i18n.gettext(SIDES[side])


def card_text(case: Case, i18n: Translator) -> str:
    _ = i18n.gettext
    dispute, found = case.dispute, case.parties
    booking, spot = found.booking, found.spot
    zone = spot.timezone
    reporter = found.side_of(dispute.opened_by_id) if dispute.opened_by_id else None
    lines = [
        _("⚠️ <b>Dispute #{id} · booking #{booking}</b>: {problem}").format(
            id=dispute.id, booking=booking.id, problem=_(PROBLEMS[Problem(dispute.kind)])
        ),
    ]
    if reporter is not None:
        lines.append(
            _("Reported by {side}: “{text}”").format(
                side=_side_label(reporter, i18n), text=html.escape(dispute.description or "—")
            )
        )
    lines += [
        _("<b>Spot</b> #{id} {title}, {address}").format(
            id=spot.id, title=html.escape(spot.title), address=html.escape(spot.address or "—")
        ),
        _("<b>Stay</b> {start} – {end} · held {paid} of {price}").format(
            start=i18n.moment(booking.start_at, zone),
            end=i18n.moment(booking.end_at, zone),
            paid=i18n.money(case.paid),
            price=i18n.money(Money(booking.price_minor, booking.currency)),
        ),
    ]
    for side in (Side.DRIVER, Side.OWNER):
        person = found.person(side)
        lines.append(
            _("<b>{side}</b>: person #{id} · credit {score} ({tier})").format(
                side=_side_label(side, i18n).capitalize(),
                id=person.id,
                score=person.credit_score,
                tier=_(TIER_NAMES[tier_of(person.credit_score)]),
            )
        )
    photos = [item for item in case.evidence if item.telegram_file_id]
    answers = [item for item in case.evidence if item.text]
    if photos:
        lines.append(
            i18n.ngettext("📷 {count} photo above", "📷 {count} photos above", len(photos)).format(
                count=len(photos)
            )
        )
    for item in answers:
        lines.append(
            _("📝 {side} added: “{text}”").format(
                side=_side_label(found.side_of(item.person_id), i18n).capitalize(),
                text=html.escape(item.text[:300]),
            )
        )
    lines.append("")
    if case.transcript:
        lines.append(_("<b>Their conversation</b> (newest last):"))
        for message in case.transcript[-TRANSCRIPT_LINES:]:
            said = html.escape(message.text[:200]) if message.kind != "photo" else _("[photo]")
            if message.kind == "photo" and message.text:
                said += " " + html.escape(message.text[:200])
            lines.append(
                "{time} {side}: {said}".format(
                    time=i18n.moment(message.created_at, zone).split(", ")[-1],
                    side=_side_label(found.side_of(message.sender_id), i18n).capitalize(),
                    said=said,
                )
            )
    else:
        lines.append(_("They haven't written to each other through the bot."))
    return "\n".join(lines)


def card_keyboard(dispute_id: int, i18n: Translator) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    return inline([
        [(_("💸 Refund driver in full"), DisputeAction("refund", dispute_id)),
         (_("💸 Refund part…"), DisputeAction("partial", dispute_id))],
        [(_("🏠 Release to owner"), DisputeAction("release", dispute_id)),
         (_("⚖️ Split 50/50"), DisputeAction("split", dispute_id))],
        [(_("➖ Penalise driver"), DisputeAction("pen_d", dispute_id)),
         (_("➖ Penalise owner"), DisputeAction("pen_o", dispute_id))],
        [(_("🚫 Ban driver"), DisputeAction("ban_d", dispute_id)),
         (_("🚫 Ban owner"), DisputeAction("ban_o", dispute_id))],
        [(_("❓ Ask driver"), DisputeAction("ask_d", dispute_id)),
         (_("❓ Ask owner"), DisputeAction("ask_o", dispute_id))],
    ])  # fmt: skip


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
            manager=html.escape(decision.case.manager.first_name),
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


async def post_card(context: ParkShareContext, case: Case) -> None:
    """The dispute for the managers, in their language: its photos, then the card with the
    buttons."""
    chat_id = context.settings.manager_chat_id
    if chat_id is None:
        log.warning("dispute %s has no managers' group to go to", case.dispute.id)
        return
    i18n = context.managers_i18n
    for number, item in enumerate((e for e in case.evidence if e.telegram_file_id), start=1):
        await context.bot.send_photo(
            chat_id, item.telegram_file_id,
            caption=i18n.gettext("Dispute #{id} · photo {number}").format(
                id=case.dispute.id, number=number
            ),
        )  # fmt: skip
    # A long report and transcript may need several messages; the buttons go on the last.
    *first, last = split_html(card_text(case, i18n), MAX_TEXT)
    for part in first:
        await context.bot.send_message(chat_id, part)
    await context.bot.send_message(chat_id, last, reply_markup=card_keyboard(case.dispute.id, i18n))


async def announce(context: ParkShareContext, case: Case) -> None:
    """A new dispute: the card to the managers, and word to the side that did not report."""
    await post_card(context, case)
    found = case.parties
    other = found.person(found.side_of(case.dispute.opened_by_id).other)
    to_them = translator(other.language)
    await _tell(
        context, other.telegram_id,
        to_them.gettext(
            "A problem with booking #{id} (“{title}”) was reported to our managers: "
            "{problem}. A manager may ask you for details here."
        ).format(
            id=found.booking.id, title=html.escape(found.spot.title),
            problem=to_them.gettext(PROBLEMS[Problem(case.dispute.kind)]),
        ),
    )  # fmt: skip


async def _may_settle(update: Update, context: ParkShareContext) -> bool:
    """Only a manager, and only on a card in the managers' group: a press anywhere else is a
    forged or forwarded button. Whoever pressed in the group reads the group's language."""
    query = update.callback_query
    if (
        update.effective_chat is None
        or update.effective_chat.id != context.settings.manager_chat_id
    ):
        await query.answer(
            context.i18n.gettext("Disputes are settled in the managers' group only."),
            show_alert=True,
        )
        return False
    if not await is_manager(context, update.effective_chat.id, update.effective_user.id):
        await query.answer(
            context.managers_i18n.gettext("Only the managers' administrators can settle disputes."),
            show_alert=True,
        )
        return False
    return True


@on_button(DisputeAction, managers=True)
async def action_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: DisputeAction
) -> None:
    if not await _may_settle(update, context):
        return
    manager_id = context.user_data.person_id
    try:
        if pressed.action in ("partial", "back"):
            await _show_keyboard(query, context, pressed, manager_id)
        elif pressed.action in RULING_OF_ACTION:
            await _propose(query, context, pressed, manager_id)
        else:
            await _side_action(update, context, pressed, manager_id)
    except DisputeTaken as taken:
        await query.answer(await _taken_by(context, taken), show_alert=True)
    except RulingNotAllowed as refused:
        await query.answer(explain(refused, context.managers_i18n), show_alert=True)


@on_button(ConfirmRuling, managers=True)
async def confirm_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ConfirmRuling
) -> None:
    if not await _may_settle(update, context):
        return
    try:
        await _decide(update, context, pressed, context.user_data.person_id)
    except DisputeTaken as taken:
        await query.answer(await _taken_by(context, taken), show_alert=True)
    except RulingNotAllowed as refused:
        await query.answer(explain(refused, context.managers_i18n), show_alert=True)


async def _taken_by(context: ParkShareContext, taken: DisputeTaken) -> str:
    i18n = context.managers_i18n
    async with context.db.reading() as uow:
        dispute = await disputes.get(uow, int(taken.details["dispute_id"]))
        manager = await people.get(uow, dispute.manager_id)
    if dispute.resolution:
        return i18n.gettext("Already decided by {manager}.").format(manager=manager.first_name)
    return i18n.gettext("{manager} is handling this dispute.").format(manager=manager.first_name)


async def _show_keyboard(query, context: ParkShareContext, pressed: DisputeAction, manager_id):
    i18n = context.managers_i18n
    async with context.db.reading() as uow:
        dispute = await disputes.get(uow, pressed.dispute_id)
        if dispute.resolution or dispute.manager_id not in (None, manager_id):
            raise DisputeTaken(str(dispute.id), dispute_id=dispute.id)
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


async def _decide(update: Update, context: ParkShareContext, pressed: ConfirmRuling, manager_id):
    async with context.db.unit_of_work() as uow:
        decision = await disputes.decide(
            uow, context.clock, dispute_id=pressed.dispute_id, manager_id=manager_id,
            ruling=Ruling(pressed.ruling), refund_percent=pressed.percent,
        )  # fmt: skip
    await update.callback_query.answer()
    i18n = context.managers_i18n
    # The pressed message is the card's last part: it keeps its text and gains the verdict.
    await update.callback_query.edit_message_text(
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
        await _tell(context, person.telegram_id, text)


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
    update: Update, context: ParkShareContext, pressed: DisputeAction, manager_id: int
) -> None:
    query = update.callback_query
    kind, side = pressed.action.split("_")[0], SIDE_OF_ACTION[pressed.action[-1]]
    i18n = context.managers_i18n
    _ = i18n.gettext
    manager = html.escape(update.effective_user.first_name)
    async with context.db.unit_of_work() as uow:
        if kind == "pen":
            person = await disputes.penalise(
                uow, context.clock, dispute_id=pressed.dispute_id, manager_id=manager_id,
                side=side,
            )  # fmt: skip
            note = _("{manager} penalised {side}: credit now {score}.").format(
                manager=manager, side=_side_label(side, i18n), score=person.credit_score
            )
        elif kind == "ban":
            # The reason is kept for the banned person, who reads it in their own language.
            banned = (await disputes.case(uow, pressed.dispute_id)).parties.person(side)
            reason = translator(banned.language).gettext("after dispute #{id}")
            person = await disputes.ban_party(
                uow, dispute_id=pressed.dispute_id, manager_id=manager_id, side=side,
                reason=reason.format(id=pressed.dispute_id),
            )  # fmt: skip
            note = _("{manager} banned {side}.").format(
                manager=manager, side=_side_label(side, i18n)
            )
        else:
            person = await disputes.ask(
                uow, dispute_id=pressed.dispute_id, manager_id=manager_id, side=side
            )
            note = _("{manager} asked {side} for more.").format(
                manager=manager, side=_side_label(side, i18n)
            )
        case = await disputes.case(uow, pressed.dispute_id)
    await query.answer(note)
    with contextlib.suppress(TelegramError):
        await update.effective_message.reply_text(note)
    if kind == "ban":
        await _tell(context, person.telegram_id, banned_notice(person.language, person.ban_reason))
    elif kind == "pen":
        to_them = translator(person.language)
        await _tell(
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
        await _tell(
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
    if dispute.asked_person_id != context.user_data.person_id or dispute.resolution:
        await query.answer(_("This question was not addressed to you."), show_alert=True)
        return
    await query.answer()
    context.user_data.answering_dispute_id = dispute.id
    context.user_data.relay_booking_id = None
    await update.effective_message.reply_text(
        _("Write your answer, or send a photo. It goes to the manager only.")
    )


async def take_answer(update: Update, context: ParkShareContext) -> None:
    """The asked party's message: kept as evidence and shown to the managers."""
    message = update.effective_message
    _ = context.i18n.gettext
    dispute_id = context.user_data.answering_dispute_id
    context.user_data.answering_dispute_id = None
    file_id = message.photo[-1].file_id if message.photo else None
    text = message.text or message.caption or ""
    if not (text or file_id):
        await message.reply_text(_("Only text and photos can be sent to the manager."))
        return
    async with context.db.unit_of_work() as uow:
        await disputes.answer(
            uow, context.clock, dispute_id=dispute_id, person_id=context.user_data.person_id,
            text=text, file_id=file_id,
        )  # fmt: skip
        case = await disputes.case(uow, dispute_id)
    await message.reply_text(_("Thank you. The manager has your answer."))
    chat_id = context.settings.manager_chat_id
    if chat_id is None:
        return
    i18n = context.managers_i18n
    side = case.parties.side_of(context.user_data.person_id)
    header = i18n.gettext("📝 Dispute #{id}: {side} answers").format(
        id=dispute_id, side=_side_label(side, i18n)
    )
    body = f"{header}\n{html.escape(text)}" if text else header
    parts = split_html(body, MAX_TEXT, first_limit=MAX_CAPTION if file_id else None)
    with contextlib.suppress(TelegramError):
        if file_id:
            await context.bot.send_photo(chat_id, file_id, caption=parts.pop(0))
        for part in parts:
            await context.bot.send_message(chat_id, part)


async def _tell(context: ParkShareContext, telegram_id: int, text: str, markup=None) -> None:
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(telegram_id, text, reply_markup=markup)


def handlers() -> list[BaseHandler]:
    return [
        action_pressed,
        confirm_pressed,
        answer_pressed,
    ]
