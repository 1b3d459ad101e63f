"""How updates are scheduled: different people side by side, one person's updates in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64


def _sender_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """Concurrency without races inside a conversation: a person's second message waits for
    their first to be handled, while everybody else's are handled meanwhile. ``observers`` hear
    of every update once it has been handled (the sandbox uses this to know the bot is done)."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}
        self.observers: list[Callable[[object], None]] = []

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _sender_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._locks[key]
            for observer in self.observers:
                observer(update)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
