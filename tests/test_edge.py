"""Where Telegram meets the bot: an update is cleaned exactly when its dict holds something a
database refuses, and a message sent without reading Telegram's copy back is the same request."""

import json
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Defaults
from telegram.request import BaseRequest, RequestData

from bot.edge import ParkShareBot, copies_unread, storable_update
from core.text import json_is_storable

PERSON = {"id": 5, "is_bot": False, "first_name": "Dana", "language_code": "en"}
CHAT = {"id": 5, "type": "private", "first_name": "Dana"}


def message(**content: Any) -> dict[str, Any]:
    return {
        "update_id": 9,
        "message": {"message_id": 3, "date": 1780000000, "chat": CHAT, "from": PERSON, **content},
    }


UPDATES = [
    message(text="plain, 中文, русский 🚗"),
    message(location={"latitude": 52.52, "longitude": 13.4, "live_period": 60}),
    message(text="Da\x00na"),
    message(text="ok", entities=[{"type": "bold", "offset": 0, "length": 2}]),
    message(caption="broken \ud800 half", photo=[{"file_id": "a", "file_unique_id": "b",
                                                   "width": 1, "height": 1}]),
    message(text="ok", reply_to_message={"message_id": 1, "date": 1780000000, "chat": CHAT,
                                         "text": "quoted\x00"}),
    message(text="ok", chat={**CHAT, "first_name": "Chat\x00"}),
    message(text="ok", unknown_field={"key": "value\x00"}),
    message(text="ok", unknown_field={"key\x00": 1}),
    message(text="ok", unknown_list=["fine", ["deep\ud800"]]),
    message(text="ok", unknown_list=["fine", ["deep"]]),
    {"update_id": 9, "callback_query": {"id": "q", "from": PERSON, "chat_instance": "c",
                                        "data": "srch:\x00"}},
    {"update_id": 9, "callback_query": {"id": "q", "from": PERSON, "chat_instance": "c",
                                        "data": "srch:1h"}},
]  # fmt: skip


@pytest.mark.parametrize("data", UPDATES)
def test_an_update_is_cleaned_exactly_when_its_dict_holds_what_a_database_refuses(data):
    bot = ParkShareBot("1:token")
    update = Update.de_json(data, bot)
    cleaned = storable_update(update, bot)
    assert (cleaned is update) == json_is_storable(update.to_dict())
    assert isinstance(cleaned, Update)
    assert json_is_storable(cleaned.to_dict())


class BotApi(BaseRequest):
    """Answers sendMessage with the message, keyboard included, as Telegram does."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:  # fmt: skip
        parameters = request_data.parameters if request_data else {}
        self.sent.append(parameters)
        result = {"message_id": len(self.sent), "date": 1780000000, "chat": CHAT, **parameters}
        result.pop("chat_id")
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def test_a_message_sent_without_reading_the_copy_back_is_the_same_request():
    api = BotApi()
    bot = ParkShareBot(
        "1:token", request=api, get_updates_request=BotApi(),
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=None),
    )  # fmt: skip
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("1. Elm St", callback_data="spot:1")]])
    read = await bot.send_message(5, "<b>Free</b>", reply_markup=keyboard)
    with copies_unread():
        unread = await bot.send_message(5, "<b>Free</b>", reply_markup=keyboard)
    after = await bot.send_message(5, "<b>Free</b>", reply_markup=keyboard)
    assert api.sent[0] == api.sent[1] == api.sent[2]
    assert api.sent[0]["parse_mode"] == "HTML"
    assert unread is True
    assert isinstance(read, Message)
    assert isinstance(after, Message)
    assert read.reply_markup == keyboard
