"""localstripe (a fake Stripe API server) run inside the test process, so the real ``stripe``
SDK can be tested over HTTP on loopback.

It runs on its own event loop in a background thread: the SDK is synchronous, and a sync call
made on the thread that owns the server's loop would wait forever for its own answer.
localstripe's aiohttp application is a module-level singleton bound to the first loop it runs
on, so a process gets one server (a session-scoped fixture) and ``reset()`` between tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

import localstripe.resources
import localstripe.webhooks
from aiohttp import web
from localstripe.server import app as localstripe_app

# localstripe pickles its whole store to /tmp/localstripe.pickle on every write, shared by
# every process on the machine; tests keep their state in memory only.
localstripe.resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]

TIMEOUT_S = 10


class LocalStripe:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="localstripe", daemon=True
        )
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalStripe:
        self._thread.start()
        self._run(self._start())
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(localstripe_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def reset(self) -> None:
        """Forget every object, webhook endpoint and not-yet-sent event: localstripe sends each
        event a second after the call, to whatever endpoints exist then, so a pending one would
        reach the next test."""

        async def reset() -> None:
            self._cancel_pending_webhooks()
            localstripe.resources.store.clear()
            localstripe.webhooks._webhooks.clear()

        self._run(reset())

    def register_webhook(self, url: str, secret: str, events: list[str] | None = None) -> None:
        async def register() -> None:
            localstripe.webhooks.register_webhook("tests", url, secret, events)

        self._run(register())

    def stop(self) -> None:
        async def stop() -> None:
            self._cancel_pending_webhooks()
            if self._runner is not None:
                await self._runner.cleanup()

        self._run(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT_S)
        self._loop.close()

    def _cancel_pending_webhooks(self) -> None:
        for task in asyncio.all_tasks(self._loop):
            if task.get_coro().__name__ == localstripe.webhooks._send_webhook.__name__:
                task.cancel()

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(TIMEOUT_S)
