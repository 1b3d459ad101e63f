"""The inbox's rules: how long a worker holds an update, how failed attempts back off, when an
update is given up on, and how long finished ones are remembered. Times here are the machine's
own (``datetime.now``), not the business clock: leases measure how long a process has been
silent, whatever day the marketplace believes it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.db import inbox_statements
from core.db.models import InboxState
from core.db.rows import ClaimedUpdate
from core.db.uow import Database

# How long a worker holds an update unless it renews the lease, which it does every third of
# it while the update is in hand (a slow payment gateway): only a stopped worker's updates are
# taken over, or found abandoned. The setting ``inbox_lease_seconds`` overrides it.
LEASE = timedelta(seconds=30)
# Attempts before an update that keeps failing is given up on and the managers are told.
MAX_ATTEMPTS = 5
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


async def take_abandoned(database: Database, limit: int = 100) -> list[str]:
    """The bodies of updates whose worker stopped after their first write and before it had
    answered or kept its person's state. Each is finished, and its sender's flows end in the
    same transaction: what the flow's step remembered may be from before that write, and a
    button pressed again there would do it a second time."""
    async with database.unit_of_work() as uow:
        taken = await uow.inbox.take_abandoned(now(), limit)
        senders = sorted({sender for sender, _body in taken if sender is not None})
        if senders:
            await uow.person_states.forget_flows(senders)
    return [body for _sender, body in taken]
