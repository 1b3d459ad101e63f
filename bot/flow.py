"""What every ConversationHandler flow in bot/conversations shares: ``conversation()`` gives
them common settings, /cancel, and the one way every flow is left when the person turns to
something else."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import ParkShareContext
from bot.i18n import N_, Translator
from bot.incoming import message_of, query_of
from bot.main_menu import RoleChoice

# A flow left quiet this long is ended by a sweep (``bot.person_state``), its person told.
DEFAULT_TIMEOUT = timedelta(minutes=30)
# /cancel is each flow's own way out; every other command is a person turning elsewhere.
OTHER_COMMAND = filters.COMMAND & ~filters.Regex(r"^/cancel(@\w+)?(\s|$)")
# The buttons under /start's greeting: the main menu, valid whatever flow is under way.
MAIN_MENU_BUTTONS = RoleChoice.pattern()
# Said in the first message of every flow.
LEAVE_HINT = N_("Send /cancel to stop.")


# The flows (by name) and chats whose step the update being handled took, in its context.
_taken_steps: ContextVar[set[tuple[str, int]] | None] = ContextVar("flow_steps", default=None)


def count_steps_taken() -> set[tuple[str, int]]:
    """From here on in this context (one update), each flow's step taken is noted in the set
    returned: a flow that takes one is quiet from then on, not from before."""
    taken: set[tuple[str, int]] = set()
    _taken_steps.set(taken)
    return taken


class Flow(ConversationHandler):
    """A chat-scoped conversation that steps aside for the rest of the bot. Any other command
    or main-menu button ends it, with one line saying so, and then gets the answer it gets
    outside any flow; the flow's own command so starts it afresh. Without this, a command
    sent mid-flow would leave the flow waiting unseen for the next text. /cancel ends it too,
    saying ``cancelled``.

    Its steps are the person's: ``bot.person_state`` puts a person's steps in before their
    update is handled and takes them out after, so that no process keeps them between
    updates; ``timed_out`` is what a person hears when the flow ends after
    ``DEFAULT_TIMEOUT`` of quiet."""

    def __init__(
        self,
        *,
        stopped: str,
        cancelled: str,
        forget: Callable[[ParkShareContext], None],
        removes_keyboard: bool = False,
        fallbacks: list[BaseHandler] | None = None,
        timed_out: Callable[[Translator], str] | None = None,
        **options: Any,
    ) -> None:
        self._stopped, self._cancelled = stopped, cancelled
        self.timed_out = timed_out
        self._forget, self._removes_keyboard = forget, removes_keyboard
        self._interruptions: list[BaseHandler[Update, Any, object]] = [
            MessageHandler(OTHER_COMMAND, self._interrupted),
            CallbackQueryHandler(self._interrupted, pattern=MAIN_MENU_BUTTONS),
        ]
        # Our flows mix typed answers and inline buttons in one chat on purpose, so PTB's note
        # that buttons are tracked per chat rather than per message is expected here.
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="If 'per_message=False'", category=PTBUserWarning
            )
            # First among the fallbacks: a flow's catch-all must not swallow a command.
            super().__init__(
                fallbacks=[
                    *self._interruptions,
                    CommandHandler("cancel", self._cancel),
                    *(fallbacks or []),
                ],
                **options,
            )

    async def _interrupted(self, update: Update, context: ParkShareContext) -> int:
        return await end_flow(
            update, context, forget=self._forget, said=self._stopped,
            removes_keyboard=self._removes_keyboard,
        )  # fmt: skip

    async def _cancel(self, update: Update, context: ParkShareContext) -> int:
        return await end_flow(
            update, context, forget=self._forget, said=self._cancelled,
            removes_keyboard=self._removes_keyboard,
        )  # fmt: skip

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        check_result: Any,
        context: Any,
    ) -> object | None:
        taken = _taken_steps.get()
        if taken is not None and update.effective_chat is not None:
            taken.add((self.name or "", update.effective_chat.id))
        outcome = await super().handle_update(update, application, check_result, context)
        if check_result[2] in self._interruptions:
            await _offer_again(self, update, application, context)
        return outcome

    # A person's steps in and out: keys are (chat, user), the flow being chat-scoped.
    def steps_of(self, user_id: int) -> dict[int, object]:
        return {int(key[0]): state for key, state in self._keys_of(user_id)}

    def resume(self, user_id: int, steps: dict[int, object]) -> None:
        for chat_id, state in steps.items():
            self._conversations[(chat_id, user_id)] = state

    def forget(self, user_id: int) -> None:
        for key, _state in list(self._keys_of(user_id)):
            del self._conversations[key]

    def _keys_of(self, user_id: int) -> Iterator[tuple[tuple[int | str, ...], object]]:
        return ((key, state) for key, state in self._conversations.items() if key[-1] == user_id)


async def end_flow(
    update: Update,
    context: ParkShareContext,
    *,
    forget: Callable[[ParkShareContext], None],
    said: str,
    removes_keyboard: bool = False,
) -> int:
    """Leaves a flow, on /cancel or when something else interrupts it: drops what it had
    collected and says ``said`` (a msgid)."""
    forget(context)
    await message_of(update).reply_text(
        context.i18n.gettext(said),
        reply_markup=ReplyKeyboardRemove() if removes_keyboard else None,
    )
    return ConversationHandler.END


async def ask_first(
    update: Update,
    context: ParkShareContext,
    question: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """A flow's first question, ending with the line that says how to leave the flow."""
    await message_of(update).reply_text(
        question + "\n" + context.i18n.gettext(LEAVE_HINT), reply_markup=reply_markup
    )


async def stale_button(update: Update, context: ParkShareContext) -> None:
    """A button of a flow pressed when the flow is no longer at its step, or over."""
    await query_of(update).answer(
        context.i18n.gettext("This button is no longer valid."), show_alert=True
    )


async def _offer_again(
    flow: Flow,
    update: Update,
    application: Application[Any, Any, Any, Any, Any, Any],
    context: Any,
) -> None:
    """Offers the update to the flow's handler group again, now that the flow is over: the
    first handler that takes it answers it, as if the flow had never been running."""
    group = next(handlers for handlers in application.handlers.values() if flow in handlers)
    for handler in group:
        check = handler.check_update(update)
        if check is not None and check is not False:
            await handler.handle_update(update, application, check, context)
            return


def conversation(
    *, stopped: str, cancelled: str, forget: Callable[[ParkShareContext], None], **options: Any
) -> Flow:
    """A flow; ``stopped`` (a msgid) is the line said when another command ends it,
    ``cancelled`` the line said on /cancel, and ``forget`` drops what it had collected."""
    return Flow(stopped=stopped, cancelled=cancelled, forget=forget, **options)


def flows_of(application: Application[Any, Any, Any, Any, Any, Any]) -> list[Flow]:
    return [
        handler
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, Flow)
    ]
