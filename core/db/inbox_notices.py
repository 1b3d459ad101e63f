"""Workers in other processes hear at once that updates wait: PostgreSQL's LISTEN on a
connection of their own (``Inbox.announce`` sends NOTIFY as updates are kept). Without it a
worker looks every so often (``bot.workers.IDLE_LOOK_S``), which it still does, in case a
notice is missed while the connection is being made again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import URL

from core.background import Repeating
from core.db.inbox_statements import CHANNEL

RECONNECT_AFTER_S = 2.0


class InboxListener:
    """Calls ``on_notice`` whenever updates are announced, from ``start`` until ``stop``."""

    def __init__(self, url: URL, on_notice: Callable[[], None]) -> None:
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_notice = on_notice
        # The server unreachable, or the connection lost: the worker's own looks go on.
        self._listening = Repeating(
            self._listen_until_lost, name="listening for the inbox",
            retry_after_s=RECONNECT_AFTER_S, pause_s=RECONNECT_AFTER_S,
        )  # fmt: skip

    async def start(self) -> None:
        self._listening.start()

    async def stop(self) -> None:
        await self._listening.stop()

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
