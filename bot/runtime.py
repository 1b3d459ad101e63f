"""One bot process, started and stopped in the right order: the application, its inbox
worker, and (when Telegram is polled rather than calling our webhook) the poller."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from bot.edge import ParkShareApplication
from bot.inbox import LONG_POLL_S, Poller


class BotRuntime:
    """``async with BotRuntime(application, polling=True):`` runs until the block ends; the
    worker stops claiming first and finishes what it holds. ``worker=False`` runs a process
    that only receives (its workers run elsewhere)."""

    def __init__(
        self,
        application: ParkShareApplication,
        *,
        polling: bool,
        worker: bool = True,
        poll_timeout: int | None = None,
    ) -> None:
        self.application = application
        self._polling = polling
        self._worker = worker
        self._poll_timeout = poll_timeout
        self.poller: Poller | None = None

    async def start(self) -> None:
        application = self.application
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if self._worker:
            await application.worker.start()
        if self._polling:
            self.poller = Poller(
                application.bot, application.bot_data.database, application.worker.handing_over,
                timeout=self._poll_timeout or LONG_POLL_S,
            )  # fmt: skip
            await self.poller.start()

    async def stop(self) -> None:
        application = self.application
        if self.poller is not None:
            await self.poller.stop()
        await application.worker.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        await self.stop()
