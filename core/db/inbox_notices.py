"""Workers in other processes hear at once that updates wait: PostgreSQL's LISTEN on a
connection of their own (``Inbox.announce`` sends NOTIFY as updates are kept). Without it a
worker looks every so often (``bot.workers.IDLE_LOOK_S``), which it still does, in case a
notice is missed while the connection is being made again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import URL

from core.db.inbox_statements import CHANNEL

log = logging.getLogger(__name__)
RECONNECT_AFTER_S = 2.0


class InboxListener:
    """Calls ``on_notice`` whenever updates are announced, from ``start`` until ``stop``."""

    def __init__(self, url: URL, on_notice: Callable[[], None]) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_notice = on_notice
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="inbox listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
            except asyncio.CancelledError:
                raise
            except Exception:  # the server unreachable: the worker's own looks go on
                log.warning("listening for the inbox failed; trying again", exc_info=True)
            await asyncio.sleep(RECONNECT_AFTER_S)

    async def _listen_until_lost(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, self._heard)
            self._on_notice()  # whatever was announced while it was not listening
            await lost.wait()
        finally:
            if not connection.is_closed():
                with contextlib.suppress(Exception):
                    await connection.close(timeout=1)

    def _heard(self, *_notice: Any) -> None:
        self._on_notice()
