"""The sandbox holds the bot to Telegram's limits, at and just over each one: texts and
captions counted in UTF-16 units of what is shown (after HTML parsing), callback data in bytes,
well-formed HTML, and one answer per callback query."""

import asyncio

import pytest

from sandbox import actions
from sandbox.botapi import call
from sandbox.client import tiny_png
from sandbox.world import BotApiError, World

TOKEN = "123456:sandbox-limits"


@pytest.fixture
def world():
    return World(TOKEN)


@pytest.fixture
def dana(world):
    return world.add_person("Dana")


async def _send(world, chat_id, text, **extra):
    return await call(world, "sendMessage", {"chat_id": chat_id, "text": text, **extra})


async def test_a_text_of_4096_units_is_sent_and_4097_is_refused(world, dana):
    at_limit = "<b>" + "🚗" * 2047 + "</b>&amp;x"  # markup is not counted; the emoji count two
    sent = await _send(world, dana["id"], at_limit, parse_mode="HTML")
    assert len(sent["text"].encode("utf-16-le")) // 2 == 4096
    with pytest.raises(BotApiError, match=r"^Bad Request: message is too long$"):
        await _send(world, dana["id"], "🚗" * 2048 + "x", parse_mode="HTML")
    with pytest.raises(BotApiError, match="message is too long"):
        await call(world, "editMessageText", {
            "chat_id": dana["id"], "message_id": sent["message_id"], "text": "停" * 4097,
        })  # fmt: skip


async def test_a_caption_of_1024_units_is_sent_and_1025_is_refused(world, dana):
    photo = {"chat_id": dana["id"], "photo": tiny_png(), "parse_mode": "HTML"}
    sent = await call(world, "sendPhoto", {**photo, "caption": "<i>" + "🚗" * 512 + "</i>"})
    assert len(sent["caption"].encode("utf-16-le")) // 2 == 1024
    with pytest.raises(BotApiError, match=r"^Bad Request: message caption is too long$"):
        await call(world, "sendPhoto", {**photo, "caption": "🚗" * 512 + "x"})


async def test_callback_data_of_64_bytes_is_accepted_and_65_refused(world, dana):
    def keyboard(data):
        return {"inline_keyboard": [[{"text": "Go", "callback_data": data}]]}

    await _send(world, dana["id"], "hi", reply_markup=keyboard("é" * 32))
    with pytest.raises(BotApiError, match="BUTTON_DATA_INVALID"):
        await _send(world, dana["id"], "hi", reply_markup=keyboard("é" * 32 + "x"))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("price < 5 €", 'Unsupported start tag "" at byte offset 6'),
        ("write to <dana@mail.example>", 'Unsupported start tag "dana@mail.example" at byte'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>bold</i>", "end tag"),
        ("cut <b", "Unclosed start tag at byte offset 4"),
    ],
)
async def test_broken_html_is_refused_in_telegrams_words(world, dana, text, error):
    with pytest.raises(BotApiError, match=r"^Bad Request: can't parse entities: ") as refused:
        await _send(world, dana["id"], text, parse_mode="HTML")
    assert error in str(refused.value)


async def test_a_callback_query_is_answered_once(world, dana):
    sent = await _send(world, dana["id"], "hi", reply_markup={
        "inline_keyboard": [[{"text": "Go", "callback_data": "go"}]],
    })  # fmt: skip
    press = asyncio.create_task(
        actions.press_button(world, dana["id"], dana["id"], sent["message_id"], "go")
    )
    (update,) = await call(world, "getUpdates", {"timeout": 5})
    query_id = update["callback_query"]["id"]
    assert await call(world, "answerCallbackQuery", {"callback_query_id": query_id}) is True
    with pytest.raises(BotApiError, match="query is too old and response timeout expired"):
        await call(world, "answerCallbackQuery", {"callback_query_id": query_id, "text": "again"})
    assert (await press) == {"text": None, "show_alert": False}
