"""What Telegram's webhook refuses: each malformed request gets its 4xx and keeps nothing; a
well-formed update is kept in the inbox, once however often it comes, before it is answered
200; when it cannot be kept, Telegram is told to send it again."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.app import build_application
from bot.web import MAX_UPDATE_BYTES, SECRET_HEADER, WEBHOOK_PATH, build_web_app
from core.db.uow import Database
from core.settings import load_settings

SECRET = "s3cret"
A_MESSAGE = {
    "message_id": 1, "date": 1780300800, "chat": {"id": 7, "type": "private"},
    "from": {"id": 7, "is_bot": False, "first_name": "Dana"}, "text": "/help",
}  # fmt: skip


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
async def webhook(db):
    settings = load_settings(_env_file=None, database_url="sqlite://")
    application = build_application(settings, token="1:webhook", database=db)
    application.bot_data.database = db  # as post_init does when the application starts
    transport = httpx.ASGITransport(app=build_web_app(application, telegram_secret=SECRET))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield application, client


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (_json({"update_id": 1, "message": A_MESSAGE}), {}, 200),
        (_json({"update_id": 1, "message": A_MESSAGE}), {SECRET_HEADER: "forged"}, 403),
        (_json({"update_id": 1, "message": A_MESSAGE}), {SECRET_HEADER: ""}, 403),
        (_json([{"update_id": 1}]), {}, 400),
        (b"null", {}, 400),
        (_json("an update"), {}, 400),
        (b"{", {}, 400),
        (b"\xff\xfe{}", {}, 400),
        (_json({}), {}, 400),
        (_json({"update_id": "1"}), {}, 400),
        (_json({"update_id": 1.0}), {}, 400),
        (_json({"update_id": True}), {}, 400),
        (_json({"update_id": -1}), {}, 400),
        (_json({"update_id": 2**31}), {}, 400),
        (_json({"update_id": 2**64}), {}, 400),
        (_json({"update_id": 1, "message": "not a message"}), {}, 400),
        (_json({"update_id": 1, "message": {"text": "no chat"}}), {}, 400),
        (_json({"update_id": 1, "padding": "x" * MAX_UPDATE_BYTES}), {}, 413),
    ],
)  # fmt: skip
async def test_a_malformed_webhook_request_is_refused_and_reaches_no_handler(
    webhook, body, headers, status
):
    application, client = webhook
    answer = await client.post(
        WEBHOOK_PATH, content=body,
        headers={SECRET_HEADER: SECRET, "content-type": "application/json", **headers},
    )  # fmt: skip
    assert answer.status_code == status
    assert await _kept(application) == (1 if status == 200 else 0)


async def test_an_oversized_body_is_refused_without_its_length_declared(webhook):
    application, client = webhook

    async def chunks():
        for _ in range(MAX_UPDATE_BYTES // 65_536 + 2):
            yield b" " * 65_536

    answer = await client.post(WEBHOOK_PATH, content=chunks(), headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 413
    assert await _kept(application) == 0


async def _kept(application) -> int:
    async with application.bot_data.database.reading() as uow:
        return sum((await uow.inbox.counts()).values())


async def test_an_update_sent_again_is_kept_once(webhook):
    application, client = webhook
    body = _json({"update_id": 5, "message": A_MESSAGE})
    headers = {SECRET_HEADER: SECRET}
    # One after another: the test's database is one connection (at once: tests/end_to_end).
    answers = [await client.post(WEBHOOK_PATH, content=body, headers=headers) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200] * 5
    assert await _kept(application) == 1


async def test_an_update_the_store_cannot_keep_is_refused_so_that_telegram_sends_it_again(
    tmp_path,
):
    # The database's folder is gone: nothing can be written, as when the server is down.
    settings = load_settings(_env_file=None, database_url="sqlite://")
    missing = Database.from_url(f"sqlite:///{tmp_path}/gone/parkshare.db")
    application = build_application(settings, token="1:webhook", database=missing)
    application.bot_data.database = missing
    transport = httpx.ASGITransport(app=build_web_app(application, telegram_secret=SECRET))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        answer = await client.post(
            WEBHOOK_PATH, content=_json({"update_id": 5, "message": A_MESSAGE}),
            headers={SECRET_HEADER: SECRET},
        )  # fmt: skip
    await missing.close()
    assert answer.status_code == 503
