"""Ways updates reach the bot besides long polling, and Telegram's limits on the way back."""

import asyncio
import time

import httpx
from sqlalchemy import select

from bot.http_server import EmbeddedServer
from bot.web import SECRET_HEADER, WEBHOOK_PATH, build_web_app, register_webhook
from core.db.models import RelayMessage
from sandbox import actions
from tests.end_to_end.test_trust import _paid


async def _kept(sandbox) -> int:
    async with sandbox.database.reading() as uow:
        return sum((await uow.inbox.counts()).values())


async def test_serve_takes_updates_by_webhook_only_with_the_secret_token(sandbox):
    application = sandbox.runtime.application
    await sandbox.runtime.bot_runtime.poller.stop()
    async with EmbeddedServer(build_web_app(application, telegram_secret="s3cret")) as server:
        await register_webhook(application, server.url, "s3cret")
        try:
            assert sandbox.world.webhook == {
                "url": f"{server.url}{WEBHOOK_PATH}", "secret_token": "s3cret",
            }  # fmt: skip
            dana = sandbox.person("Dana")
            await dana.send("/start")
            assert dana.last_message().text.endswith("What brings you here?")
            answered, kept = len(dana.messages()), await _kept(sandbox)

            sandbox.world.webhook["secret_token"] = "forged"
            await actions.send_text(sandbox.world, dana.id, "/help")
            assert sandbox.world.webhook_error == "HTTP 403"
            async with httpx.AsyncClient() as client:  # no token at all
                missing = await client.post(
                    f"{server.url}{WEBHOOK_PATH}", json=sandbox.world.log[-1]
                )
            assert missing.status_code == 403
            assert await _kept(sandbox) == kept  # neither request was kept, nor handled
            assert len(dana.messages()) == answered
        finally:
            await application.bot.delete_webhook()


async def test_a_flood_limit_is_waited_out_and_the_message_still_arrives(sandbox):
    sandbox.world.failures["sendmessage"] = 1  # Telegram: 429, retry after 1 s
    dana = sandbox.person("Dana")
    began = time.monotonic()
    await dana.send("/start")
    assert time.monotonic() - began >= 1  # the rate limiter waited as Telegram asked
    assert dana.last_message().text.endswith("What brings you here?")
    assert len(dana.messages()) == 1  # sent once, after the wait
    assert "sendmessage" not in sandbox.world.failures


async def test_a_moving_live_location_arrives_as_edited_messages(sandbox):
    dana = sandbox.person("Dana")
    shared = await actions.share_location(sandbox.world, dana.id, 52.52, 13.40, live_period=900)
    await actions.move_live_location(sandbox.world, dana.id, shared["message_id"], 52.521, 13.401)
    edited = sandbox.world.log[-1]["edited_message"]
    assert edited["message_id"] == shared["message_id"]
    assert edited["location"]["latitude"] == 52.521
    assert edited["location"]["live_period"] == 900


async def test_the_bot_hears_when_it_joins_a_group(sandbox):
    maria = sandbox.manager
    group = sandbox.world.add_group("Night shift", admins=[maria.id], members=[])
    await actions.join_group_with_bot(sandbox.world, group.id, added_by=maria.id)
    joined = sandbox.world.log[-1]["my_chat_member"]
    assert joined["new_chat_member"]["status"] == "administrator"
    assert joined["chat"]["title"] == "Night shift"


async def test_an_update_delivered_three_times_has_one_effect(sandbox):
    owner, _spot, dana = await _paid(sandbox, when="tomorrow 10-12")
    application = sandbox.runtime.application
    await sandbox.runtime.bot_runtime.poller.stop()
    async with EmbeddedServer(build_web_app(application, telegram_secret="s3cret")) as server:
        await register_webhook(application, server.url, "s3cret")
        try:
            await dana.send("/bookings")
            await dana.press("Message owner")
            await dana.send("Which level is it?")  # the first delivery
            relayed = [m for m in owner.messages() if "Which level is it?" in m.text]
            assert len(relayed) == 1
            kept = await _kept(sandbox)

            # Telegram retries a webhook that did not answer in time: the same update again,
            # twice at once; each is answered 200 and neither is kept a second time.
            redelivered = sandbox.world.log[-1]
            async with httpx.AsyncClient() as client:
                answers = await asyncio.gather(*(
                    client.post(f"{server.url}{WEBHOOK_PATH}", json=redelivered,
                                headers={SECRET_HEADER: "s3cret"})
                    for _ in range(2)
                ))  # fmt: skip
            assert [answer.status_code for answer in answers] == [200, 200]
            assert await _kept(sandbox) == kept
            await dana.send("/help")  # handled after anything the redeliveries could start
        finally:
            await application.bot.delete_webhook()
    assert [m for m in owner.messages() if "Which level is it?" in m.text] == relayed
    async with sandbox.database.reading() as uow:
        kept_messages = list(await uow.session.scalars(select(RelayMessage)))
    assert [m.text for m in kept_messages] == ["Which level is it?"]


async def test_a_button_answered_after_telegram_stopped_waiting_is_no_failure(sandbox):
    """A press handled late (a backlog, or after the store came back) finds its query expired:
    answering it is a no-op, not a failure that would stop the handler."""
    bot = sandbox.runtime.application.bot
    assert await bot.answer_callback_query("expired-long-ago") is False
