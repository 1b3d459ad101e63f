"""A step run again and again in a task of its own until stopped (long polling, the inbox's
listener): a step that fails is logged and tried again after a pause; one that raises
``StopRepeating`` ends it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class StopRepeating(Exception):
    """Raised by a step that must not be tried again; its message is logged."""


class Repeating:
    def __init__(
        self,
        step: Callable[[], Awaitable[None]],
        *,
        name: str,
        retry_after_s: float,
        pause_s: float = 0.0,
    ) -> None:
        self._step = step
        self._name = name
        self._retry_after_s = retry_after_s
        self._pause_s = pause_s
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except StopRepeating as stop:
                log.error("%s stops: %s", self._name, stop)
                return
            except Exception:  # what it talks to is unreachable: the next try may reach it
                log.warning("%s failed; trying again in %s s", self._name, self._retry_after_s,
                            exc_info=True)  # fmt: skip
                await asyncio.sleep(self._retry_after_s)
                continue
            if self._pause_s:
                await asyncio.sleep(self._pause_s)
