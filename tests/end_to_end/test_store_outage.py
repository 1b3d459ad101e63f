"""PostgreSQL stops while updates arrive: each is either refused with 503 and kept when
Telegram sends it again, or kept and handled once the store is back. Everybody hears their
answer once, in order, and nobody is told something went wrong."""

import asyncio
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.http_server import EmbeddedServer
from bot.web import build_web_app, register_webhook
from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.db.uow import Database
from core.settings import load_settings
from sandbox import actions
from sandbox.runner import SandboxRuntime
from tests.fakes import FrozenClock
from tests.support import postgres

SECRET = "s3cret"
PEOPLE = 6
GREETING = "What brings you here?"
SORRY = "Sorry, something went wrong"


@pytest.fixture
async def own_server():
    """A PostgreSQL server of this test's own, to stop and start again."""
    directory = Path(tempfile.mkdtemp(prefix="parkshare-outage-"))
    try:
        url = await asyncio.to_thread(postgres.start, directory)
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        yield directory, url
    finally:
        await asyncio.to_thread(postgres.stop, directory)
        shutil.rmtree(directory, ignore_errors=True)


async def test_updates_sent_while_the_store_is_down_are_answered_once_when_it_is_back(own_server):
    directory, url = own_server
    settings = load_settings(_env_file=None, database_url=url)
    database = Database.from_url(url)
    runtime = SandboxRuntime(
        settings, port=0, database=database, city=None, clock=FrozenClock(), keep_log=True
    )
    try:
        async with runtime:
            await runtime.bot_runtime.poller.stop()
            app = build_web_app(runtime.application, telegram_secret=SECRET)
            async with EmbeddedServer(app) as server:
                await register_webhook(runtime.application, server.url, SECRET)
                people = [runtime.world.add_person(f"Person {n}") for n in range(PEOPLE)]
                # Half write before the outage, half during it.
                first = runtime.world.last_update_id + 1
                for person in people[: PEOPLE // 2]:
                    await actions.send_text(runtime.world, person["id"], "/start")
                await asyncio.to_thread(postgres.stop, directory)
                for person in people[PEOPLE // 2 :]:
                    await actions.send_text(runtime.world, person["id"], "/start")
                refused = runtime.world.webhook_error
                await asyncio.sleep(2)
                await asyncio.to_thread(postgres.start_again, directory)
                last = runtime.world.last_update_id
                assert await runtime.world.wait_handled(first, last, 60)
                await runtime.application.bot.delete_webhook()
            assert refused == "HTTP 503"  # the store was down: "send it again"
            for person in people:
                said = [m["text"] for m in runtime.world.chat(person["id"]).messages.values()
                        if m.get("from", {}).get("is_bot")]  # fmt: skip
                assert len([text for text in said if GREETING in text]) == 1, said
                assert not [text for text in said if SORRY in text], said
            async with database.reading() as uow:
                counts = await uow.inbox.counts()
            assert counts == {"done": PEOPLE}
    finally:
        await database.close()
