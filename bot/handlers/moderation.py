"""The managers' group: new listings arrive as cards that managers approve or reject, with
what approving needs in front of them: the photo, place, price, hours, features and access.
Only the group's administrators and the ids in settings may decide; anyone else is told so
and nothing changes."""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ExtBot

from bot.availability_view import describe_weekly
from bot.context import ParkShareContext
from bot.handlers.spot_card import VEHICLE_LABELS
from bot.i18n import N_, Translator, translator
from bot.keyboards import CallbackData, inline, unpack_pressed
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, fit_html, split_html, visible_len
from bot.waiting_drivers import tell_of_freed_spots
from core.money import Money
from core.services import listings, spots
from core.services.spots import Decision

REJECTION_REASONS = {
    "photos": N_("the photos don't show the spot clearly"),
    "address": N_("the address or location is wrong"),
    "price": N_("the price looks wrong"),
    "not_parking": N_("this doesn't look like a parking spot"),
    "rules": N_("the listing breaks our rules"),
}
ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModerateSpot(CallbackData):
    prefix = "mod"
    choices = {"action": frozenset({"approve", "reject", "back"})}  # noqa: RUF012
    action: str
    spot_id: int


@dataclass(frozen=True)
class RejectSpot(CallbackData):
    prefix = "modr"
    choices = {"reason": frozenset(REJECTION_REASONS)}  # noqa: RUF012
    spot_id: int
    reason: str


async def is_manager(context: ParkShareContext, chat_id: int, user_id: int) -> bool:
    if user_id in context.settings.manager_ids:
        return True
    if chat_id != context.settings.manager_chat_id:
        return False
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        return False
    return member.status in ADMIN_STATUSES


def in_managers_group(update: Update, context: ParkShareContext) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.id == context.settings.manager_chat_id


def card_text(decision: Decision, i18n: Translator) -> str:
    spot, owner = decision.spot, decision.owner
    _ = i18n.gettext
    price = _("{price} per hour").format(
        price=i18n.money(Money(spot.hourly_price_minor, spot.currency))
    )
    if spot.daily_price_minor:
        price += " · " + _("{price} per day").format(
            price=i18n.money(Money(spot.daily_price_minor, spot.currency))
        )
    features = [_(VEHICLE_LABELS[spot.max_vehicle_size])]
    if spot.covered:
        features.append(_("covered"))
    if spot.ev_charger:
        features.append(_("EV charger"))
    hours = "; ".join(describe_weekly(decision.weekly_hours, i18n))
    photos = len(spot.photos)
    lines = [
        _("🆕 <b>Listing #{id}: {title}</b>").format(id=spot.id, title=html.escape(spot.title)),
        "📍 " + html.escape(spot.address or f"{spot.lat:.5f}, {spot.lon:.5f}"),
        "💶 " + price,
        _("🕒 Regular hours: {hours}").format(
            hours=html.escape(hours) if hours else _("none, only one-off times")
        ),
        _("Fits: {features}").format(features=", ".join(features)),
        _("🔑 Access: {access}").format(
            access=html.escape(spot.access_instructions) if spot.access_instructions else "—"
        ),
        i18n.ngettext("📷 {count} photo", "📷 {count} photos", photos).format(count=photos),
        _("Owner's credit score: {score}").format(score=owner.credit_score),
    ]
    return "\n".join(lines)


def decision_keyboard(spot_id: int, i18n: Translator):
    _ = i18n.gettext
    return inline(
        [
            [
                (_("✅ Approve"), ModerateSpot("approve", spot_id)),
                (_("❌ Reject"), ModerateSpot("reject", spot_id)),
            ]
        ]
    )


def _card_parts(decision: Decision, i18n: Translator) -> list[str]:
    """The card as sent: a photo's caption first when there is a photo (Telegram allows 1,024
    characters there), the rest in messages; the buttons go on the last part."""
    first_limit = MAX_CAPTION if decision.spot.photos else None
    return split_html(card_text(decision, i18n), MAX_TEXT, first_limit=first_limit)


async def post_listing_card(
    bot: ExtBot[None], chat_id: int, decision: Decision, i18n: Translator
) -> None:
    """A listing for the managers to decide on, in their language (``i18n``): where it is,
    then the card (on its first photo) with the buttons."""
    spot = decision.spot
    # Telegram refuses a venue without an address; a spot listed by location alone has none.
    address = spot.address or f"{spot.lat:.5f}, {spot.lon:.5f}"
    try:
        await bot.send_venue(
            chat_id, latitude=spot.lat, longitude=spot.lon, title=spot.title, address=address
        )
    except TelegramError:  # the pin is a convenience; the card must still arrive
        log.warning("a listing's venue could not be sent", exc_info=True)
    parts = _card_parts(decision, i18n)
    keyboard = decision_keyboard(spot.id, i18n)
    if spot.photos:
        caption = parts.pop(0)
        await bot.send_photo(
            chat_id, spot.photos[0].telegram_file_id, caption=caption,
            reply_markup=None if parts else keyboard,
        )  # fmt: skip
    for number, part in enumerate(parts, start=1):
        await bot.send_message(
            chat_id, part, reply_markup=keyboard if number == len(parts) else None
        )


async def show_pending(update: Update, context: ParkShareContext) -> None:
    if not in_managers_group(update, context):
        return
    async with context.db.reading() as uow:
        pending = await spots.pending_review(uow)
    if not pending:
        await update.effective_message.reply_text(
            context.managers_i18n.gettext("No listings are waiting for review.")
        )
        return
    for decision in pending:
        await post_listing_card(
            context.bot, update.effective_chat.id, decision, context.managers_i18n
        )


async def decision_pressed(update: Update, context: ParkShareContext) -> None:
    query = update.callback_query
    # The cards live in the managers' group: whoever presses reads the group's language.
    i18n = context.managers_i18n
    _ = i18n.gettext
    kind = RejectSpot if query.data.startswith(RejectSpot.prefix + ":") else ModerateSpot
    pressed = await unpack_pressed(query, kind, i18n)
    if pressed is None:
        return
    if not await is_manager(context, update.effective_chat.id, update.effective_user.id):
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
    reason = "" if approve else pressed.reason
    async with context.db.unit_of_work() as uow:
        moderated = await listings.moderate(
            uow, context.clock, pressed.spot_id, approve=approve, reason=reason
        )
    decision = moderated.decision
    await query.answer()
    manager = html.escape(update.effective_user.full_name)
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
    last = _card_parts(decision, i18n)[-1]
    if query.message.photo:
        await query.edit_message_caption(
            fit_html(last, MAX_CAPTION - visible_len(verdict)) + verdict
        )
    else:
        await query.edit_message_text(fit_html(last, MAX_TEXT - visible_len(verdict)) + verdict)


def reject_keyboard(spot_id: int, i18n: Translator):
    _ = i18n.gettext
    rows = [[(_(label), RejectSpot(spot_id, code))] for code, label in REJECTION_REASONS.items()]
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
        CallbackQueryHandler(decision_pressed, pattern=ModerateSpot.pattern()),
        CallbackQueryHandler(decision_pressed, pattern=RejectSpot.pattern()),
    ]
