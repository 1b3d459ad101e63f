"""/share: links to the person's own spots and to the spots they booked, each opening the spot
in ParkShare ready to book, and naming them as who shared it."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import ParkShareContext
from bot.incoming import message_of
from bot.spot_links import spot_link
from bot.telegram_text import fit_html
from core.services import referrals


async def share(update: Update, context: ParkShareContext) -> None:
    i18n = context.i18n
    async with context.db.unit_of_work() as uow:
        mine = await referrals.shareable(uow, context.clock, context.person_id)
    username = context.bot.username
    lines = [
        i18n.gettext(
            "Send a link to anyone: it opens the spot in ParkShare, ready to book. In any chat, "
            "type @{bot} to send the cards of spots near you."
        ).format(bot=username)
    ]
    if not mine.spots:
        lines.append(i18n.gettext("Your spots and the spots you book will be listed here."))
    for spot in mine.spots:
        lines += ["", f"<b>{html.escape(spot.title)}</b>", spot_link(username, spot.id, mine.code)]
    await message_of(update).reply_text(fit_html("\n".join(lines)))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("share", share, filters=filters.ChatType.PRIVATE)]
