"""The inbox's statements, shared by the repositories (a unit of work) and the lighter paths an
update's claim and end take (``Database.claim_updates``, ``Database.end_update``).

Each runs for every update, so each is built once, with its values as parameters: SQLAlchemy
then finds it compiled in its cache, and the store's driver finds it prepared."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    Table,
    bindparam,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    update,
)

from core.db.models import InboxState, InboxUpdate, Person, PersonState

INBOX = cast(Table, InboxUpdate.__table__)
PERSON_STATE = cast(Table, PersonState.__table__)
PERSON = cast(Table, Person.__table__)
WAITING = INBOX.c.state == InboxState.WAITING.value
# PostgreSQL's notification channel on which workers hear that updates wait.
CHANNEL = "parkshare_inbox"
# Heard by the workers listening once the transaction commits.
ANNOUNCE = f"NOTIFY {CHANNEL}"


class Bound(NamedTuple):
    """A statement built once, and this use's values for its parameters."""

    statement: Executable
    parameters: dict[str, Any]


def finish(inbox_id: int, worker: str, state: InboxState, at: datetime,
           error: str | None = None, *, worker_done: bool = True) -> Bound:  # fmt: skip
    """Compare-and-set: ``worker``'s waiting update becomes ``state``. Done by its first write,
    the worker is not done with it yet (``worker_done``): its answers are still to be sent,
    and ``stamp_finished`` says when they are; until then it keeps its lease, and its sender's
    next update waits."""
    return Bound(
        _finish(worker_done),
        {"inbox_id": inbox_id, "worker": worker, "state": state.value, "at": at, "error": error},
    )


@functools.cache
def _finish(worker_done: bool) -> Executable:
    return (
        update(INBOX)
        .where(
            INBOX.c.id == bindparam("inbox_id"), WAITING, INBOX.c.lease_owner == bindparam("worker")
        )
        .values(
            state=bindparam("state"),
            last_error=bindparam("error"),
            **({"finished_at": bindparam("at"), "lease_until": null()} if worker_done else {}),
        )
    )


def mark_done(inbox_id: int, worker: str, at: datetime) -> Bound:
    return finish(inbox_id, worker, InboxState.DONE, at)


def stamp_finished(inbox_id: int, worker: str, at: datetime) -> Bound:
    """Compare-and-set: ``worker`` is done with the update, its answers sent and its person's
    state kept; it matches nothing when another worker took its held answers over
    (``Inbox.take_abandoned``) and sends them."""
    return Bound(_stamp_finished(), {"inbox_id": inbox_id, "worker": worker, "at": at})


def _unfinished_of_worker() -> tuple[ColumnElement[bool], ...]:
    return (
        INBOX.c.id == bindparam("inbox_id"),
        INBOX.c.lease_owner == bindparam("worker"),
        INBOX.c.finished_at.is_(None),
    )


@functools.cache
def _stamp_finished() -> Executable:
    return (
        update(INBOX)
        .where(*_unfinished_of_worker())
        .values(finished_at=bindparam("at"), lease_until=null(), answers=null())
    )


def hold_answers(inbox_id: int, worker: str, answers: str, lease_until: datetime) -> Bound:
    """Compare-and-set: the answers ``worker`` is still to send for its update (JSON), its
    lease renewed for sending them (a renewal may have waited on the update's own row)."""
    return Bound(_hold_answers(), {
        "inbox_id": inbox_id, "worker": worker, "answers": answers, "lease_until": lease_until,
    })  # fmt: skip


@functools.cache
def _hold_answers() -> Executable:
    return (
        update(INBOX)
        .where(*_unfinished_of_worker())
        .values(answers=bindparam("answers"), lease_until=bindparam("lease_until"))
    )


def claim(worker: str, now: datetime, lease_until: datetime, limit: int) -> Bound:
    """Up to ``limit`` updates due ``now``, each the first unfinished of its sender, none held
    by a live lease, become ``worker``'s until ``lease_until``. Returns each one's id, update id,
    sender, body, attempts, how many of its sender's updates wait (it included), what the bot
    remembers of the sender (``PersonState``; NULLs when nothing): read with the claim, it is as
    their last update left it, since that one is finished before this one is claimed; and
    whether the sender is banned, and why (NULLs for a person the store does not know), which
    the gate would otherwise read for every update."""
    return Bound(
        _claim(),
        {"worker": worker, "now": now, "lease_until": lease_until, "limit": limit},
    )


@functools.cache
def _claim() -> Executable:
    earlier, same_sender = INBOX.alias("earlier"), INBOX.alias("same_sender")
    now: BindParameter[datetime] = bindparam("now")
    due = (
        select(INBOX.c.id)
        .where(
            WAITING,
            INBOX.c.not_before <= now,
            or_(INBOX.c.lease_until.is_(None), INBOX.c.lease_until < now),
            # Nor before its sender's earlier updates are finished: waiting, or handled with
            # their answers still going out and their state still to be kept.
            ~exists().where(
                earlier.c.sender == INBOX.c.sender,
                earlier.c.finished_at.is_(None),
                earlier.c.update_id < INBOX.c.update_id,
            ),
        )
        .order_by(INBOX.c.id)
        .limit(bindparam("limit"))
        # Another worker's claim under way is passed over, not waited for.
        .with_for_update(skip_locked=True)
    )
    # Named with its table: SQLite's RETURNING names columns bare, which inside the subquery
    # would mean the subquery's own.
    claimed_sender: ColumnElement[int] = literal_column(f"{INBOX.name}.{INBOX.c.sender.name}")
    waiting_from_sender = (
        select(func.count())
        .where(
            same_sender.c.sender == claimed_sender,
            # Unfinished rather than waiting, which the index holds: the same updates, since
            # none of the sender's is claimed before their earlier ones are finished.
            same_sender.c.finished_at.is_(None),
        )
        .scalar_subquery()
    )
    return (
        update(INBOX)
        .where(INBOX.c.id.in_(due.scalar_subquery()))
        .values(
            lease_owner=bindparam("worker"),
            lease_until=bindparam("lease_until"),
            attempts=INBOX.c.attempts + 1,
        )
        .returning(
            INBOX.c.id,
            INBOX.c.update_id,
            INBOX.c.sender,
            INBOX.c.body,
            INBOX.c.attempts,
            waiting_from_sender,
            _remembered_of(claimed_sender, PERSON_STATE.c.user_data),
            _remembered_of(claimed_sender, PERSON_STATE.c.flows),
            _standing_of(claimed_sender, PERSON.c.banned),
            _standing_of(claimed_sender, PERSON.c.ban_reason),
        )
    )


def _remembered_of(sender: ColumnElement[int], column: ColumnElement[str]) -> ColumnElement[str]:
    return select(column).where(PERSON_STATE.c.telegram_user_id == sender).scalar_subquery()


def _standing_of(sender: ColumnElement[int], column: ColumnElement[Any]) -> ColumnElement[Any]:
    return select(column).where(PERSON.c.telegram_id == sender).scalar_subquery()


# PostgreSQL plans the claim walking the waiting updates in id order, stopping at its limit,
# only when sorting is off: the inbox is empty most of the time, so its statistics say few
# updates wait, and in a burst the planner tested every waiting one and sorted them (4.6 ms
# a claim instead of 0.1 with 2,400 waiting).
CLAIM_PLAN_SETTING = "SET LOCAL enable_sort = off"


def keep(dialect: str, source: int, update_id: int, sender: int | None, body: str,
         at: datetime) -> Bound:  # fmt: skip
    """Keep an update unless it is kept already; returns its new id only when it was new."""
    return Bound(
        _keep(dialect),
        {"source": source, "update_id": update_id, "sender": sender, "body": body, "at": at},
    )


@functools.cache
def _keep(dialect: str) -> Executable:
    statement: Executable = (
        upsert_into(dialect)(INBOX)
        .values(
            source=bindparam("source"), update_id=bindparam("update_id"),
            sender=bindparam("sender"), body=bindparam("body"),
            state=InboxState.WAITING.value, attempts=0,
            received_at=bindparam("at"), not_before=bindparam("at"),
        )
        .on_conflict_do_nothing(index_elements=["source", "update_id"])
        .returning(INBOX.c.id)
    )  # fmt: skip
    return statement


def upsert_into(dialect: str) -> Any:
    """The store's own INSERT, which knows ON CONFLICT."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def put_person_state(dialect: str, telegram_user_id: int, user_data: str, flows: str,
                     flows_expire_at: datetime | None) -> Bound:  # fmt: skip
    """Write the person's state whether or not a row is there: one statement."""
    return Bound(
        _put_person_state(dialect),
        {"telegram_user_id": telegram_user_id, "user_data": user_data, "flows": flows,
         "flows_expire_at": flows_expire_at},
    )  # fmt: skip


@functools.cache
def _put_person_state(dialect: str) -> Executable:
    names = ("telegram_user_id", "user_data", "flows", "flows_expire_at")
    insert_ = upsert_into(dialect)(PERSON_STATE).values(**{name: bindparam(name) for name in names})
    statement: Executable = insert_.on_conflict_do_update(
        index_elements=["telegram_user_id"],
        set_={name: insert_.excluded[name] for name in names if name != "telegram_user_id"},
    )
    return statement
