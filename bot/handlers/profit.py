"""What owners earn (/earnings) and what the platform makes (/report, managers only)."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import Translator
from bot.incoming import chat_of, message_of, sender_of
from bot.keyboards import CallbackData, inline
from bot.managers_group import in_managers_group, is_manager
from bot.pass_messages import pass_line
from bot.telegram_text import fit_html
from core.money import Money
from core.ports import GatewayRefused
from core.services import operators, passes, people, profit, referrals

log = logging.getLogger(__name__)
# A report covers today since local midnight, or the last so many days.
LAST_DAYS = {"week": 7, "month": 30}


@dataclass(frozen=True)
class ReportPeriod(CallbackData):
    prefix = "rp"
    choices = {"period": frozenset({"today", *LAST_DAYS})}  # noqa: RUF012
    period: str


def _amounts(amounts: list[Money], i18n: Translator) -> str:
    return ", ".join(i18n.money(amount) for amount in amounts) or "—"


async def show_earnings(update: Update, context: ParkShareContext) -> None:
    i18n = context.i18n
    _ = i18n.gettext
    async with context.db.reading() as uow:
        earned = await profit.earnings(uow, context.person_id)
        held_passes = await passes.passes_of_owner(uow, context.person_id)
    monthly = [pass_line(view, i18n) for view in held_passes]
    if not earned.by_month:
        await message_of(update).reply_text(
            "\n\n".join([
                _("No earnings yet. After each completed stay your share shows up here."),
                *monthly,
            ])
        )  # fmt: skip
        return
    lines = [
        _("<b>Your earnings</b>"),
        _("Waiting to be paid out: {amount}").format(amount=_amounts(earned.pending, i18n)),
        _("Paid out so far: {amount}").format(amount=_amounts(earned.paid_out, i18n)),
    ]
    if earned.to_operator:
        lines.append(
            _("Paid to your operator out of your share: {amount}").format(
                amount=_amounts(earned.to_operator, i18n)
            )
        )
    if earned.owed_back:
        lines.append(
            _("Refunded to drivers after your share had left, so taken from your next payouts: "
              "{amount}").format(amount=_amounts(earned.owed_back, i18n))
        )  # fmt: skip
    lines += ["", _("By month:")]
    lines += [
        f"{i18n.month(month.month)}: {_amounts(month.amounts, i18n)}" for month in earned.by_month
    ]
    if monthly:
        # Each night or day of a pass is paid out when it is over, like any stay.
        lines += ["", _("<b>Monthly passes at your spots</b>"), *monthly]
    await message_of(update).reply_text(fit_html("\n".join(lines)))


async def set_up_payouts(update: Update, context: ParkShareContext) -> None:
    """Where an owner's share goes: a Stripe Connect account they open through a link."""
    _ = context.i18n.gettext
    gateway = context.gateways.payouts
    message = message_of(update)
    if gateway is None:
        await message.reply_text(_(
            "Payouts aren't set up on this server yet. Your earnings are safe and shown in "
            "/earnings."
        ))  # fmt: skip
        return
    if gateway.simulated:
        await message.reply_text(
            _("In the sandbox your share is paid out right after each stay; nothing to set up.")
            + _(" (sandbox: no real money)")
        )
        return
    async with context.db.reading() as uow:
        owner = await people.get(uow, context.person_id)
    if owner.payouts_enabled:
        await message.reply_text(
            _("Your payout account is connected. Your share is paid out after each stay.")
        )
        return
    back = f"https://t.me/{context.bot.username}"
    try:
        account = owner.payout_account_id or await gateway.create_payout_account(
            owner.id, country=context.settings.payout_country
        )
        link = await gateway.onboarding_link(account, refresh_url=back, return_url=back)
    except GatewayRefused:
        log.exception("payout onboarding for person %s", owner.id)
        await message.reply_text(
            _("Payments are unavailable for a moment. Please try again in a minute.")
        )
        return
    if owner.payout_account_id is None:
        async with context.db.after_gateway() as uow:
            await people.set_payout_account(uow, owner.id, account)
    await message.reply_text(
        _("To receive your share, open a payout account with our payment partner Stripe. "
          "It takes a few minutes; the link works once."),
        reply_markup=inline([[(_("🏦 Set up payouts"), link)]]),
    )  # fmt: skip


def _since(period: str, now: datetime, zone: str) -> datetime:
    if period == "today":
        local = now.astimezone(ZoneInfo(zone))
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - timedelta(days=LAST_DAYS[period])


def _report_text(report: profit.Report, period: str, zone: str, i18n: Translator) -> str:
    _ = i18n.gettext
    titles = {
        "today": _("today (since midnight, {zone})").format(zone=zone),
        **{
            period: i18n.ngettext("the last {days} day", "the last {days} days", days).format(
                days=days
            )
            for period, days in LAST_DAYS.items()
        },
    }
    return "\n".join([
        _("📊 <b>Report for {period}</b>").format(period=titles[period]),
        _("Gross bookings: {amount}").format(amount=_amounts(report.gross, i18n)),
        _("Commission: {amount}").format(amount=_amounts(report.commission, i18n)),
        _("Refunds: {amount}").format(amount=_amounts(report.refunds, i18n)),
        _("Payouts: {amount}").format(amount=_amounts(report.payouts, i18n)),
        _("Covered for drivers moved from occupied spots: {amount}").format(
            amount=_amounts(report.covered, i18n)
        ),
        _("Disputes opened: {count}").format(count=report.disputes),
        i18n.ngettext(
            "Occupancy: {percent} of listed spot-hours; {booked} of {listed} spot booked, "
            "{hours} h in all",
            "Occupancy: {percent} of listed spot-hours; {booked} of {listed} spots booked, "
            "{hours} h in all",
            report.listed_spots,
        ).format(
            percent=i18n.percent(report.occupancy), booked=report.booked_spots,
            listed=report.listed_spots, hours=i18n.number(round(report.booked_hours, 1)),
        ),
    ])  # fmt: skip


def _report_keyboard(i18n: Translator):
    _ = i18n.gettext
    return inline([[
        (_("Today"), ReportPeriod("today")),
        *((i18n.ngettext("{days} day", "{days} days", days).format(days=days),
           ReportPeriod(period)) for period, days in LAST_DAYS.items()),
    ]])  # fmt: skip


async def _report(context: ParkShareContext, period: str) -> str:
    now = context.clock.now()
    zone = context.settings.report_timezone
    since = _since(period, now, zone)
    async with context.db.reading() as uow:
        report = await profit.report(uow, since=since, until=now)
        brought = await referrals.report(uow, since=since, until=now)
        managing = await operators.report(uow, since=since)
    i18n = context.managers_i18n
    return "\n".join([
        _report_text(report, period, zone, i18n), _referrals_text(brought, i18n),
        _operators_text(managing, i18n),
    ])  # fmt: skip


def _operators_text(managing: operators.OperatorsReport, i18n: Translator) -> str:
    """Who manages spots for owners now, and what their shares came to in the period."""
    line = i18n.ngettext(
        "Operators: {count} managing {spots} for owners; their shares {amount}.",
        "Operators: {count} managing {spots} for owners; their shares {amount}.",
        managing.operators,
    ).format(
        count=managing.operators,
        spots=i18n.ngettext("{count} spot", "{count} spots", managing.spots).format(
            count=managing.spots
        ),
        amount=_amounts(managing.shares, i18n),
    )
    if managing.top:
        line += "\n" + i18n.gettext("Busiest operators: {names}").format(
            names=", ".join(
                f"{html.escape(name)} ({_amounts([amount], i18n)})" for name, amount in managing.top
            )
        )
    return line


def _referrals_text(brought: referrals.Referrals, i18n: Translator) -> str:
    """Spot cards sent to chats, and the people links brought, with who brought the most."""
    line = " ".join([
        i18n.ngettext(
            "Shared: {count} spot card sent to chats.",
            "Shared: {count} spot cards sent to chats.",
            brought.cards_shared,
        ).format(count=brought.cards_shared),
        i18n.ngettext(
            "{count} new person came by a shared link.",
            "{count} new people came by a shared link.",
            brought.newcomers,
        ).format(count=brought.newcomers),
    ])  # fmt: skip
    if brought.top:
        line += "\n" + i18n.gettext("Brought the most: {names}").format(
            names=", ".join(f"{html.escape(name)} ({count})" for name, count in brought.top)
        )
    return line


async def show_report(update: Update, context: ParkShareContext) -> None:
    if not in_managers_group(update, context):
        await message_of(update).reply_text(
            context.i18n.gettext("The report is for the managers' group.")
        )
        return
    await message_of(update).reply_text(
        await _report(context, "today"), reply_markup=_report_keyboard(context.managers_i18n)
    )


@on_button(ReportPeriod, managers=True)
async def report_period_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ReportPeriod
) -> None:
    i18n = context.managers_i18n
    if not in_managers_group(update, context) or not await is_manager(
        context, chat_of(update).id, sender_of(update).id
    ):
        await query.answer(i18n.gettext("Only the managers can do this."), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        await _report(context, pressed.period), reply_markup=_report_keyboard(i18n)
    )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("earnings", show_earnings, filters=filters.ChatType.PRIVATE),
        CommandHandler("payouts", set_up_payouts, filters=filters.ChatType.PRIVATE),
        CommandHandler("report", show_report),
        report_period_pressed,
    ]
