"""Managers' commands, in their group only: open disputes, bans, and a look at a spot or a
person. Ids are ParkShare's own (as on dispute cards), never Telegram's."""

from __future__ import annotations

import contextlib
import html

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler

from bot.ban_notice import banned_notice
from bot.context import ParkShareContext
from bot.credit_events import credit_event_line
from bot.dispute_card import TIER_NAMES, post_card
from bot.i18n import N_, translator
from bot.incoming import chat_of, message_of, sender_of
from bot.managers_group import in_managers_group, is_manager
from bot.operator_invitations import tell_ended
from bot.telegram_text import fit_html
from core.credit import tier_of
from core.errors import DomainError
from core.services import disputes, operators, people, spots
from core.status import SpotStatus

# A spot's state as the managers read it on /spot.
SPOT_STATUSES = {
    SpotStatus.DRAFT: N_("draft"),
    SpotStatus.PENDING: N_("waiting for review"),
    SpotStatus.APPROVED: N_("approved"),
    SpotStatus.PAUSED: N_("paused"),
    SpotStatus.REJECTED: N_("rejected"),
    SpotStatus.DELETED: N_("deleted"),
}


async def _allowed(update: Update, context: ParkShareContext) -> bool:
    """Managers in their group; anyone else in the group is told, anywhere else ignored."""
    if not in_managers_group(update, context):
        await message_of(update).reply_text(
            context.i18n.gettext("I don't know that command. Send /help to see what I can do.")
        )
        return False
    if not await is_manager(context, chat_of(update).id, sender_of(update).id):
        await message_of(update).reply_text(
            context.managers_i18n.gettext("Only the managers' administrators can do that.")
        )
        return False
    return True


def _id_argument(context: ParkShareContext) -> int | None:
    if not context.args or not context.args[0].lstrip("#").isdigit():
        return None
    return int(context.args[0].lstrip("#"))


def _about(usage: str, *, needs_text: bool = False):
    """A command on one id (and, for some, words after it): only for managers in their group,
    with its usage when the id is missing, and a plain answer when nothing has that id."""

    def wrap(command):
        async def run(update: Update, context: ParkShareContext) -> None:
            if not await _allowed(update, context):
                return
            target_id = _id_argument(context)
            rest = " ".join(context.args[1:]).strip() if context.args else ""
            _ = context.managers_i18n.gettext
            if target_id is None or (needs_text and not rest):
                await message_of(update).reply_text(html.escape(_(usage)))
                return
            try:
                await command(update, context, target_id, rest)
            except DomainError:
                await message_of(update).reply_text(_("Nothing found with that id."))

        return run

    return wrap


async def show_disputes(update: Update, context: ParkShareContext) -> None:
    if not await _allowed(update, context):
        return
    async with context.db.reading() as uow:
        cases = await disputes.open_cases(uow)
    if not cases:
        await message_of(update).reply_text(context.managers_i18n.gettext("No disputes are open."))
        return
    for case in cases:
        await post_card(context, case)


@_about(N_("Usage: /ban <person id> <reason>"), needs_text=True)
async def ban(update: Update, context: ParkShareContext, person_id: int, reason: str) -> None:
    _ = context.managers_i18n.gettext
    async with context.db.unit_of_work() as uow:
        # Owners whose spots they managed have them back alone, and are told.
        owners = await operators.owners_of(uow, person_id)
        person = await people.ban(uow, context.clock, person_id, reason)
    await message_of(update).reply_text(
        _("Person #{id} is banned: {reason}").format(id=person.id, reason=html.escape(reason))
    )
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            person.telegram_id, banned_notice(person.language, person.ban_reason)
        )
    for owner in owners:
        await tell_ended(context, owner, person.first_name)


@_about(N_("Usage: /unban <person id>"))
async def unban(update: Update, context: ParkShareContext, person_id: int, _rest: str) -> None:
    _ = context.managers_i18n.gettext
    async with context.db.unit_of_work() as uow:
        person = await people.unban(uow, person_id)
    await message_of(update).reply_text(_("Person #{id} can use ParkShare again.").format(
        id=person.id))  # fmt: skip
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            person.telegram_id,
            translator(person.language).gettext(
                "Your ParkShare account is active again. Welcome back!"
            ),
        )


@_about(N_("Usage: /person <person id>"))
async def show_person(
    update: Update, context: ParkShareContext, person_id: int, _rest: str
) -> None:
    _ = context.managers_i18n.gettext
    async with context.db.reading() as uow:
        found = await people.profile(uow, person_id)
        clients = await uow.operators.clients_of(person_id)
        managing = await operators.of_owner(uow, person_id)
    person = found.person
    lines = [
        _("👤 <b>Person #{id}</b> · language {language}").format(
            id=person.id, language=person.language
        ),
        _("Credit {score} ({tier})").format(
            score=person.credit_score, tier=_(TIER_NAMES[tier_of(person.credit_score)])
        ),
        _("Rated {rating} by {count} people").format(
            rating=f"{found.rating:.1f}" if found.rating is not None else "—",
            count=found.rating_count,
        ),
        _("Spots: {spots}").format(spots=", ".join(f"#{i}" for i in found.spot_ids) or "—"),
    ]
    if clients:
        lines.append(_("Operator for: {owners}").format(owners=", ".join(
            _("person #{id} ({percent}%)").format(id=owner.id, percent=relation.share_bp // 100)
            for relation, owner in clients
        )))  # fmt: skip
    if managing is not None:
        lines.append(_("Their spots' operator: {operator}").format(
            operator=_("person #{id} ({percent}%)").format(
                id=managing.operator.id, percent=managing.operatorship.share_bp // 100
            )
        ))  # fmt: skip
    if person.banned:
        lines.append(_("🚫 Banned: {reason}").format(reason=html.escape(person.ban_reason or "")))
    lines += [
        credit_event_line(event, context.managers_i18n, about_someone=True)
        for event in found.recent_events
    ]
    # An operator may manage spots for many owners: the list is cut to Telegram's limit.
    await message_of(update).reply_text(fit_html("\n".join(lines)))


@_about(N_("Usage: /spot <spot id>"))
async def show_spot(update: Update, context: ParkShareContext, spot_id: int, _rest: str) -> None:
    i18n = context.managers_i18n
    _ = i18n.gettext
    async with context.db.reading() as uow:
        spot = await spots.get(uow, spot_id)
        rating, count = await uow.spots.rating_of(spot.id)
    await message_of(update).reply_text(
        _(
            "🅿️ <b>Spot #{id}: {title}</b>\n{address}\nOwner: person #{owner} · {status}\n"
            "{price} per hour · rated {rating} ({count})"
        ).format(
            id=spot.id, title=html.escape(spot.title), address=html.escape(spot.address or "—"),
            owner=spot.owner_id, status=_(SPOT_STATUSES[spot.status]),
            price=i18n.money(spot.hourly_price),
            rating=f"{rating:.1f}" if rating is not None else "—", count=count,
        )
    )  # fmt: skip


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("disputes", show_disputes),
        CommandHandler("ban", ban),
        CommandHandler("unban", unban),
        CommandHandler("person", show_person),
        CommandHandler("spot", show_spot),
    ]
