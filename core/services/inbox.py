"""The inbox's rules: how long a worker holds an update, how failed attempts back off, when an
update is given up on, and how long finished ones are remembered. Times here are the machine's
own (``datetime.now``), not the business clock: leases measure how long a process has been
silent, whatever day the marketplace believes it is."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from core.db import inbox_statements
from core.db.models import InboxState
from core.db.rows import ClaimedUpdate
from core.db.uow import Database, HeldCall, held_calls_from_json

log = logging.getLogger(__name__)

# How long a worker holds an update unless it renews the lease, which it does every third of
# it while the update is in hand (a slow payment gateway): only a stopped worker's updates are
# taken over, or found abandoned. The setting ``inbox_lease_seconds`` overrides it.
LEASE = timedelta(seconds=30)
# Attempts before an update that keeps failing is given up on and the managers are told.
MAX_ATTEMPTS = 5
# Attempts at an update, its handling and the takeovers of its held answers (Telegram away
# each time) together, before what is left of its answers is dropped, so that its sender's
# next updates do not wait for ever.
MAX_ANSWER_ATTEMPTS = 10
FIRST_BACKOFF = timedelta(seconds=1)
LONGEST_BACKOFF = timedelta(seconds=60)
# Telegram redelivers within minutes and may reuse an update id after a week without updates.
REMEMBERED_FOR = timedelta(days=7)


def now() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int) -> timedelta:
    """How long the update waits after its ``attempts``-th attempt failed: 1 s, 2 s, 4 s…"""
    longer: timedelta = FIRST_BACKOFF * 2 ** max(attempts - 1, 0)
    return min(longer, LONGEST_BACKOFF)


async def keep(database: Database, source: int, updates: list[tuple[int, int | None, str]]) -> int:
    """Keep ``(update_id, sender, body)`` updates in one transaction; how many were new (an
    update kept already, delivered again, is left as it is)."""
    at = now()
    return await database.keep_updates([
        inbox_statements.keep(database.dialect, source, update_id, sender, body, at)
        for update_id, sender, body in updates
    ])  # fmt: skip


async def claim(
    database: Database, worker: str, limit: int, lease: timedelta = LEASE
) -> list[ClaimedUpdate]:
    moment = now()
    return await database.claim_updates(worker, moment, moment + lease, limit)


async def renew(database: Database, worker: str, inbox_ids: list[int], lease: timedelta) -> int:
    async with database.unit_of_work() as uow:
        return await uow.inbox.renew(worker, inbox_ids, now() + lease)


async def retry_later(database: Database, claimed: ClaimedUpdate, worker: str,
                      error: str) -> bool:  # fmt: skip
    """Give the update back for a later attempt; False when it is not ``worker``'s any more."""
    async with database.unit_of_work() as uow:
        return await uow.inbox.retry_later(
            claimed.id, worker, now() + backoff(claimed.attempts), error
        )


async def give_up(database: Database, claimed: ClaimedUpdate, worker: str, error: str) -> bool:
    async with database.unit_of_work() as uow:
        return await uow.inbox.finish(claimed.id, worker, InboxState.DEAD, now(), error)


async def drop_flood(database: Database, sender: int, keep_first: int) -> list[int]:
    """The update ids of ``sender``'s waiting updates dropped beyond the first ``keep_first``."""
    async with database.unit_of_work() as uow:
        return await uow.inbox.drop_beyond(sender, keep_first, now())


async def forget_old(database: Database) -> int:
    async with database.unit_of_work() as uow:
        return await uow.inbox.forget_finished_before(now() - REMEMBERED_FOR)


async def take_abandoned(
    database: Database, worker: str, lease: timedelta = LEASE, limit: int = 100
) -> list[tuple[int, list[HeldCall]]]:
    """The updates whose worker stopped after their commit and before it had made the calls
    they held (``core.db.uow.held_calls``) become ``worker``'s for ``lease``: ``(inbox id,
    the calls)`` each, for it to make and then finish them (``finish_answered``). Those of an
    update past ``MAX_ANSWER_ATTEMPTS`` are dropped, and their update finished, here."""
    moment = now()
    async with database.unit_of_work() as uow:
        taken = await uow.inbox.take_abandoned(worker, moment, moment + lease, limit)
    to_send = []
    for inbox_id, answers, attempts in taken:
        if attempts > MAX_ANSWER_ATTEMPTS:
            log.error("the answers of inbox update %s could not be sent; dropped", inbox_id)
            await finish_answered(database, inbox_id, worker)
        else:
            to_send.append((inbox_id, held_calls_from_json(answers)))
    return to_send


async def finish_answered(database: Database, inbox_id: int, worker: str) -> bool:
    return await database.finish_answered(inbox_id, worker, now())
