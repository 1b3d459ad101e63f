"""From /portfolio, all of one owner's spots at once: listed from a CSV or XLSX table sent in
chat (with a report of each row refused and why), repriced, or given new regular hours."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from enum import IntEnum, auto

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.flow import ask_first, conversation
from bot.i18n import N_, Translator
from bot.incoming import message_of, text_of
from bot.operator_buttons import PortfolioAction
from bot.telegram_text import fit_html
from core.db.models import Spot
from core.db.uow import UnitOfWork
from core.errors import DomainError
from core.money import Money
from core.price_text import parse_price
from core.services import bulk_spots, operators
from core.spot_import import (
    MAX_BYTES,
    MAX_ROWS,
    Refusal,
    RowRefused,
    TableRefused,
    UnreadableTable,
    read_rows,
    read_table,
)


class BulkState(IntEnum):
    TABLE = auto()
    PRICE = auto()
    HOURS = auto()


ROW_REASONS = {
    RowRefused.TITLE: N_("the title is missing or too long"),
    RowRefused.PLACE: N_("latitude and longitude aren't a place"),
    RowRefused.AT_SEA: N_("that place is at sea"),
    RowRefused.PRICE: N_("the price per hour isn't a price"),
    RowRefused.DAILY_PRICE: N_("the price per day isn't a price"),
    RowRefused.CURRENCY: N_("the price per day has another currency"),
    RowRefused.HOURS: N_("the hours can't be read for certain"),
    RowRefused.HOURS_PAST: N_("the hours are all in the past"),
    RowRefused.YES_NO: N_("covered and ev_charger take yes or no"),
    RowRefused.SIZE: N_("the size is not motorbike, small, medium, large or van"),
}
TABLE_REASONS = {
    TableRefused.NOT_A_TABLE: N_("That file isn't a table I can read. Please send a CSV or XLSX."),
    TableRefused.TOO_BIG: N_("That file is too big for a table of spots."),
    TableRefused.EMPTY: N_("That table has no rows of spots under its header."),
}


def _table_help(i18n: Translator) -> str:
    return i18n.ngettext(
        "Send the spots as a CSV or XLSX file, one spot a row under a header row, at most "
        "{count} row. Columns: title, latitude, longitude, price_per_hour, hours (as you would "
        "write them, e.g. Mon-Fri 08:00-18:00); and if you like address, price_per_day, "
        "currency, covered, ev_charger (yes or no), size (motorbike, small, medium, large, van), "
        "instructions.",
        "Send the spots as a CSV or XLSX file, one spot a row under a header row, at most "
        "{count} rows. Columns: title, latitude, longitude, price_per_hour, hours (as you would "
        "write them, e.g. Mon-Fri 08:00-18:00); and if you like address, price_per_day, "
        "currency, covered, ev_charger (yes or no), size (motorbike, small, medium, large, van), "
        "instructions.",
        MAX_ROWS,
    ).format(count=MAX_ROWS)


@on_button(PortfolioAction, pattern=r"^pf:(import|price|hours):", forged=ConversationHandler.END)
async def bulk_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PortfolioAction
) -> BulkState | int:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        await operators.acting_for(uow, person_id=context.person_id, owner_id=pressed.owner_id)
        owned = await uow.spots.owned_by(pressed.owner_id)
    await query.answer()
    context.user_data.portfolio_owner_id = pressed.owner_id
    if pressed.action == "import":
        await ask_first(update, context, _table_help(context.i18n))
        return BulkState.TABLE
    count = len(owned)
    if pressed.action == "price":
        question = context.i18n.ngettext(
            "A new price per hour for the {count} spot (for example 3.50), or a change of every "
            "price in per cent (for example +10% or -5%)?",
            "A new price per hour for all {count} spots (for example 3.50), or a change of "
            "every price in per cent (for example +10% or -5%)?",
            count,
        )
        state = BulkState.PRICE
    else:
        question = context.i18n.ngettext(
            "New regular hours for the {count} spot? For example: Mon-Fri 08:00-18:00",
            "New regular hours for all {count} spots? For example: Mon-Fri 08:00-18:00",
            count,
        )
        state = BulkState.HOURS
    await ask_first(update, context, question.format(count=count))
    return state


def _owner(context: ParkShareContext) -> int:
    owner_id = context.user_data.portfolio_owner_id
    assert owner_id is not None, "the bulk flow's state guarantees an owner"
    return owner_id


async def table_sent(update: Update, context: ParkShareContext) -> BulkState | int:
    i18n = context.i18n
    document = message_of(update).document
    assert document is not None  # the state's filter takes documents only
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await message_of(update).reply_text(i18n.gettext(TABLE_REASONS[TableRefused.TOO_BIG]))
        return BulkState.TABLE
    try:
        content = bytes(await (await document.get_file()).download_as_bytearray())
        # Unpacking and reading a workbook is CPU work: off the event loop.
        rows = await asyncio.to_thread(read_table, content, document.file_name or "")
    except UnreadableTable as refused:
        await message_of(update).reply_text(_table_refused(refused, i18n))
        return BulkState.TABLE
    except TelegramError:
        await message_of(update).reply_text(
            i18n.gettext("I couldn't fetch that file from Telegram. Please send it again.")
        )
        return BulkState.TABLE
    owner_id = _owner(context)
    table = await asyncio.to_thread(
        read_rows, rows, default_currency=context.settings.default_currency,
        now=context.clock.now(),
    )  # fmt: skip
    moderated = context.settings.moderation
    async with context.db.unit_of_work() as uow:
        imported = await bulk_spots.import_spots(
            uow, context.clock, person_id=context.person_id, owner_id=owner_id, table=table,
            moderated=moderated,
        )  # fmt: skip
        owner = await uow.people.get(owner_id)
    context.user_data.portfolio_owner_id = None
    name = html.escape(owner.first_name if owner is not None else "—")
    total = len(rows)
    lines = [
        i18n.ngettext(
            "📥 Listed {done} of {count} row for {name}.",
            "📥 Listed {done} of {count} rows for {name}.",
            total,
        ).format(done=len(imported.listed), count=total, name=name)
    ]
    if imported.listed and moderated:
        lines.append(i18n.gettext("They wait for a manager's review; I'll tell the owner."))
    if imported.refused:
        lines += ["", i18n.gettext("Not listed:"), *_refusal_lines(imported.refused, i18n)]
    await message_of(update).reply_text(fit_html("\n".join(lines)))
    if imported.listed and moderated and context.settings.manager_chat_id is not None:
        managers = context.managers_i18n
        await context.bot.send_message(
            context.settings.manager_chat_id,
            managers.ngettext(
                "📥 An operator listed {count} spot for an owner from a table. /pending shows "
                "the listings waiting for review.",
                "📥 An operator listed {count} spots for an owner from a table. /pending shows "
                "the listings waiting for review.",
                len(imported.listed),
            ).format(count=len(imported.listed)),
        )
    return ConversationHandler.END


def _table_refused(refused: UnreadableTable, i18n: Translator) -> str:
    if refused.reason == TableRefused.MISSING_COLUMNS:
        return (
            i18n.gettext("The table has no column for: {columns}.").format(
                columns=html.escape(refused.detail)
            )
            + "\n\n"
            + _table_help(i18n)
        )
    if refused.reason == TableRefused.TOO_MANY_ROWS:
        return i18n.ngettext(
            "That table has more than {count} row. Please send it in parts.",
            "That table has more than {count} rows. Please send it in parts.",
            MAX_ROWS,
        ).format(count=MAX_ROWS)
    return i18n.gettext(TABLE_REASONS[refused.reason])


def _refusal_lines(refused: list[Refusal], i18n: Translator) -> list[str]:
    return [
        i18n.gettext("Row {row}: {reason} ({value})").format(
            row=refusal.row,
            reason=i18n.gettext(ROW_REASONS[refusal.reason]),
            value=html.escape(refusal.value[:40] or "—"),
        )
        for refusal in refused
    ]


async def price_typed(update: Update, context: ParkShareContext) -> BulkState | int:
    text, owner_id = text_of(update), _owner(context)
    percent = bulk_spots.percent_change(text)

    async def reprice(uow: UnitOfWork) -> list[Spot]:
        hourly: Money | None = None
        if percent is None:
            owned = await uow.spots.owned_by(owner_id)
            currency = owned[0].currency if owned else context.settings.default_currency
            hourly = parse_price(text, default_currency=currency)
        return await bulk_spots.reprice(
            uow, person_id=context.person_id, owner_id=owner_id, hourly=hourly, percent=percent
        )

    return await _change_all(
        update, context, reprice, BulkState.PRICE,
        hint=N_("For example: 3.50, or +10%."),
        saved=lambda i18n, count: i18n.ngettext(
            "Saved: {count} spot has the new price. It counts for bookings made from now on.",
            "Saved: {count} spots have the new prices. They count for bookings made from now on.",
            count,
        ),
    )  # fmt: skip


async def hours_typed(update: Update, context: ParkShareContext) -> BulkState | int:
    text, owner_id = text_of(update), _owner(context)

    async def replace_hours(uow: UnitOfWork) -> list[Spot]:
        return await bulk_spots.replace_hours(
            uow, context.clock, person_id=context.person_id, owner_id=owner_id, text=text
        )

    return await _change_all(
        update, context, replace_hours, BulkState.HOURS,
        hint=N_("Write the hours out in full, for example: Mon-Fri 08:00-18:00, or 18:00-08:00."),
        saved=lambda i18n, count: i18n.ngettext(
            "Saved: {count} spot has the new regular hours. Bookings made already stay.",
            "Saved: {count} spots have the new regular hours. Bookings made already stay.",
            count,
        ),
    )  # fmt: skip


async def _change_all(
    update: Update, context: ParkShareContext,
    change: Callable[[UnitOfWork], Awaitable[list[Spot]]], state: BulkState, *, hint: str,
    saved: Callable[[Translator, int], str],
) -> BulkState | int:  # fmt: skip
    """One change to all the owner's spots in one transaction; refused, the question stays."""
    i18n = context.i18n
    try:
        async with context.db.unit_of_work() as uow:
            changed = await change(uow)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, i18n) + "\n" + i18n.gettext(hint))
        return state
    context.user_data.portfolio_owner_id = None
    await message_of(update).reply_text(saved(i18n, len(changed)).format(count=len(changed)))
    return ConversationHandler.END


def _forget(context: ParkShareContext) -> None:
    context.user_data.portfolio_owner_id = None


async def not_a_table(update: Update, context: ParkShareContext) -> BulkState:
    await message_of(update).reply_text(_table_help(context.i18n))
    return BulkState.TABLE


def build_bulk_spots_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        name="bulk_spots",
        stopped=N_("The change of all spots stopped. Nothing was changed."),
        cancelled=N_("Nothing was changed."),
        forget=_forget,
        entry_points=[bulk_pressed],
        states={
            BulkState.TABLE: [
                MessageHandler(filters.Document.ALL, table_sent),
                MessageHandler(text | filters.PHOTO, not_a_table),
            ],
            BulkState.PRICE: [MessageHandler(text, price_typed)],
            BulkState.HOURS: [MessageHandler(text, hours_typed)],
        },
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [build_bulk_spots_conversation()]
