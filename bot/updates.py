"""How updates are scheduled: different people side by side, one person's updates in order."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64
# One person's updates waiting their turn; a human typing fast stays far below it.
MAX_BACKLOG = 20


def _sender_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """Concurrency without races inside a conversation: a person's second message waits for
    their first to be handled, while everybody else's are handled meanwhile. A person's update
    takes one of the ``max_concurrent_updates`` slots only when its turn comes, so one person's
    backlog never holds the slots others need; past ``max_backlog`` waiting updates, a person's
    new ones are dropped and ``on_flood`` hears of the first of each burst. ``observers`` hear
    of every update once it has been handled or dropped (the sandbox uses this to know the bot
    is done)."""

    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        *,
        max_backlog: int = MAX_BACKLOG,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.max_backlog = max_backlog
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}
        self._flooding: set[int] = set()
        self.observers: list[Callable[[object], None]] = []
        self.on_flood: Callable[[object], Awaitable[None]] | None = None

    # PTB marks this final and takes its slot before do_process_update; a person's backlog
    # would then hold slots while waiting its turn, so the order is ours to decide here.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        key = _sender_key(update)
        if key and self._queued.get(key, 0) >= self.max_backlog:
            await self._drop(key, update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with lock:
                await self.do_process_update(update, coroutine)
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._locks[key]
                self._flooding.discard(key)
            self._handled(update)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            await coroutine

    async def _drop(self, key: int, update: object, coroutine: Awaitable[Any]) -> None:
        if inspect.iscoroutine(coroutine):
            coroutine.close()
        first_of_burst = key not in self._flooding
        self._flooding.add(key)
        try:
            if first_of_burst and self.on_flood is not None:
                await self.on_flood(update)
        finally:
            self._handled(update)

    def _handled(self, update: object) -> None:
        for observer in self.observers:
            observer(update)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
