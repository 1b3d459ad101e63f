"""Updates are kept before they are acknowledged: the webhook answers Telegram only once an
update is in the inbox (``core.db.models.InboxUpdate``), and polling asks for the next ones only
once the last are kept. Workers (``bot.workers``) handle them from there."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken

from core.background import Repeating, StopRepeating
from core.db.uow import Database
from core.services import inbox

# Seconds Telegram holds a getUpdates call open while nothing arrives.
LONG_POLL_S = 10
# After a failure (Telegram or the database unreachable), the next try waits this long.
RETRY_AFTER_S = 2.0


def sender_of(update: Update) -> int | None:
    """Whose updates are handled one at a time and in order: the person's (or the chat's, for
    a channel's posts); None for an update of nobody's."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


def bot_id_of(bot: Bot) -> int:
    """The bot's own id, the first part of its token, known before it asks Telegram who it is."""
    return int(bot.token.split(":", 1)[0])


async def keep_updates(database: Database, bot_id: int, updates: list[Update],
                       bodies: list[str] | None = None) -> int:  # fmt: skip
    """Keep ``updates`` (with their ``bodies`` as they arrived, if given) in one transaction;
    how many were not kept already."""
    texts = bodies or [json.dumps(update.to_dict(), ensure_ascii=False) for update in updates]
    return await inbox.keep(
        database,
        bot_id,
        [
            (update.update_id, sender_of(update), text)
            for update, text in zip(updates, texts, strict=True)
        ],
    )


class Poller:
    """Long polling that acknowledges (asks past) only what the inbox has kept: when keeping
    fails, the same updates are asked for again. Each batch is kept inside
    ``handing_over(batch)``, which hands the parsed updates to a worker
    (``InboxWorker.handing_over``)."""

    def __init__(
        self,
        bot: Bot,
        database: Database,
        handing_over: Callable[[Sequence[Update]], AbstractContextManager[None]],
        *,
        timeout: int = LONG_POLL_S,
        allowed_updates: list[str] | None = None,
    ) -> None:
        self._bot = bot
        self._database = database
        self._handing_over = handing_over
        self._timeout = timeout
        self._allowed_updates = allowed_updates or list(Update.ALL_TYPES)
        self._offset: int | None = None
        # Telegram or the store unreachable: the same updates are asked for again.
        self._polling = Repeating(self._poll_once, name="polling", retry_after_s=RETRY_AFTER_S)

    @property
    def running(self) -> bool:
        return self._polling.running

    async def start(self) -> None:
        # Polling and a webhook exclude each other at Telegram; updates it holds stay there.
        await self._bot.delete_webhook(drop_pending_updates=False)
        self._polling.start()

    async def stop(self) -> None:
        await self._polling.stop()

    async def _poll_once(self) -> None:
        try:
            updates = await self._bot.get_updates(
                offset=self._offset, timeout=self._timeout, allowed_updates=self._allowed_updates
            )
        except InvalidToken as error:
            raise StopRepeating(f"Telegram refused the token: {error}") from error
        if not updates:
            return
        with self._handing_over(updates):
            await keep_updates(self._database, bot_id_of(self._bot), list(updates))
        self._offset = updates[-1].update_id + 1


def body_of(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
