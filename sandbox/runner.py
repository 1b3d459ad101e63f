"""The sandbox's Telegram and the real bot in one event loop: what `parkshare` runs without a
token, and what end-to-end tests start."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from telegram.ext import BaseRateLimiter

from bot.app import build_application
from bot.edge import ParkShareApplication
from bot.http_server import EmbeddedServer
from bot.runtime import BotRuntime
from core.clock import Clock, SystemClock
from core.db.migrate import open_database
from core.db.uow import Database, UnitsOfWork, units_of_work_so_far
from core.settings import Settings
from sandbox.app import build_app
from sandbox.demo_city import BERLIN, DemoCity, demo_gazetteer, load_demo_city
from sandbox.world import Chat, World

log = logging.getLogger(__name__)
MANAGERS_GROUP_TITLE = "ParkShare managers"


@dataclass(frozen=True, slots=True)
class Cast:
    """Who is there when the sandbox opens: a manager, a group member who is not an
    administrator, and the managers' group they sit in."""

    manager: dict[str, Any]
    member: dict[str, Any]
    managers_group: Chat


class SandboxRuntime:
    """``async with SandboxRuntime(settings) as sandbox: sandbox.url`` serves the web chat and
    the Bot API, and runs the bot against it, polling over real HTTP."""

    def __init__(
        self,
        settings: Settings,
        *,
        port: int | None = None,
        database: Database | None = None,
        clock: Clock | None = None,
        city: DemoCity | None = BERLIN,
        demo_spots: int = 300,
        keep_log: bool = False,
        rate_limiter: BaseRateLimiter | None = None,
    ) -> None:
        token = f"{secrets.randbelow(10**9) + 10**9}:sandbox-{secrets.token_hex(12)}"
        self.world = World(token, keep_log=keep_log)
        self.cast = self._cast()
        self.settings = settings.model_copy(update={"manager_chat_id": self.cast.managers_group.id})
        self.clock = clock or SystemClock()
        self.city = city
        self._demo_spots = demo_spots
        self._database = database
        self._owns_database = database is None
        self._rate_limiter = rate_limiter
        # With the log kept: the units of work each update's handlers ran, for tests to check.
        self.units_of_work: list[UnitsOfWork] | None = [] if keep_log else None
        city_json = None if city is None else {
            "name": city.name, "centre": [city.centre.lat, city.centre.lon],
            "bounds": dict(zip(("south", "west", "north", "east"), city.bounds(), strict=True)),
        }  # fmt: skip
        self.server = EmbeddedServer(
            build_app(self.world, city=city_json, managers_group_id=self.cast.managers_group.id),
            host=settings.sandbox_host,
            port=settings.sandbox_port if port is None else port,
        )
        self.application: ParkShareApplication | None = None
        self.bot_runtime: BotRuntime | None = None

    def _cast(self) -> Cast:
        manager = self.world.add_person("Maria (manager)", language="en")
        member = self.world.add_person("Max (group member)", language="en")
        group = self.world.add_group(
            MANAGERS_GROUP_TITLE, admins=[manager["id"]], members=[member["id"]]
        )
        group.members[self.world.bot["id"]] = "administrator"
        return Cast(manager, member, group)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def database(self) -> Database:
        assert self._database is not None
        return self._database

    async def start(self) -> None:
        await self.server.start()
        if self._database is None:
            self._database = await open_database(self.settings.database_url)
        if self.city is not None:
            await load_demo_city(
                self._database, self.clock, city=self.city, spot_count=self._demo_spots
            )
        await self.start_bot()

    async def start_bot(self) -> None:
        """A new bot process, as after a restart: only the database and Telegram remember."""
        self.application = build_application(
            self.settings,
            token=self.world.token,
            base_url=f"{self.url}/bot",
            base_file_url=f"{self.url}/file/bot",
            database=self._database,
            clock=self.clock,
            sandbox=True,
            rate_limiter=self._rate_limiter,
        )
        self.application.bot_data.geocoder = demo_gazetteer(self.city or BERLIN)
        self.application.worker.observers.append(self._handled)
        self.bot_runtime = BotRuntime(self.application, polling=True, poll_timeout=10)
        await self.bot_runtime.start()

    async def run_job(self, name: str) -> None:
        """Run a scheduled job now and wait for it: tests drive time, they do not wait for it."""
        assert self.application is not None
        assert self.application.job_queue is not None
        jobs = self.application.job_queue.get_jobs_by_name(name)
        if not jobs:
            raise LookupError(f"no job named {name!r}")
        for job in jobs:
            await job.run(self.application)

    def _handled(self, update_id: int) -> None:
        # Called in the update's own context, where its units of work were counted.
        counted = units_of_work_so_far()
        if self.units_of_work is not None and counted is not None:
            self.units_of_work.append(counted)
        self.world.mark_handled(update_id)

    async def restart_bot(self) -> None:
        await self.stop_bot()
        await self.start_bot()

    async def stop(self) -> None:
        await self.stop_bot()
        await self.world.close()
        await self.server.stop()
        if self._owns_database and self._database is not None:
            await self._database.close()
            self._database = None

    async def stop_bot(self) -> None:
        """Stops the bot as a SIGTERM would: the updates it took are finished, state saved."""
        if self.bot_runtime is not None:
            await self.bot_runtime.stop()
            self.bot_runtime = None
            self.application = None

    async def __aenter__(self) -> Self:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        await self.stop()


async def follow_the_inbox(world: World, database: Database) -> None:
    """When the bot runs in other processes (`parkshare serve --workers`), the sandbox learns
    from the inbox that an update is handled (in process, the worker tells it): finished means
    its worker is done with it, answers sent. Runs until cancelled."""
    told = 0
    while True:
        async with database.reading() as uow:
            finished = await uow.inbox.finished_after(told)
        for update_id in finished:
            world.mark_handled(update_id)
        if finished and finished[-1] == told + len(finished):
            told = finished[-1]  # everything up to here is finished
        await asyncio.sleep(0.03)
