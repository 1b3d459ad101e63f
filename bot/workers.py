"""Workers handle what the inbox keeps: each claims updates under a lease (never two of one
person at once, each person's in order), handles them with the application's handlers, and
marks each done in the same transaction as its effects, its person's state and the answers its
handlers made after its first write, which go out once that transaction commits. Any number of
workers, in any number of processes, share one inbox."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import managers_translator, standing_as_claimed
from bot.edge import ParkShareBot
from bot.flow import count_steps_taken
from bot.i18n import translator
from bot.person_state import PersonStates
from bot.transient import is_transient
from core.background import Repeating
from core.db.engine import UPDATES_AT_ONCE
from core.db.inbox_notices import InboxListener
from core.db.person_state_view import kept_state
from core.db.rows import ClaimedUpdate
from core.db.uow import (
    AlreadyProcessed,
    Database,
    HeldCall,
    UpdateEnd,
    delivery_recorded,
    discard_parked_write,
    end_of_delivery,
    record_delivery_with_first_write,
    retry_asked_for,
    taken_held_calls,
)
from core.services import inbox
from core.services.people import language_from_telegram

log = logging.getLogger(__name__)
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# Seconds between looks at the inbox when nothing woke the worker (a receiver in the same
# process, or PostgreSQL's notice from another, ``core.db.inbox_notices``).
IDLE_LOOK_S = 0.2
# One person's updates waiting their turn; a human typing fast stays far below it.
MAX_BACKLOG = 20
# Updates handed over as parsed by this process's poller or webhook, kept for their first
# attempt: fifty of Telegram's fullest polls (a parsed message is about 2.6 KB, so some 13 MB
# at most), for a minute at most. The hand-over saves most when the worker is behind, in a
# burst. In a longer backlog the newest are not kept, since the oldest are claimed first. An
# update that another process's worker claims stays unused here until its minute is up.
HANDED_OVER = 5_000
HANDED_OVER_FOR_S = 60.0


def updates_at_once(dialect: str) -> int:
    """How many updates one worker handles at once: what its store's pool is sized for
    (``core.db.engine``); SQLite's writers take turns anyway."""
    return UPDATES_AT_ONCE[dialect]


class InboxWorker:
    """``await worker.start()`` claims and handles until ``await worker.stop()``, which stops
    claiming and finishes the updates in hand. ``observers`` hear the id of every update once
    it is finished (handled, dropped or given up on), in that update's context."""

    def __init__(
        self,
        application: AnyApplication,
        database: Callable[[], Awaitable[Database]],
        *,
        name: str | None = None,
        at_once: int | None = None,
        idle_look_s: float = IDLE_LOOK_S,
        max_backlog: int = MAX_BACKLOG,
        on_flood: Callable[[Update], Awaitable[None]] | None = None,
    ) -> None:
        self.application = application
        self._database = database
        self.name = name or f"{os.getpid()}-{secrets.token_hex(4)}"
        self._at_once = at_once
        self._idle_look_s = idle_look_s
        self.max_backlog = max_backlog
        self.on_flood = on_flood
        self.observers: list[Callable[[int], None]] = []
        self._states = PersonStates(application)
        self._wake = asyncio.Event()
        # Each update in hand, by its inbox id: this worker keeps renewing their leases.
        self._in_hand: dict[asyncio.Task[None], int] = {}
        self._loop: asyncio.Task[None] | None = None
        self._flooding: set[int] = set()
        self._stopping = False
        # By update id, oldest first: when each was handed over (``time.monotonic``), and it.
        self._handed_over: OrderedDict[int, tuple[float, Update]] = OrderedDict()

    @property
    def running(self) -> bool:
        return self._loop is not None and not self._loop.done()

    def wake(self) -> None:
        """New updates are in the inbox: look now."""
        self._wake.set()

    @contextlib.contextmanager
    def handing_over(self, updates: Sequence[Update]) -> Iterator[None]:
        """Around the keep of these updates, as this process parsed them: whichever is claimed
        here first is handled as it is, not parsed from its body again (about 0.13 ms of CPU).
        They are handed over before the keep commits, since a busy worker claims them the
        moment it does. When the keep ends well, the worker looks now; when it raises, they are
        forgotten (kept after all, they are parsed from their bodies)."""
        now = time.monotonic()
        while self._handed_over:
            handed_at, _update = next(iter(self._handed_over.values()))
            if now - handed_at < HANDED_OVER_FOR_S:
                break
            self._handed_over.popitem(last=False)
        for update in updates:
            # One delivered again goes to the back, where the ones handed over last are.
            self._handed_over.pop(update.update_id, None)
            if len(self._handed_over) >= HANDED_OVER:
                break
            self._handed_over[update.update_id] = (now, update)
        try:
            yield
        except BaseException:
            for update in updates:
                self._handed_over.pop(update.update_id, None)
            raise
        self.wake()

    def _update_of(self, claimed: ClaimedUpdate) -> Update:
        handed_over = self._handed_over.pop(claimed.update_id, None)
        if handed_over is not None and claimed.attempts == 1:
            return handed_over[1]
        return Update.de_json(json.loads(claimed.body), self.application.bot)

    async def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        self._loop = asyncio.create_task(self._claim_and_handle(), name=f"worker {self.name}")

    async def stop(self) -> None:
        # Told rather than cancelled: a claim under way ends, and what it claimed is handled.
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            await self._loop  # it ends once the updates in hand are finished
            self._loop = None

    async def _claim_and_handle(self) -> None:
        database = await self._database()
        listener = None
        if database.dialect == "postgresql" and isinstance(database.bind, AsyncEngine):
            listener = InboxListener(database.bind.url, self.wake)
            await listener.start()
        renewal = Repeating(
            lambda: self._renew_leases(database), name=f"leases of worker {self.name}",
            retry_after_s=self.lease.total_seconds() / 3,
            pause_s=self.lease.total_seconds() / 3,
        )  # fmt: skip
        renewal.start()
        try:
            await self._claim_and_handle_on(database)
        finally:
            # The updates still in hand keep their leases until they are finished.
            if self._in_hand:
                await asyncio.wait(list(self._in_hand))
            await renewal.stop()
            if listener is not None:
                await listener.stop()

    async def _renew_leases(self, database: Database) -> None:
        if self._in_hand:
            await inbox.renew(database, self.name, sorted(self._in_hand.values()), self.lease)

    async def _claim_and_handle_on(self, database: Database) -> None:
        at_once = self._at_once or updates_at_once(database.dialect)
        while not self._stopping:
            self._wake.clear()
            room = at_once - len(self._in_hand)
            claimed: list[ClaimedUpdate] = []
            if room > 0:
                try:
                    claimed = await inbox.claim(database, self.name, room, self.lease)
                except asyncio.CancelledError:
                    raise
                except Exception:  # the store unreachable: its updates wait there
                    log.warning("claiming updates failed", exc_info=True)
                    await database.discard_connections()
            held = set(self._in_hand.values())
            for update in claimed:
                if update.id in held:
                    # Its lease ran out while this worker still has it in hand (the loop was
                    # held up past every renewal): claimed again, it is not handled twice.
                    continue
                task = asyncio.create_task(self._handle(database, update))
                self._in_hand[task] = update.id
                task.add_done_callback(self._finished)
            if (not claimed or room <= len(claimed)) and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._idle_look_s):
                        await self._wake.wait()

    @property
    def lease(self) -> timedelta:
        settings = self.application.bot_data.settings
        if settings is None:
            return inbox.LEASE
        return timedelta(seconds=settings.inbox_lease_seconds)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_hand.pop(task, None)
        self._wake.set()  # a slot is free
        if not task.cancelled() and task.exception() is not None:
            log.error("an update's handling failed outside its handlers",
                      exc_info=task.exception())  # fmt: skip

    async def _handle(self, database: Database, claimed: ClaimedUpdate) -> None:
        try:
            await self._handle_claimed(database, claimed)
        finally:  # cancelled: its first write, if any, is not left holding the store
            await discard_parked_write()

    async def _handle_claimed(self, database: Database, claimed: ClaimedUpdate) -> None:
        update = self._update_of(claimed)
        await self._drop_a_flood(database, claimed, update)
        record_delivery_with_first_write(
            claimed.id, claimed.update_id, self.name, inbox.now,
            may_retry=claimed.attempts < inbox.MAX_ATTEMPTS,
        )  # fmt: skip
        person = update.effective_user.id if update.effective_user is not None else None
        try:
            failure = await self._handle_with_state(database, claimed, update, person)
        except AlreadyProcessed:
            log.info("update %s was finished by another worker", claimed.update_id)
            return
        except Exception as error:
            if person is not None:
                self._states.take_out_quietly(person)
            failure = error
        if failure is not None:
            await self._failed(database, claimed, update, failure)
            return
        held = taken_held_calls()
        if held and not await self.send_held(database, claimed.id, held):
            return  # whoever takes its answers over finishes it
        self._tell_observers(claimed.update_id)

    async def _handle_with_state(
        self, database: Database, claimed: ClaimedUpdate, update: Update, person: int | None
    ) -> BaseException | None:
        """Handle the update with the person's state put in, then write it back and mark the
        update done in one transaction with its first write and the answers held since; or,
        when a handler left a transient failure to a later attempt before anything was kept,
        that failure (and nothing is written: the next attempt starts from the same state).
        Its end not kept, its first write is undone by whoever handles the failure
        (``_failed``, or ``_handle`` when it was taken over)."""
        clock = self.application.bot_data.clock
        before = {}
        standing = None
        if person is not None:
            kept, standing = claimed.sender_state, claimed.sender_standing
            if person != claimed.sender:
                # ``bot.inbox.sender_of`` names the person first; kept under other rules (a
                # release before this one), the update's person is read by itself.
                log.warning("update %s was kept as %s's, not its person's",
                            update.update_id, claimed.sender)  # fmt: skip
                kept, standing = await kept_state(database, person), None
            before = self._states.put_in(person, kept)
        taken = count_steps_taken()
        try:
            with standing_as_claimed(update, standing):
                await self.application.process_update(update)
        finally:
            remembered = (
                self._states.take_out(person, before, taken, clock.now())
                if person is not None
                else None
            )
        failure = retry_asked_for()
        if failure is not None and not delivery_recorded():
            return failure
        at = inbox.now()
        end = UpdateEnd(claimed.id, update.update_id, self.name, at, person,
                        lease_until=at + self.lease)  # fmt: skip
        if remembered is not None:
            end = replace(end, user_data=remembered.user_data, flows=remembered.flows,
                          flows_expire_at=remembered.flows_expire_at)  # fmt: skip
        await database.end_update(end)
        return None

    async def send_held(
        self, database: Database, inbox_id: int, held: list[HeldCall], holder: str | None = None
    ) -> bool:
        """Make the calls an update held until its commit, then finish it; whatever Telegram
        was not there for stays held, for whoever takes the update over when its lease ends.
        ``holder``: the lease's owner, when not this worker. True when the update is
        finished."""
        holder = holder or self.name
        bot = self.application.bot
        assert isinstance(bot, ParkShareBot)  # ``bot.app.build_application`` makes one
        remaining = await bot.make_held_calls(held)
        # The store may be what failed meanwhile: tried again while the lease lasts, since
        # whoever takes the update over after it would send its answers a second time.
        pause = inbox.FIRST_BACKOFF.total_seconds()
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.lease.total_seconds()
        while True:
            try:
                if remaining:
                    await database.hold_remaining(inbox_id, holder, remaining, inbox.now())
                    return False
                if not await inbox.finish_answered(database, inbox_id, holder):
                    log.warning("the answers of inbox update %s were taken over", inbox_id)
                return True
            except Exception:
                await database.discard_connections()
                if loop.time() + pause >= give_up_at:
                    log.warning("inbox update %s answered but not finished", inbox_id,
                                exc_info=True)  # fmt: skip
                    return False
                await asyncio.sleep(pause)
                pause = min(pause * 2, inbox.LONGEST_BACKOFF.total_seconds())

    async def _failed(
        self, database: Database, claimed: ClaimedUpdate, update: Update, error: BaseException
    ) -> None:
        """An attempt failed where no handler answered for it: it is tried again later, or
        set aside with the managers told and the person sorry to hear it."""
        try:
            await discard_parked_write()
        except Exception:  # the store gone: the rollback is the server's, with the connection
            log.warning("the first write of update %s was not rolled back cleanly",
                        claimed.update_id, exc_info=True)  # fmt: skip
        end_of_delivery()
        reason = f"{type(error).__name__}: {error}"[:500]
        retry = is_transient(error) and claimed.attempts < inbox.MAX_ATTEMPTS
        if isinstance(error, DBAPIError):
            await database.discard_connections()
        if retry:
            log.warning("update %s failed (%s); it will be tried again",
                        claimed.update_id, reason)  # fmt: skip
        # The store may be what failed: the update stays this worker's (its lease) until the
        # outcome is recorded, tried again meanwhile.
        pause = inbox.FIRST_BACKOFF.total_seconds()
        while True:
            try:
                if retry and await inbox.retry_later(database, claimed, self.name, reason):
                    return
                # Not retried: set aside, unless it is not this worker's to finish (its first
                # write finished it, or its lease was taken over).
                given_up = not retry and await inbox.give_up(database, claimed, self.name, reason)
                break
            except Exception:
                await database.discard_connections()
                if inbox.now() + timedelta(seconds=pause) >= claimed.lease_until:
                    log.warning("the failure of update %s could not be recorded; another "
                                "worker takes it when its lease ends",
                                claimed.update_id)  # fmt: skip
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, inbox.LONGEST_BACKOFF.total_seconds())
        if given_up:
            log.error("update %s was set aside after %s attempts: %s",
                      claimed.update_id, claimed.attempts, reason)  # fmt: skip
            await self._alert_managers(claimed, reason)
            await self._apologise(update)
        self._tell_observers(claimed.update_id)

    async def _drop_a_flood(
        self, database: Database, claimed: ClaimedUpdate, update: Update
    ) -> None:
        """Past ``max_backlog`` waiting updates, a person's later ones are dropped, and they
        hear so once a burst."""
        sender = claimed.sender
        if sender is None:
            return
        if claimed.waiting_from_sender <= 1:
            self._flooding.discard(sender)
        if claimed.waiting_from_sender <= self.max_backlog:
            return
        dropped = await inbox.drop_flood(database, sender, self.max_backlog)
        for update_id in dropped:
            self._tell_observers(update_id)
        if dropped and sender not in self._flooding:
            self._flooding.add(sender)
            if self.on_flood is not None:
                await self.on_flood(update)

    def _tell_observers(self, update_id: int) -> None:
        for observer in self.observers:
            observer(update_id)

    async def _apologise(self, update: Update) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None:
            return
        language = language_from_telegram(user.language_code if user is not None else None)
        with contextlib.suppress(TelegramError):
            await self.application.bot.send_message(chat.id, translator(language).gettext(
                "Sorry, something went wrong on our side. Please try again."
            ))  # fmt: skip

    async def _alert_managers(self, claimed: ClaimedUpdate, reason: str) -> None:
        settings = self.application.bot_data.settings
        if settings is None or settings.manager_chat_id is None:
            return
        _ = managers_translator(settings).gettext
        with contextlib.suppress(TelegramError):
            await self.application.bot.send_message(
                settings.manager_chat_id,
                _("⚠️ Update {update_id} could not be handled and was set aside: {reason}")
                .format(update_id=claimed.update_id, reason=html.escape(reason)),
            )  # fmt: skip
