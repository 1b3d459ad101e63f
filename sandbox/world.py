"""The sandbox's Telegram: people, chats, messages and the updates waiting for the bot, all in
memory and in the Bot API's own JSON shapes (https://core.telegram.org/bots/api)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

JSON = dict[str, Any]
# Telegram answers a pre-checkout query only for this long; later answers are refused.
PRE_CHECKOUT_TIMEOUT_S = 10.0
MAX_KEPT_UPDATES = 10_000


class BotApiError(Exception):
    """Refused the way Telegram refuses: ``{"ok": false, "error_code", "description"}``."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


@dataclass
class Chat:
    id: int
    type: str  # "private" or "supergroup"
    title: str = ""
    # For private chats, the person; for groups, members by id with their status.
    person_id: int | None = None
    members: dict[int, str] = field(default_factory=dict)
    messages: dict[int, JSON] = field(default_factory=dict)
    # Everything a viewer sees happen here, in order: new and edited messages, deletions,
    # button answers, payment forms. Test clients and the web chat read from it.
    events: list[JSON] = field(default_factory=list)
    reply_keyboard: JSON | None = None
    instance: str = field(default_factory=lambda: secrets.token_hex(8))
    next_message_id: int = 1

    def as_json(self, world: World) -> JSON:
        if self.type == "private" and self.person_id is not None:
            person = world.people[self.person_id]
            shape = {"id": self.id, "type": "private", "first_name": person["first_name"]}
            if person.get("username"):
                shape["username"] = person["username"]
            return shape
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class PendingCheckout:
    query: JSON
    chat_id: int
    invoice_message_id: int
    sent_at: float
    # The bot's answer; None when it handled the update without answering.
    answer: asyncio.Future[JSON | None]


# How soon a failed webhook delivery is tried again (Telegram waits longer; tests do not).
WEBHOOK_RETRY_S = 0.5


class World:
    """One bot and the people around it."""

    def __init__(
        self, token: str, *, bot_username: str = "parkshare_bot", keep_log: bool = False
    ) -> None:
        self.token = token
        self.bot: JSON = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "ParkShare",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.people: dict[int, JSON] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.updates: list[JSON] = []
        self.webhook: JSON | None = None
        # The next call of a method answered 429 with its retry_after, or refused with a 400
        # and its description: Telegram's limits and refusals, on demand for tests.
        self.failures: dict[str, int] = {}
        self.refusals: dict[str, str] = {}
        # While set, Telegram's front answers 502 to whatever the bot sends, as it does when
        # its servers are in trouble.
        self.sending_out_of_service = False
        # People who blocked the bot: Telegram answers 403 to anything the bot sends them.
        self.blocked_the_bot: set[int] = set()
        self.callback_answers: dict[str, asyncio.Future[JSON | None]] = {}
        # Inline queries waiting for the bot's results.
        self.inline_answers: dict[str, asyncio.Future[JSON | None]] = {}
        self.checkouts: dict[str, PendingCheckout] = {}
        self.invoice_payloads: dict[tuple[int, int], str] = {}
        self.paid_invoices: set[tuple[int, int]] = set()
        self._update_ids = itertools.count(1)
        self._person_ids = itertools.count(100_001)
        self._group_ids = itertools.count(1_001)
        self._changed = asyncio.Condition()
        # Updates the bot has finished handling, and what waits on that: a button's spinner
        # or a payment form stops waiting once the bot is done with its update.
        self.handled: set[int] = set()
        self._waiting_on_handling: dict[int, list[asyncio.Future[JSON | None]]] = {}
        self.last_update_id = 0
        self.closed = False
        self.webhook_error: str | None = None
        # Webhook deliveries the bot's server failed (5xx, or unreachable), retried in order.
        self.webhook_pending: list[JSON] = []
        self._redelivery: asyncio.Task[None] | None = None
        # Every update ever emitted, for conformance checks in tests; off in a long-lived server.
        self.log: list[JSON] | None = [] if keep_log else None

    # --- people and chats ---------------------------------------------------------------------

    def add_person(
        self, first_name: str, *, language: str = "en", username: str | None = None
    ) -> JSON:
        person_id = next(self._person_ids)
        person = {"id": person_id, "is_bot": False, "first_name": first_name[:64],
                  "language_code": language}  # fmt: skip
        if username:
            person["username"] = username
        self.people[person_id] = person
        self.chats[person_id] = Chat(id=person_id, type="private", person_id=person_id)
        return person

    def add_group(self, title: str, *, admins: list[int], members: list[int]) -> Chat:
        chat_id = -1_000_000_000_000 - next(self._group_ids)
        chat = Chat(id=chat_id, type="supergroup", title=title)
        chat.members = {person: "member" for person in members}
        chat.members.update({person: "administrator" for person in admins})
        if admins:
            chat.members[admins[0]] = "creator"
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: Any) -> Chat:
        try:
            return self.chats[int(chat_id)]
        except (KeyError, TypeError, ValueError):
            raise bad_request("chat not found") from None

    def person(self, person_id: int) -> JSON:
        if person_id not in self.people:
            raise bad_request("user not found")
        return self.people[person_id]

    # --- updates for the bot ------------------------------------------------------------------

    async def push_update(
        self, kind: str, payload: JSON, *, answer: asyncio.Future[JSON | None] | None = None
    ) -> JSON:
        update_id = next(self._update_ids)
        update: JSON = {"update_id": update_id, kind: payload}
        self.last_update_id = update_id
        if self.log is not None:
            self.log.append(update)
        if answer is not None:
            self._waiting_on_handling[update_id] = [answer]
        if self.webhook:
            if self.webhook_pending:
                self.webhook_pending.append(update)  # after those waiting, as Telegram keeps order
            elif not await self._deliver(update):
                self.webhook_pending.append(update)
                self._redeliver_later()
            return update
        async with self._changed:
            self.updates.append(update)
            del self.updates[:-MAX_KEPT_UPDATES]
            self._changed.notify_all()
        return update

    async def get_updates(
        self, offset: int | None, limit: int, long_poll_s: float, allowed: list[str] | None
    ) -> list[JSON]:
        if self.webhook:
            raise BotApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                   "use deleteWebhook to delete the webhook first")  # fmt: skip
        deadline = time.monotonic() + max(long_poll_s, 0)
        async with self._changed:
            while True:
                if offset is not None:
                    # Asking from an offset confirms, and forgets, every earlier update.
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = [
                    u for u in self.updates
                    if not allowed or any(kind in u for kind in allowed)
                ][:limit]  # fmt: skip
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self.closed:
                    return ready
                await self._wait_for_change(remaining)

    async def _wait_for_change(self, seconds: float) -> None:
        """Until the world changes or ``seconds`` pass, with ``_changed`` held; the caller looks
        again either way (a change and the deadline may come together). In this task, not in a
        task of ``wait_for``'s own: cancelled, even repeatedly as a stopping server does, the
        wait still takes the lock back before it leaves, so the caller never releases a lock
        another task holds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._changed.wait()

    async def close(self) -> None:
        """Ends every long poll and live stream, so the server can stop at once."""
        if self._redelivery is not None:
            self._redelivery.cancel()
        async with self._changed:
            self.closed = True
            self._changed.notify_all()

    async def _deliver(self, update: JSON) -> bool:
        """Webhook delivery as Telegram does it: a POST with the secret token header. False
        when it should be tried again: the server failed (5xx) or could not be reached. A
        refusal (4xx) is not retried."""
        assert self.webhook is not None
        secret = self.webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(self.webhook["url"], json=update, headers=headers)
        except httpx.HTTPError as error:
            self.webhook_error = f"{type(error).__name__}: {error}"
            return False
        self.webhook_error = None if response.is_success else f"HTTP {response.status_code}"
        return response.status_code < 500

    def _redeliver_later(self) -> None:
        if self._redelivery is None or self._redelivery.done():
            self._redelivery = asyncio.get_running_loop().create_task(self._redeliver())

    async def _redeliver(self) -> None:
        """Telegram sends a failed update again, later, and the ones after it only after it."""
        while self.webhook_pending and self.webhook and not self.closed:
            await asyncio.sleep(WEBHOOK_RETRY_S)
            while self.webhook_pending and self.webhook:
                if not await self._deliver(self.webhook_pending[0]):
                    break
                self.webhook_pending.pop(0)

    def mark_handled(self, update_id: int) -> None:
        self.handled.add(update_id)
        for waiting in self._waiting_on_handling.pop(update_id, []):
            if not waiting.done():
                waiting.set_result(None)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_handled(self, first: int, last: int, wait_s: float) -> bool:
        """Whether the bot handled every update from ``first`` to ``last`` within the wait."""
        deadline = time.monotonic() + wait_s
        async with self._changed:
            while not all(u in self.handled for u in range(first, last + 1)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                await self._wait_for_change(remaining)
            return True

    # --- what viewers see ---------------------------------------------------------------------

    async def record(self, chat: Chat, event: JSON) -> None:
        async with self._changed:
            event["index"] = len(chat.events)
            chat.events.append(event)
            self._changed.notify_all()

    async def wait_for_events(self, chat_id: int, after: int, wait_s: float) -> list[JSON]:
        chat = self.chat(chat_id)
        deadline = time.monotonic() + wait_s
        async with self._changed:
            while len(chat.events) <= after:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed:
                    return []
                await self._wait_for_change(remaining)
            return chat.events[after:]

    def new_message(self, chat: Chat, sender: JSON, **content: Any) -> JSON:
        message = {
            "message_id": chat.next_message_id,
            "date": int(time.time()),
            "chat": chat.as_json(self),
            "from": sender,
            **{key: value for key, value in content.items() if value is not None},
        }
        chat.next_message_id += 1
        chat.messages[message["message_id"]] = message
        return message

    def store_file(self, content: bytes, path_hint: str) -> tuple[str, str]:
        unique = secrets.token_hex(8)
        file_id = f"sbx-{path_hint}-{unique}"
        self.files[file_id] = (content, f"{path_hint}/{unique}")
        return file_id, unique
