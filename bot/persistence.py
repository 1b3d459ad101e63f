"""python-telegram-bot persistence in our own database (no pickle files): conversation states
and each person's ``UserData`` survive a restart, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.context import BotData, ChatData, UserData
from core.db.uow import Database

ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]

USER_NAMESPACE = "user"
CONVERSATION_NAMESPACE = "conversation:"
# Seconds between PTB's batched writes of user data; conversation states are written at once.
UPDATE_INTERVAL_S = 2


class DatabasePersistence(BasePersistence[UserData, ChatData, BotData]):
    def __init__(self, database: Callable[[], Awaitable[Database]]) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True),
            update_interval=UPDATE_INTERVAL_S,
        )
        self._database = database
        self._writes = WriteBatches(database)

    async def _read(self, namespace: str) -> dict[str, str]:
        async with (await self._database()).reading() as uow:
            return await uow.kept_states.all_in(namespace)

    async def _write(self, namespace: str, key: str, value: Any) -> None:
        encoded = None if value is None else json.dumps(value, ensure_ascii=False)
        await self._writes.put(namespace, key, encoded)

    async def get_user_data(self) -> dict[int, UserData]:
        stored = await self._read(USER_NAMESPACE)
        return {int(key): UserData.from_dict(json.loads(value)) for key, value in stored.items()}

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        await self._write(USER_NAMESPACE, str(user_id), data.to_dict())

    async def drop_user_data(self, user_id: int) -> None:
        await self._write(USER_NAMESPACE, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """The database is the truth; nothing to merge."""

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._read(CONVERSATION_NAMESPACE + name)
        return {tuple(json.loads(key)): json.loads(value) for key, value in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._write(CONVERSATION_NAMESPACE + name, json.dumps(list(key)), new_state)

    # Chat data, bot data and callback data are not kept: everything lasting is in the domain.
    async def get_chat_data(self) -> dict[int, ChatData]:
        return {}

    async def update_chat_data(self, chat_id: int, data: ChatData) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: ChatData) -> None:
        pass

    async def get_bot_data(self) -> BotData:
        return BotData()

    async def update_bot_data(self, data: BotData) -> None:
        pass

    async def refresh_bot_data(self, bot_data: BotData) -> None:
        pass

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        pass

    async def flush(self) -> None:
        pass


Batch = dict[tuple[str, str], str | None]


class WriteBatches:
    """python-telegram-bot writes what changed every few seconds with one call per person and
    per conversation, all at once; the calls made together share one transaction instead of
    one each (about 2 ms of CPU each on SQLite, paid by every person who shared a location).
    A batch is written only after the one before it ends, so a key's later value is never
    overwritten by an earlier one; each call returns once its batch is stored, or raises what
    storing it raised."""

    def __init__(self, database: Callable[[], Awaitable[Database]]) -> None:
        self._database = database
        self._open: Batch | None = None
        self._written: asyncio.Task[None] | None = None

    async def put(self, namespace: str, key: str, value: str | None) -> None:
        # A batch whose writer is done took no more (or never started: cancelled at shutdown).
        if self._open is None or self._written is None or self._written.done():
            self._open = {}
            self._written = asyncio.create_task(self._write(self._open, self._written))
        self._open[namespace, key] = value
        # A caller given up on (PTB cancels its writer at shutdown) leaves the others' write be.
        await asyncio.shield(self._written)

    async def _write(self, batch: Batch, previous: asyncio.Task[None] | None) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # what it raised is its own callers'
        # Closed before the first await that could let another call in unseen.
        if self._open is batch:
            self._open = None
        async with (await self._database()).unit_of_work() as uow:
            for (namespace, key), value in batch.items():
                await uow.kept_states.put(namespace, key, value)
