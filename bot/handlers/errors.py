"""The last word on anything a handler raised: a domain rule refused is explained in the
person's language; anything else is logged with its context, apologised for, and reported to
the managers' group, once per kind of failure in a while, so a failing dependency can't flood it."""

from __future__ import annotations

import contextlib
import html
import logging
import traceback
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import ParkShareContext, managers_translator
from bot.edge import answered
from bot.errors import explain
from bot.transient import is_transient
from core.db.uow import AlreadyProcessed, leave_to_retry
from core.errors import DomainError

log = logging.getLogger(__name__)
# Where our packages live, checked out or installed.
_ROOT = Path(__file__).resolve().parents[2]
_OURS = frozenset({"bot", "core", "payments", "sandbox"})
# Telegram shows at most this many characters in a callback answer's alert.
ALERT_MAX = 200


def failure_kind(error: BaseException) -> str:
    """The exception's class and the last line of our own code it passed through: the same bug
    reached by different people is one kind. Never the message, which may hold their data."""
    where = "?"
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(_ROOT) and path.relative_to(_ROOT).parts[0] in _OURS:
            where = f"{path.relative_to(_ROOT)}:{frame.lineno}"
    return f"{type(error).__name__} at {where}"


async def on_error(update: object, context: ParkShareContext) -> None:
    error = context.error
    if isinstance(error, AlreadyProcessed):
        log.info("a redelivered update was left alone", extra={"update_id": _id_of(update)})
        raise ApplicationHandlerStop
    if error is not None and is_transient(error) and leave_to_retry(error):
        # Nothing of the update was kept: the next attempt answers it, and no later handler
        # sees it half handled.
        log.warning("update %s will be tried again: %s", _id_of(update), error)
        raise ApplicationHandlerStop
    # In the managers' group everyone reads the group's language, whoever pressed or wrote.
    i18n = context.managers_i18n if _in_managers_group(update, context) else context.i18n
    if isinstance(error, DomainError):
        text = explain(error, i18n)
    else:
        kind = failure_kind(error) if error is not None else "unknown"
        update_id = _id_of(update)
        log.error("update failed: %s", kind, exc_info=error,
                  extra={"update_id": update_id, "failure": kind})  # fmt: skip
        await _alert_managers(context, kind, update_id)
        text = i18n.gettext("Sorry, something went wrong on our side. Please try again.")
    if not isinstance(update, Update):
        return
    try:
        await _tell(update, context, text)
    except TelegramError:
        log.warning("could not tell the person about an error", exc_info=True)


async def _tell(update: Update, context: ParkShareContext, text: str) -> None:
    """An alert on the button when the query still waits for its one answer and the reason
    fits in one; otherwise a message, so the reason is never lost."""
    query = update.callback_query
    if query is not None and not answered(context.bot, query.id):
        if len(text) <= ALERT_MAX:
            await query.answer(text, show_alert=True)
            return
        await query.answer()
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text)


def _in_managers_group(update: object, context: ParkShareContext) -> bool:
    settings = context.bot_data.settings
    chat = update.effective_chat if isinstance(update, Update) else None
    return settings is not None and chat is not None and chat.id == settings.manager_chat_id


def _id_of(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None


async def _alert_managers(context: ParkShareContext, kind: str, update_id: int | None) -> None:
    settings, bot_data = context.bot_data.settings, context.bot_data
    if settings is None or settings.manager_chat_id is None:
        return
    if not bot_data.error_alerts.should_alert(kind, context.clock.now()):
        return
    minutes = int(bot_data.error_alerts.period.total_seconds() // 60)
    i18n = managers_translator(settings)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            settings.manager_chat_id,
            i18n.ngettext(
                "⚠️ An update failed: <code>{kind}</code> (update {update_id}). The same "
                "failure is only logged for the next {minutes} minute.",
                "⚠️ An update failed: <code>{kind}</code> (update {update_id}). The same "
                "failure is only logged for the next {minutes} minutes.",
                minutes,
            ).format(kind=html.escape(kind), update_id=update_id, minutes=minutes),
        )
