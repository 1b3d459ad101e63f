"""Updates through the inbox, end to end: the same update delivered several times at once is
answered once, whatever its handler writes; and a person's conversation goes on in whichever
process handles their next update."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import MessageHandler, filters

import bot.workers
from bot.http_server import EmbeddedServer
from bot.inbox import Poller, bot_id_of, keep_updates
from bot.web import SECRET_HEADER, WEBHOOK_PATH, build_web_app
from core.db.models import InboxUpdate
from core.db.uow import Database
from core.services import inbox
from sandbox import actions
from sandbox.demo_city import BERLIN, demo_gazetteer
from tests.end_to_end.conftest import another_bot, initialized

SECRET = "s3cret"


async def _deliver_at_once(sandbox, server, update: dict, times: int) -> None:
    """What Telegram does when a webhook is slow to answer, at its worst: the same update
    again before the first is answered, ``times`` times in all."""
    async with httpx.AsyncClient() as client:
        answers = await asyncio.gather(*(
            client.post(f"{server.url}{WEBHOOK_PATH}", json=update,
                        headers={SECRET_HEADER: SECRET})
            for _ in range(times)
        ))  # fmt: skip
    assert [answer.status_code for answer in answers] == [200] * times
    assert await sandbox.world.wait_handled(update["update_id"], update["update_id"], 15)


@pytest.mark.parametrize("demo_spots", [40])
async def test_an_update_delivered_five_times_at_once_is_answered_once(sandbox):
    dana = sandbox.person("Dana")
    await dana.send("/start")  # a known person from here on
    centre = BERLIN.centre
    runtime = sandbox.runtime
    await runtime.bot_runtime.poller.stop()  # updates now wait at "Telegram" until delivered
    async with EmbeddedServer(build_web_app(runtime.application, telegram_secret=SECRET)) as server:
        for act in (
            lambda: actions.send_text(sandbox.world, dana.id, "/help"),
            lambda: actions.share_location(sandbox.world, dana.id, centre.lat, centre.lon),
            lambda: actions.send_text(sandbox.world, dana.id, "/start"),
        ):
            before = len(dana.messages())
            await act()
            await _deliver_at_once(sandbox, server, sandbox.world.log[-1], 1)
            once = len(dana.messages()) - before

            before = len(dana.messages())
            await act()
            await _deliver_at_once(sandbox, server, sandbox.world.log[-1], 5)
            assert once >= 1
            assert len(dana.messages()) - before == once


async def test_a_conversation_begun_in_one_process_goes_on_in_another(sandbox):
    """Two bot processes share the store; Dana's first step is handled by one, her next by
    the other, which never saw her before."""
    runtime = sandbox.runtime
    first = runtime.application
    second = another_bot(runtime, lease_seconds=runtime.settings.inbox_lease_seconds)
    second.bot_data.geocoder = demo_gazetteer(BERLIN)
    second.worker.observers.append(runtime.world.mark_handled)
    await initialized(second)
    workers = [first.worker, second.worker]
    try:
        dana = sandbox.person("Dana")
        await dana.send("/start")
        # Each step handled by the process that did not handle the one before.
        for n, step in enumerate((
            lambda: dana.send("/list"),
            lambda: dana.share_location(52.52, 13.405),
            lambda: dana.send("Garage on Elm St"),
            lambda: dana.send("3.50"),
        )):  # fmt: skip
            await workers[(n + 1) % 2].stop()
            await workers[n % 2].start()
            await step()
            assert "isn't what I asked for" not in dana.last_message().text
        assert "Skip" in dana.last_message().buttons  # the daily price, the step after these
    finally:
        await second.worker.stop()
        if not first.worker.running:
            await first.worker.start()
        await second.shutdown()


async def test_an_update_kept_under_another_sender_goes_on_with_its_person_s_conversation(
    sandbox,
):
    """The claim brings the sender's state with each update; one kept under another sender
    (by an earlier release's rules) is handled with its own person's."""
    runtime = sandbox.runtime
    dana = sandbox.person("Dana")
    await dana.send("/start")
    await dana.send("/list")
    await dana.share_location(52.52, 13.405)
    await runtime.bot_runtime.poller.stop()  # updates now wait at "Telegram" until delivered
    try:
        await actions.send_text(sandbox.world, dana.id, "Garage on Elm St")
        update = sandbox.world.log[-1]
        kept = (update["update_id"], dana.id + 1, json.dumps(update))
        bot_id = bot_id_of(runtime.application.bot)
        assert await inbox.keep(sandbox.database, bot_id, [kept]) == 1
        runtime.application.worker.wake()
        assert await sandbox.world.wait_handled(update["update_id"], update["update_id"], 15)
        assert "isn't what I asked for" not in dana.last_message().text
    finally:
        await runtime.bot_runtime.poller.start()
    await dana.send("3.50")
    assert "Skip" in dana.last_message().buttons  # the daily price: her listing went on


@contextlib.asynccontextmanager
async def _handled_while_not_polling(sandbox) -> AsyncIterator[list[Update]]:
    """The text updates the bot's handlers see, in order, while updates wait at "Telegram"
    until the test keeps them itself."""
    runtime = sandbox.runtime
    application = runtime.application
    handled: list[Update] = []

    async def seen(update: Update, _context) -> None:
        handled.append(update)

    watcher = MessageHandler(filters.TEXT, seen)
    application.add_handler(watcher, group=-1000)
    await runtime.bot_runtime.poller.stop()
    try:
        yield handled
    finally:
        application.remove_handler(watcher, group=-1000)
        await runtime.bot_runtime.poller.start()


async def test_an_update_handed_over_as_parsed_is_handled_as_parsed_and_only_once(sandbox):
    """The poller and the webhook hand what they kept to their process's worker as parsed: it
    is not parsed again from its body; one only kept is."""
    application = sandbox.runtime.application
    dana = sandbox.person("Dana")
    parsed = []
    async with _handled_while_not_polling(sandbox) as handled:
        for text, hand_over in (("/start", True), ("/help", False)):
            await actions.send_text(sandbox.world, dana.id, text)
            update = Update.de_json(sandbox.world.log[-1], application.bot)
            if hand_over:
                with application.worker.handing_over([update]):
                    await keep_updates(sandbox.database, bot_id_of(application.bot), [update])
            else:
                await keep_updates(sandbox.database, bot_id_of(application.bot), [update])
                application.worker.wake()
            assert await sandbox.world.wait_handled(update.update_id, update.update_id, 15)
            parsed.append(update)
    assert [update.update_id for update in handled] == [update.update_id for update in parsed]
    assert handled[0] is parsed[0]
    assert handled[1] is not parsed[1]  # parsed again from what the inbox kept
    assert handled[1] == parsed[1]


async def _handled_after_handing_over(
    sandbox, texts: list[str], handed: list[Update], *, claimed_while_kept: bool = False
):
    """Dana's texts, kept at once and handed over to the worker after ``handed`` (updates it
    will never claim, as if kept by another process): each as parsed, and each as handled.
    ``claimed_while_kept``: the worker claims and handles them as soon as the keep commits,
    before the hand-over ends, as a busy worker may."""
    application = sandbox.runtime.application
    dana = sandbox.person("Dana")
    parsed = []
    async with _handled_while_not_polling(sandbox) as handled:
        for text in texts:
            await actions.send_text(sandbox.world, dana.id, text)
            parsed.append(Update.de_json(sandbox.world.log[-1], application.bot))
        with application.worker.handing_over(handed):
            pass
        last = parsed[-1].update_id
        with application.worker.handing_over(parsed):
            await keep_updates(sandbox.database, bot_id_of(application.bot), parsed)
            if claimed_while_kept:
                application.worker.wake()
                assert await sandbox.world.wait_handled(last, last, 15)
        assert await sandbox.world.wait_handled(last, last, 15)
    assert [update.update_id for update in handled] == [update.update_id for update in parsed]
    return parsed, handled


async def test_updates_claimed_the_moment_they_are_kept_are_handled_as_handed_over(sandbox):
    parsed, handled = await _handled_after_handing_over(
        sandbox, ["/start", "/help"], [], claimed_while_kept=True
    )
    assert handled[0] is parsed[0]
    assert handled[1] is parsed[1]


async def test_in_a_backlog_past_what_is_handed_over_the_oldest_keep_their_parse(
    sandbox, monkeypatch
):
    """They are claimed first."""
    monkeypatch.setattr(bot.workers, "HANDED_OVER", 2)
    parsed, handled = await _handled_after_handing_over(sandbox, ["/start", "/help", "/help"], [])
    assert handled[0] is parsed[0]
    assert handled[1] is parsed[1]
    assert handled[2] is not parsed[2]


async def test_updates_handed_over_and_never_claimed_here_are_forgotten_in_time(
    sandbox, monkeypatch
):
    """Kept by another process's worker, say: they leave room for the next."""
    monkeypatch.setattr(bot.workers, "HANDED_OVER", 2)
    monkeypatch.setattr(bot.workers, "HANDED_OVER_FOR_S", 0.0)
    elsewhere = [Update(update_id) for update_id in (900_001, 900_002)]
    parsed, handled = await _handled_after_handing_over(sandbox, ["/start"], elsewhere)
    assert handled[0] is parsed[0]


async def test_polling_asks_past_an_update_only_once_it_is_kept(sandbox, tmp_path):
    runtime = sandbox.runtime
    dana = sandbox.person("Dana")
    await dana.send("/start")
    answered = len(dana.messages())
    await runtime.bot_runtime.poller.stop()
    # A poller whose store cannot keep anything (its folder is gone, as a server can be).
    gone = Database.from_url(f"sqlite:///{tmp_path}/gone/parkshare.db")
    failing = Poller(
        runtime.application.bot, gone, lambda _updates: contextlib.nullcontext(), timeout=1
    )
    await failing.start()
    try:
        await actions.send_text(sandbox.world, dana.id, "/help")
        update_id = sandbox.world.last_update_id
        await asyncio.sleep(1.5)  # it fetched the update, failed to keep it, and asked again
        assert [u["update_id"] for u in sandbox.world.updates] == [update_id]
    finally:
        await failing.stop()
        await gone.close()
    await runtime.bot_runtime.poller.start()
    assert await sandbox.world.wait_handled(update_id, update_id, 15)
    assert len(dana.messages()) == answered + 1


async def test_a_slow_update_keeps_its_lease_and_is_neither_taken_over_nor_abandoned(sandbox):
    """A handler slower than the lease (a payment gateway taking its time): the worker renews
    the lease while it works, so another worker does not start the update again, and the
    sweep for abandoned answers does not take it over."""
    runtime = sandbox.runtime
    slow = another_bot(runtime, lease_seconds=2)

    async def takes_its_time(update, context) -> None:
        await asyncio.sleep(5)

    slow.add_handler(MessageHandler(filters.Regex("^/help$"), takes_its_time), group=-100)
    slow.worker.observers.append(runtime.world.mark_handled)
    await initialized(slow)
    dana = sandbox.person("Dana")
    await dana.send("/start")
    await runtime.application.worker.stop()
    await slow.worker.start()
    try:
        await actions.send_text(sandbox.world, dana.id, "/help")
        update_id = sandbox.world.last_update_id
        await asyncio.sleep(3)  # past the lease: the update is still in hand
        assert await inbox.claim(runtime.database, "another", 10) == []
        await runtime.run_job("send_abandoned_answers")
        assert await sandbox.world.wait_handled(update_id, update_id, 15)
    finally:
        await slow.worker.stop()
        await runtime.application.worker.start()
        await slow.shutdown()
    async with runtime.database.reading() as uow:
        attempts = await uow.session.scalar(
            select(InboxUpdate.attempts).where(InboxUpdate.update_id == update_id)
        )
    assert attempts == 1
    # Answered once, by the help handler, and not again by the sweep.
    assert sum("What I can do" in (m.text or "") for m in dana.messages()) == 1
