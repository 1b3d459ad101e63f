"""/portfolio: an operator's owners and spots, how busy the spots were and what the operator
earned this week and month; from it, each owner's spots to manage one by one, or in bulk
(conversations/bulk_spots.py)."""

from __future__ import annotations

import html

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import Translator
from bot.incoming import chat_of, message_of
from bot.keyboards import inline
from bot.operator_buttons import ManageOperator, PortfolioAction
from bot.owner_spot_view import describe, keyboard
from bot.telegram_text import fit_html
from core.money import Money
from core.services import listings, operators
from core.services.operators import RECENT_DAYS, Client, Period, Portfolio


def _amounts(amounts: list[Money], i18n: Translator) -> str:
    return ", ".join(i18n.money(amount) for amount in amounts) or "—"


def _period_line(label: str, period: Period, i18n: Translator) -> str:
    return i18n.gettext(
        "{period}: {hours} booked hours, {occupancy} busy; you earned {amount}"
    ).format(
        period=label, hours=i18n.number(round(period.booked_hours, 1)),
        occupancy=i18n.percent(period.occupancy), amount=_amounts(period.earned, i18n),
    )  # fmt: skip


def portfolio_text(folio: Portfolio, i18n: Translator) -> str:
    _ = i18n.gettext
    return "\n".join([
        _("<b>📊 Your portfolio</b>: {spots}, {owners}").format(
            spots=i18n.ngettext("{count} spot", "{count} spots", len(folio.spots)).format(
                count=len(folio.spots)
            ),
            owners=i18n.ngettext("{count} owner", "{count} owners", len(folio.clients)).format(
                count=len(folio.clients)
            ),
        ),
        _period_line(
            i18n.ngettext("Last {count} day", "Last {count} days", RECENT_DAYS).format(
                count=RECENT_DAYS
            ),
            folio.week,
            i18n,
        ),
        _period_line(_("This month"), folio.month, i18n),
        _("Waiting to be paid out: {amount}").format(amount=_amounts(folio.pending, i18n)),
        _("Paid out so far: {amount}").format(amount=_amounts(folio.paid_out, i18n)),
    ])  # fmt: skip


def client_text(client: Client, i18n: Translator) -> str:
    return i18n.ngettext(
        "🏢 {name}: {count} spot; your share {percent}%",
        "🏢 {name}: {count} spots; your share {percent}%",
        len(client.spots),
    ).format(
        name=html.escape(client.owner.first_name or "—"), count=len(client.spots),
        percent=client.operatorship.share_bp // 100,
    )  # fmt: skip


def client_keyboard(client: Client, i18n: Translator) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    owner_id = client.owner.id
    # Two a row at most: the Russian labels run long.
    return inline([
        [(_("📋 Spots"), PortfolioAction("spots", owner_id)),
         (_("➕ List one"), PortfolioAction("list", owner_id))],
        [(_("📥 Import"), PortfolioAction("import", owner_id)),
         (_("💶 All prices"), PortfolioAction("price", owner_id))],
        [(_("🕒 All hours"), PortfolioAction("hours", owner_id))],
        [(_("🚫 Stop managing"), ManageOperator("end", client.operatorship.id))],
    ])  # fmt: skip


async def show_portfolio(update: Update, context: ParkShareContext) -> None:
    i18n = context.i18n
    async with context.db.reading() as uow:
        folio = await operators.portfolio(uow, context.clock, context.person_id)
    if not folio.clients:
        await message_of(update).reply_text(
            i18n.gettext(
                "You manage no one's spots yet. An owner makes you their operator with "
                "/operator, which gives them a link to send you."
            )
        )
        return
    await message_of(update).reply_text(portfolio_text(folio, i18n))
    for client in folio.clients:
        await message_of(update).reply_text(
            client_text(client, i18n), reply_markup=client_keyboard(client, i18n)
        )


@on_button(PortfolioAction, pattern=r"^pf:spots:")
async def spots_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PortfolioAction
) -> None:
    async with context.db.reading() as uow:
        await operators.acting_for(uow, person_id=context.person_id, owner_id=pressed.owner_id)
        managed = await listings.owned(uow, pressed.owner_id)
    await query.answer()
    if not managed:
        await message_of(update).reply_text(context.i18n.gettext("No spots listed yet."))
        return
    for shown in managed:
        await context.bot.send_message(
            chat_of(update).id,
            fit_html(describe(shown.spot, shown.weekly_hours, context.i18n)),
            reply_markup=keyboard(shown.spot, context.i18n),
        )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("portfolio", show_portfolio, filters=filters.ChatType.PRIVATE),
        spots_pressed,
    ]
