"""The sandbox's Bot API refuses what Telegram refuses, with Telegram's error shape."""

import asyncio
import time

import httpx
import pytest

from sandbox import actions
from sandbox.app import build_app
from sandbox.botapi import call
from sandbox.world import BotApiError, PendingCheckout, World

TOKEN = "123456:sandbox-rules"


@pytest.fixture
def world():
    return World(TOKEN)


@pytest.fixture
async def api(world):
    transport = httpx.ASGITransport(app=build_app(world))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


async def test_errors_have_telegrams_shape(world, api):
    response = await api.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": "42", "text": "hi"})
    assert response.status_code == 400
    assert response.json() == {
        "ok": False, "error_code": 400, "description": "Bad Request: chat not found",
    }  # fmt: skip
    wrong_token = await api.post("/bot1:wrong/getMe")
    assert wrong_token.json()["error_code"] == 401
    unknown = await api.post(f"/bot{TOKEN}/sendDice", data={"chat_id": "42"})
    assert unknown.json()["error_code"] == 404
    assert "sendDice" in unknown.json()["description"]


async def test_malformed_reply_markup_is_refused(world, api):
    person = world.add_person("Dana")
    for markup in ('{"inline_keyboard": "nope"}', "not json", '{"keyboard": [[{"text": ""}]]}'):
        response = await api.post(
            f"/bot{TOKEN}/sendMessage",
            data={"chat_id": str(person["id"]), "text": "hi", "reply_markup": markup},
        )
        assert response.json()["ok"] is False, markup
        assert response.status_code == 400


async def test_an_unchanged_edit_is_refused(world):
    person = world.add_person("Dana")
    sent = await call(world, "sendMessage", {"chat_id": person["id"], "text": "same"})
    with pytest.raises(BotApiError, match="message is not modified"):
        await call(world, "editMessageText", {
            "chat_id": person["id"], "message_id": sent["message_id"], "text": "same",
        })  # fmt: skip


async def test_getupdates_forgets_what_an_offset_confirms(world):
    person = world.add_person("Dana")
    for text in ("one", "two", "three"):
        await actions.send_text(world, person["id"], text)
    first = await call(world, "getUpdates", {"limit": 2})
    assert [u["message"]["text"] for u in first] == ["one", "two"]
    rest = await call(world, "getUpdates", {"offset": first[-1]["update_id"] + 1})
    assert [u["message"]["text"] for u in rest] == ["three"]
    assert await call(world, "getUpdates", {"offset": rest[-1]["update_id"] + 1}) == []


async def test_a_long_poll_returns_as_soon_as_an_update_arrives(world):
    person = world.add_person("Dana")
    poll = asyncio.create_task(call(world, "getUpdates", {"timeout": 30}))
    await asyncio.sleep(0)
    await actions.send_text(world, person["id"], "hello")
    (update,) = await asyncio.wait_for(poll, 5)
    assert update["message"]["text"] == "hello"


async def test_a_pre_checkout_answer_after_ten_seconds_is_refused(world):
    person = world.add_person("Dana")
    late = PendingCheckout(
        query={"id": "q1"}, chat_id=person["id"], invoice_message_id=1, sent_at=0.0,
        answer=asyncio.get_running_loop().create_future(),
    )  # fmt: skip
    world.checkouts["q1"] = late
    with pytest.raises(BotApiError, match="query is too old"):
        await call(world, "answerPreCheckoutQuery", {"pre_checkout_query_id": "q1", "ok": True})
    assert not late.answer.done()


async def test_a_refused_checkout_needs_a_reason(world):
    world.checkouts["q2"] = PendingCheckout(
        query={"id": "q2"}, chat_id=1, invoice_message_id=1, sent_at=time.monotonic(),
        answer=asyncio.get_running_loop().create_future(),
    )  # fmt: skip
    with pytest.raises(BotApiError, match="error_message"):
        await call(world, "answerPreCheckoutQuery", {"pre_checkout_query_id": "q2", "ok": False})


async def test_a_long_poll_cancelled_twice_leaves_the_world_usable(world):
    """A server stopping cancels a request's task again and again until it ends. The poll must
    leave only after taking the world's lock back, or it frees a lock that another task holds
    (the next long poll then fails with "cannot wait on un-acquired lock")."""
    person = world.add_person("Dana")
    poll = asyncio.create_task(call(world, "getUpdates", {"timeout": 30}))
    await asyncio.sleep(0.01)
    async with world._changed:  # another request, holding the world meanwhile
        for _ in range(2):
            poll.cancel()
            await asyncio.sleep(0)
        assert world._changed.locked()
    with pytest.raises(asyncio.CancelledError):
        await poll
    assert not world._changed.locked()
    await actions.send_text(world, person["id"], "still here")
    (update,) = await call(world, "getUpdates", {"timeout": 1})
    assert update["message"]["text"] == "still here"
