"""Money leaving the platform, as people hear of it: the sweep itself is
``core.services.money_movement``; this job sends what it says each person must be told."""

from __future__ import annotations

import contextlib
import html

from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import Translator, translator
from core.services import money_movement
from core.services.holds import HoldLapsed
from core.services.money_movement import Moved, PaidOut, Refunded, TransferGivenUp


def _note(simulated: bool, language: str) -> str:
    return translator(language).gettext(" (sandbox: no real money)") if simulated else ""


async def move_money(context: ParkShareContext) -> None:
    moved = await money_movement.move_money(context.db, context.clock, context.gateways)
    for outcome in moved:
        await _tell(context, outcome)


async def _tell(context: ParkShareContext, outcome: Moved) -> None:
    if isinstance(outcome, Refunded):
        i18n = translator(outcome.driver.language)
        text = i18n.gettext(
            "Refunded {amount} for booking #{id}. Banks take a few days to show it."
        ).format(amount=i18n.money(outcome.amount), id=outcome.booking_id)
        await _send(context, outcome.driver.telegram_id,
                    text + _note(outcome.simulated, outcome.driver.language))  # fmt: skip
    elif isinstance(outcome, PaidOut):
        i18n = translator(outcome.owner.language)
        text = i18n.gettext("Paid out {amount} to you for the stay of booking #{id}.").format(
            amount=i18n.money(outcome.amount), id=outcome.booking_id
        )
        await _send(context, outcome.owner.telegram_id,
                    text + _note(outcome.simulated, outcome.owner.language))  # fmt: skip
    elif isinstance(outcome, TransferGivenUp) and context.settings.manager_chat_id is not None:
        i18n = context.managers_i18n
        what = i18n.gettext("Refund") if outcome.kind == "refund" else i18n.gettext("Payout")
        text = i18n.ngettext(
            "⚠️ Payment problem: {what} of {amount} for booking #{id} failed {attempts} time "
            "({error}). It needs a manager.",
            "⚠️ Payment problem: {what} of {amount} for booking #{id} failed {attempts} times "
            "({error}). It needs a manager.",
            outcome.attempts,
        ).format(
            what=what, amount=i18n.money(outcome.amount), id=outcome.booking_id,
            attempts=outcome.attempts, error=html.escape(outcome.error[:200]),
        )  # fmt: skip
        await _send(context, context.settings.manager_chat_id, text)
    elif isinstance(outcome, HoldLapsed) and context.settings.manager_chat_id is not None:
        await _send(context, context.settings.manager_chat_id,
                    hold_lapsed_text(outcome, context.managers_i18n))  # fmt: skip


def hold_lapsed_text(lapsed: HoldLapsed, i18n: Translator) -> str:
    return i18n.gettext(
        "⚠️ The card hold of {amount} for booking #{id} was let go before it was taken: no "
        "money came for this booking, and none will be paid out for it. It needs a manager."
    ).format(amount=i18n.money(lapsed.amount), id=lapsed.booking_id)


async def _send(context: ParkShareContext, chat_id: int, text: str) -> None:
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(chat_id, text)
