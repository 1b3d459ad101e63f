"""The production shape on one PostgreSQL: Telegram (the sandbox's Bot API) calls a webhook
receiver, and two `parkshare worker` processes handle what it keeps. An owner lists a spot by
message, a manager approves it in the group, a driver searches, books and pays, the two talk
through the relay, and a dispute is decided in the group, with their updates spread over both
workers; one worker is killed
with SIGKILL while it may hold an update, and the other carries on beside a replacement, then
stops gracefully and leaves the rest to that replacement. Afterwards every update was handled
once, every answer came once, and the money audit passes."""

import asyncio
import contextlib
import itertools
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.http_server import EmbeddedServer
from bot.web import build_web_app, register_webhook
from core.clock import SystemClock
from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.db.models import InboxUpdate, Spot
from core.db.uow import Database
from core.settings import load_settings
from sandbox import actions
from sandbox.client import tiny_png
from sandbox.runner import SandboxRuntime, follow_the_inbox
from tests.conftest import DatabaseFactory, assert_ledger_sound
from tests.end_to_end.conftest import Sandbox
from tests.end_to_end.test_bookings import _book

SECRET = "s3cret"
LEASE_S = 5
WELCOME = "ParkShare finds you a private parking spot"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def postgres_url(postgres_server_url, tmp_path):
    url = await DatabaseFactory("postgresql", postgres_server_url, tmp_path).new_url()
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    return url


async def _start_worker(runtime: SandboxRuntime, url: str) -> asyncio.subprocess.Process:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PARKSHARE_")}
    env.update({
        "PARKSHARE_BOT_TOKEN": runtime.world.token,
        "PARKSHARE_BOT_API_URL": runtime.url,
        "PARKSHARE_DATABASE_URL": url,
        "PARKSHARE_MANAGER_CHAT_ID": str(runtime.settings.manager_chat_id),
        "PARKSHARE_PAYMENT_GATEWAY": "sandbox",
        "PARKSHARE_GEOCODER_URL": "",
        "PARKSHARE_INBOX_LEASE_SECONDS": str(LEASE_S),
    })  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "worker", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def test_two_worker_processes_share_the_work_and_one_dies_without_a_trace(postgres_url):
    settings = load_settings(_env_file=None, database_url=postgres_url, payment_gateway="sandbox")
    database = Database.from_url(postgres_url)
    runtime = SandboxRuntime(settings, port=0, database=database, city=None, clock=SystemClock())
    workers: list[asyncio.subprocess.Process] = []
    try:
        async with runtime:
            # This process only receives; the workers handle.
            await runtime.bot_runtime.poller.stop()
            await runtime.application.worker.stop()
            watcher = asyncio.create_task(follow_the_inbox(runtime.world, database))
            receiver = build_web_app(runtime.application, telegram_secret=SECRET)
            async with EmbeddedServer(receiver) as server:
                await register_webhook(runtime.application, server.url, SECRET)
                workers = [await _start_worker(runtime, postgres_url) for _ in range(2)]
                sandbox = Sandbox(runtime)
                await _the_story(sandbox, workers, lambda: _start_worker(runtime, postgres_url))
                watcher.cancel()
                await runtime.application.bot.delete_webhook()
            async with database.reading() as uow:
                states = dict((await uow.session.execute(text(
                    "SELECT state, count(*) FROM inbox_update GROUP BY state"
                ))).all())  # fmt: skip
                handlers = set(await uow.session.scalars(text(
                    "SELECT DISTINCT lease_owner FROM inbox_update WHERE lease_owner IS NOT NULL"
                )))  # fmt: skip
            assert states == {"done": runtime.world.last_update_id}  # each once, none lost
            pids = {int(handler.split("-")[0]) for handler in handlers}
            assert workers[-1].pid in pids  # the replacement took over the end of the story
            for chat in runtime.world.chats.values():
                said = [m.get("text") or m.get("caption") for m in chat.messages.values()
                        if m.get("from", {}).get("is_bot")]  # fmt: skip
                repeated = [a for a, b in itertools.pairwise(said) if a and a == b]
                assert repeated == [], f"answers said twice in {chat.id}: {repeated}"
            await assert_ledger_sound(database)
    finally:
        for process in workers:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            await process.wait()
        await database.close()


async def _claimed_by(sandbox: Sandbox, update_id: int) -> str:
    """The worker holding the update, as soon as one claims it."""
    while True:
        async with sandbox.database.reading() as uow:
            owner = await uow.session.scalar(
                select(InboxUpdate.lease_owner).where(InboxUpdate.update_id == update_id)
            )
        if owner is not None:
            return owner
        await asyncio.sleep(0.005)


async def _done(sandbox: Sandbox, update_id: int, *, within_s: float) -> tuple[int, str]:
    """The update's attempts and last worker, once it no longer waits."""
    deadline = asyncio.get_running_loop().time() + within_s
    while asyncio.get_running_loop().time() < deadline:
        async with sandbox.database.reading() as uow:
            state, attempts, owner = (await uow.session.execute(
                select(InboxUpdate.state, InboxUpdate.attempts, InboxUpdate.lease_owner)
                .where(InboxUpdate.update_id == update_id)
            )).one()  # fmt: skip
        if state != "waiting":
            return attempts, owner
        await asyncio.sleep(0.05)
    raise AssertionError(f"update {update_id} still waits")


async def _finished(sandbox: Sandbox, update_id: int, *, within_s: float) -> str | None:
    """Why the update was finished by someone other than its worker, once it is finished."""
    deadline = asyncio.get_running_loop().time() + within_s
    while asyncio.get_running_loop().time() < deadline:
        async with sandbox.database.reading() as uow:
            finished_at, error = (await uow.session.execute(
                select(InboxUpdate.finished_at, InboxUpdate.last_error)
                .where(InboxUpdate.update_id == update_id)
            )).one()  # fmt: skip
        if finished_at is not None:
            return error
        await asyncio.sleep(0.05)
    raise AssertionError(f"update {update_id} was never finished")


async def _heard(person, words: str) -> None:
    for _ in range(100):
        if any(words in (message.text or "") for message in person.messages()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{words!r} never reached them")


async def _the_story(
    sandbox: Sandbox,
    workers: list[asyncio.subprocess.Process],
    another_worker: Callable[[], Awaitable[asyncio.subprocess.Process]],
) -> None:
    olga, dana = sandbox.person("Olga"), sandbox.person("Dana")
    maria, group = sandbox.manager, sandbox.managers_group
    await olga.send("/start")
    await olga.send("/list")
    await olga.share_location(52.52, 13.405)
    await olga.send("Garage on Elm St")
    await olga.send("2.50")
    await olga.press("Skip")
    await olga.press("Done")
    await olga.send("Gate code 1234, level -1")
    await olga.send_photo(tiny_png(rgb=(10, 10, 10)))
    await olga.press("Done")
    await olga.send("Mon-Sun 07:00-22:00")
    await olga.press("✅ Submit")
    await maria.press("Approve", chat=group)
    assert "Garage on Elm St" in olga.last_message().text

    # Dana starts, and the worker that takes her update is killed as soon as it has it.
    await actions.send_text(sandbox.world, dana.id, "/start")
    update_id = sandbox.world.last_update_id
    holder = await _claimed_by(sandbox, update_id)
    killed = next(w for w in workers if w.pid == int(holder.split("-")[0]))
    killed.kill()
    await killed.wait()
    workers.remove(killed)
    # Killed before its commit, the update is taken over when the lease ends and handled by the
    # other worker. Killed after it (the person registered), its answer was kept with it, and
    # the other worker sends it when the lease ends; a write is never made twice. Either way
    # Dana is welcomed, once.
    await _done(sandbox, update_id, within_s=LEASE_S + 20)
    await _finished(sandbox, update_id, within_s=LEASE_S + 20)
    await _heard(dana, WELCOME)
    assert sum(WELCOME in (message.text or "") for message in dana.messages()) == 1
    sandbox.world.mark_handled(update_id)
    workers.append(await another_worker())  # as `serve --workers` starts one again

    async with sandbox.database.reading() as uow:
        spot = await uow.session.scalar(select(Spot))
    assert spot is not None
    await _book(dana, spot, when="tomorrow 10-12")
    await dana.pay()

    # The survivor is told to stop: it finishes what it holds and leaves the rest to the
    # replacement, which must now answer everything.
    survivor = workers.pop(0)
    survivor.terminate()
    assert await asyncio.wait_for(survivor.wait(), timeout=30) == 0

    await dana.send("/bookings")
    await dana.press("Message owner")
    await dana.send("Which level is it?")
    assert "Which level is it?" in olga.last_message().text
    await olga.press("Reply")
    await olga.send("Level -1, spot 17.")
    assert "Level -1, spot 17." in dana.last_message().text
    await dana.press("Leave the chat")

    await dana.send("/bookings")
    await dana.press("Report a problem")
    await dana.press("Can't get in")
    await dana.send("The gate code does not work")
    await dana.press("Send report")
    await maria.press("Refund driver in full", chat=group)
    await maria.press("Confirm", chat=group)
    for party in (dana, olga):
        assert "A manager has decided on booking #1" in party.last_message().text
