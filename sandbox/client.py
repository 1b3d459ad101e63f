"""People for end-to-end tests: they act in the sandbox's Telegram and wait exactly until the
bot has handled what they did, never a fixed time.

    alice = sandbox.person("Alice", language="en")
    await alice.send("/start")
    await alice.press("I need a spot")
    assert "location" in alice.last_message().text
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox import actions
from sandbox.botapi import START_PARAMETER
from sandbox.world import JSON, World

# How long the bot may take to handle one update before a test fails rather than hangs.
HANDLING_WAIT_S = 20.0


class BotDidNotAnswer(AssertionError):
    pass


@dataclass(frozen=True)
class Message:
    """One message as a person sees it now: edits applied."""

    raw: JSON

    @property
    def id(self) -> int:
        return self.raw["message_id"]

    @property
    def text(self) -> str:
        return self.raw.get("text") or self.raw.get("caption") or ""

    @property
    def buttons(self) -> list[str]:
        return [button["text"] for row in self._rows() for button in row]

    @property
    def button_data(self) -> list[str]:
        return [button.get("callback_data", "") for row in self._rows() for button in row]

    @property
    def location(self) -> tuple[float, float] | None:
        location = self.raw.get("location")
        return (location["latitude"], location["longitude"]) if location else None

    @property
    def invoice(self) -> JSON | None:
        return self.raw.get("invoice")

    @property
    def photo(self) -> list[JSON] | None:
        return self.raw.get("photo")

    def _rows(self) -> list[list[JSON]]:
        return (self.raw.get("reply_markup") or {}).get("inline_keyboard") or []

    def __str__(self) -> str:
        return self.text + (f" {self.buttons}" if self.buttons else "")


class Person:
    def __init__(self, world: World, user: JSON) -> None:
        self.world = world
        self.user = user
        self.id: int = user["id"]
        self.last_answer: JSON | None = None
        self.last_inline: JSON | None = None

    def __repr__(self) -> str:
        return f"<Person {self.user['first_name']} {self.id}>"

    # --- acting -------------------------------------------------------------------------------

    async def _acting(self, action: Any) -> Any:
        first = self.world.last_update_id + 1
        result = await action
        last = self.world.last_update_id
        if last >= first and not await self.world.wait_handled(first, last, HANDLING_WAIT_S):
            raise BotDidNotAnswer(f"the bot did not handle updates {first}..{last}")
        return result

    async def send(self, text: str, *, chat: int | None = None) -> None:
        await self._acting(actions.send_text(self.world, self.id, text, chat))

    async def share_location(self, latitude: float, longitude: float) -> None:
        await self._acting(actions.share_location(self.world, self.id, latitude, longitude))

    async def share_live_location(
        self, latitude: float, longitude: float, *, live_period: int = 3600
    ) -> int:
        """Share a live location; returns its message id, to move it later."""
        shared = await self._acting(
            actions.share_location(
                self.world, self.id, latitude, longitude, live_period=live_period
            )
        )
        return shared["message_id"]

    async def move_live_location(self, message_id: int, latitude: float, longitude: float) -> None:
        await self._acting(
            actions.move_live_location(self.world, self.id, message_id, latitude, longitude)
        )

    async def send_photo(self, content: bytes | None = None, *, caption: str | None = None) -> None:
        await self._acting(
            actions.send_photo(self.world, self.id, content or tiny_png(), caption=caption)
        )

    async def send_document(
        self, content: bytes, file_name: str, *, mime_type: str | None = None
    ) -> None:
        await self._acting(
            actions.send_document(self.world, self.id, content, file_name, mime_type)
        )

    async def press(self, label: str, *, chat: int | None = None) -> JSON | None:
        """Press the newest button whose text contains ``label``; a reply-keyboard button sends
        its text as a message, as Telegram's apps do."""
        chat_id = self.id if chat is None else chat
        for message in reversed(self.messages(chat=chat_id)):
            for row in message._rows():
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return await self.press_data(button["callback_data"], message, chat=chat)
        keyboard = self.world.chat(chat_id).reply_keyboard
        for row in (keyboard or {}).get("keyboard", []):
            for button in row:
                if label in button["text"] and not button.get("request_location"):
                    await self.send(button["text"], chat=chat)
                    return None
        raise AssertionError(f"no button {label!r} in {[str(m) for m in self.messages(chat)]}")

    async def press_data(self, data: str, message: Message, *, chat: int | None = None) -> Any:
        """Press with any callback data at all: a forged button, as a hostile client could."""
        chat_id = self.id if chat is None else chat
        self.last_answer = await self._acting(
            actions.press_button(self.world, self.id, chat_id, message.id, data)
        )
        return self.last_answer

    async def inline_query(
        self, query: str = "", *, location: tuple[float, float] | None = None
    ) -> list[JSON]:
        """Type ``@bot query`` in any chat: the results the bot offers."""
        self.last_inline = await self._acting(
            actions.inline_query(self.world, self.id, query, location=location)
        )
        if not self.last_inline["answered"]:
            raise BotDidNotAnswer(f"the bot did not answer the inline query {query!r}")
        return self.last_inline["results"]

    async def choose_inline_result(self, result: JSON, *, chat: int) -> Message:
        """Send one of the last inline query's results to ``chat``."""
        query = self.last_inline["query"] if self.last_inline else ""
        sent = await self._acting(
            actions.choose_inline_result(self.world, self.id, chat, query, result)
        )
        return Message(sent)

    async def add_bot_to(self, chat: int) -> None:
        """Add the bot to a group this person is in."""
        await self._acting(actions.join_group_with_bot(self.world, chat, added_by=self.id))

    async def open_link(self, url: str) -> None:
        """Open a t.me link to the bot, as Telegram's apps do: ``/start`` with its parameter."""
        parts = urlsplit(url)
        bot = self.world.bot["username"]
        if parts.netloc != "t.me" or parts.path.strip("/") != bot:
            raise AssertionError(f"{url} is not a link to @{bot}")
        start = parse_qs(parts.query).get("start", [""])[0]
        if start and not START_PARAMETER.fullmatch(start):
            raise AssertionError(f"Telegram opens no chat for the start parameter {start!r}")
        await self.send(f"/start {start}".strip())

    async def pay(self, *, while_charging: Callable[[], Awaitable[object]] | None = None) -> JSON:
        """Pay the newest invoice through the payment form; ``while_charging`` happens after the
        bot agreed to the payment and before the payment reaches it."""
        invoice = next((m for m in reversed(self.messages()) if m.invoice), None)
        if invoice is None:
            raise AssertionError("there is no invoice to pay")
        return await self._acting(
            actions.pay_invoice(self.world, self.id, invoice.id, while_charging=while_charging)
        )

    def block_the_bot(self) -> None:
        """Block the bot, as a person can in Telegram: whatever it sends them is refused."""
        self.world.blocked_the_bot.add(self.id)

    async def pay_again(self) -> None:
        """Telegram reports the last payment a second time."""
        await self._acting(actions.report_payment_again(self.world, self.id))

    # --- seeing -------------------------------------------------------------------------------

    def messages(self, chat: int | None = None) -> list[Message]:
        """The bot's messages in a chat, oldest first, as they stand now."""
        stored = self.world.chat(self.id if chat is None else chat).messages
        return [
            Message(message)
            for _, message in sorted(stored.items())
            if message["from"]["id"] == self.world.bot["id"]
        ]

    def last_message(self, chat: int | None = None) -> Message:
        messages = self.messages(chat)
        if not messages:
            raise AssertionError("the bot has sent nothing in this chat")
        return messages[-1]

    def reply_keyboard(self, chat: int | None = None) -> list[str]:
        keyboard = self.world.chat(self.id if chat is None else chat).reply_keyboard
        return [button["text"] for row in (keyboard or {}).get("keyboard", []) for button in row]


class SandboxClient:
    """The test's view of the sandbox: make people, find the managers."""

    def __init__(self, world: World) -> None:
        self.world = world

    def person(self, name: str, *, language: str = "en") -> Person:
        return Person(self.world, self.world.add_person(name, language=language))

    def known(self, user: JSON) -> Person:
        return Person(self.world, user)


def tiny_png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A real PNG, small enough to send in a test."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
