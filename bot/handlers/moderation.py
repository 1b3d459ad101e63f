"""The managers' group: new listings arrive as cards that managers approve or reject, with
what approving needs in front of them: the photo, place, price, hours, features and access.
Only the group's administrators and the ids in settings may decide; anyone else is told so
and nothing changes."""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import N_, Translator, translator
from bot.incoming import chat_of, message_of, sender_of
from bot.keyboards import Button, CallbackData, inline
from bot.listing_card import ModerateSpot, card_parts, decision_keyboard, post_listing_card
from bot.managers_group import in_managers_group, is_manager
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, fit_html, visible_len
from bot.waiting_drivers import tell_of_freed_spots
from core.services import listings, spots
from core.services.spots import Decision

REJECTION_REASONS = {
    "photos": N_("the photos don't show the spot clearly"),
    "address": N_("the address or location is wrong"),
    "price": N_("the price looks wrong"),
    "not_parking": N_("this doesn't look like a parking spot"),
    "rules": N_("the listing breaks our rules"),
}


@dataclass(frozen=True)
class RejectSpot(CallbackData):
    prefix = "modr"
    choices = {"reason": frozenset(REJECTION_REASONS)}  # noqa: RUF012
    spot_id: int
    reason: str


async def show_pending(update: Update, context: ParkShareContext) -> None:
    if not in_managers_group(update, context):
        return
    async with context.db.reading() as uow:
        pending = await spots.pending_review(uow)
    if not pending:
        await message_of(update).reply_text(
            context.managers_i18n.gettext("No listings are waiting for review.")
        )
        return
    for decision in pending:
        await post_listing_card(context.bot, chat_of(update).id, decision, context.managers_i18n)


@on_button(ModerateSpot, managers=True)
async def decision_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ModerateSpot
) -> None:
    await _decided(update, context, query, pressed)


@on_button(RejectSpot, managers=True)
async def rejection_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: RejectSpot
) -> None:
    await _decided(update, context, query, pressed)


async def _decided(
    update: Update,
    context: ParkShareContext,
    query: CallbackQuery,
    pressed: ModerateSpot | RejectSpot,
) -> None:
    # The cards live in the managers' group: whoever presses reads the group's language.
    i18n = context.managers_i18n
    _ = i18n.gettext
    if not await is_manager(context, chat_of(update).id, sender_of(update).id):
        await query.answer(_("Only the managers' administrators can decide on listings."), True)
        return
    if isinstance(pressed, ModerateSpot) and pressed.action == "reject":
        await query.answer()
        await query.edit_message_reply_markup(reject_keyboard(pressed.spot_id, i18n))
        return
    if isinstance(pressed, ModerateSpot) and pressed.action == "back":
        await query.answer()
        await query.edit_message_reply_markup(decision_keyboard(pressed.spot_id, i18n))
        return
    approve = isinstance(pressed, ModerateSpot)
    reason = pressed.reason if isinstance(pressed, RejectSpot) else ""
    async with context.db.unit_of_work() as uow:
        moderated = await listings.moderate(
            uow, context.clock, pressed.spot_id, approve=approve, reason=reason
        )
    decision = moderated.decision
    await query.answer()
    manager = html.escape(sender_of(update).full_name)
    if approve:
        verdict = _("✅ Approved by {manager}").format(manager=manager)
    else:
        verdict = _("❌ Rejected by {manager}: {reason}").format(
            manager=manager, reason=_(REJECTION_REASONS[reason])
        )
    await _show_verdict(query, decision, verdict, i18n)
    await tell_owner(context, decision, approve, reason)
    await tell_of_freed_spots(context, moderated.freed)


async def _show_verdict(query, decision: Decision, verdict: str, i18n: Translator) -> None:
    """The pressed message is the card's last part, a photo's caption or a text: it keeps its
    part of the card and gains the verdict, within that message's limit."""
    verdict = "\n\n" + verdict
    last = card_parts(decision, i18n)[-1]
    if query.message.photo:
        await query.edit_message_caption(
            fit_html(last, MAX_CAPTION - visible_len(verdict)) + verdict
        )
    else:
        await query.edit_message_text(fit_html(last, MAX_TEXT - visible_len(verdict)) + verdict)


def reject_keyboard(spot_id: int, i18n: Translator):
    _ = i18n.gettext
    rows: list[list[Button]] = [
        [(_(label), RejectSpot(spot_id, code))] for code, label in REJECTION_REASONS.items()
    ]
    rows.append([(_("↩️ Back"), ModerateSpot("back", spot_id))])
    return inline(rows)


async def tell_owner(
    context: ParkShareContext, decision: Decision, approved: bool, reason: str
) -> None:
    owner = decision.owner
    _ = translator(owner.language).gettext
    title = html.escape(decision.spot.title)
    if approved:
        text = _("Good news: your spot “{title}” is approved and drivers can now book it.")
    else:
        text = _("Your spot “{title}” was not approved: {reason}. Fix it and submit it again.")
    text = text.format(title=title, reason=_(REJECTION_REASONS[reason]) if reason else "")
    # The owner may have blocked the bot; the decision stands and shows in their spot list.
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(owner.telegram_id, text)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("pending", show_pending),
        decision_pressed,
        rejection_pressed,
    ]
