"""Serving a Starlette app over real HTTP inside the caller's event loop: the sandbox, and the
bot's own webhooks in production."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette

# Longer than any client keeps an idle connection (httpx: 5 s), so the client always closes
# first: were both 5 s, a request sent on a connection the server was just closing would fail.
KEEP_ALIVE_S = 75


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside a larger program: Ctrl-C belongs to the program, which stops the bot
    before the server, not to uvicorn."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class EmbeddedServer:
    """``async with EmbeddedServer(app, port=0) as server: server.url``; port 0 picks a free one."""

    def __init__(self, app: Starlette, *, host: str = "127.0.0.1", port: int = 0) -> None:
        # Said to be TCP, asyncio turns Nagle's algorithm off on every connection it accepts;
        # left at 0, a response written in two parts waited 40 ms for the client's delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = _EmbeddedServer(
            uvicorn.Config(
                app,
                log_level="warning",
                lifespan="off",
                timeout_graceful_shutdown=2,
                timeout_keep_alive=KEEP_ALIVE_S,
            )
        )
        self._task: asyncio.Task[None] | None = None

    def connections(self) -> list[Any]:
        """The HTTP connections open now (their protocols, each with its ``transport``)."""
        return list(self._server.server_state.connections)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
        self._socket.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        await self.stop()
