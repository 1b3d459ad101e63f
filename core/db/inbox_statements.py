"""The statements that end an update's handling, shared by the repositories (a unit of work)
and the lighter path that SQLite files take (``Database.end_update``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, Update, update

from core.db.models import InboxState, InboxUpdate, PersonState

INBOX = cast(Table, InboxUpdate.__table__)
PERSON_STATE = cast(Table, PersonState.__table__)
WAITING = INBOX.c.state == InboxState.WAITING.value
# PostgreSQL's notification channel on which workers hear that updates wait.
CHANNEL = "parkshare_inbox"


def finish(inbox_id: int, worker: str, state: InboxState, at: datetime,
           error: str | None = None, *, worker_done: bool = True) -> Update:  # fmt: skip
    """Compare-and-set: ``worker``'s waiting update becomes ``state``. Done by its first write,
    the worker is not done with it yet (``worker_done``): its answers are still to be sent,
    and ``stamp_finished`` says when they are."""
    return (
        update(INBOX)
        .where(INBOX.c.id == inbox_id, WAITING, INBOX.c.lease_owner == worker)
        .values(
            state=state.value,
            lease_until=None,
            last_error=error,
            **({"finished_at": at} if worker_done else {}),
        )
    )


def mark_done(inbox_id: int, worker: str, at: datetime) -> Update:
    return finish(inbox_id, worker, InboxState.DONE, at)


def stamp_finished(inbox_id: int, at: datetime) -> Update:
    """The worker is done with the update: its answers are sent, its person's state kept."""
    return update(INBOX).where(INBOX.c.id == inbox_id).values(finished_at=at)


def upsert_into(dialect: str) -> Any:
    """The store's own INSERT, which knows ON CONFLICT."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def put_person_state(dialect: str, telegram_user_id: int, user_data: str, flows: str,
                     flows_expire_at: datetime | None) -> Any:  # fmt: skip
    """Write the person's state whether or not a row is there: one statement."""
    values = {
        "telegram_user_id": telegram_user_id, "user_data": user_data, "flows": flows,
        "flows_expire_at": flows_expire_at,
    }  # fmt: skip
    insert_ = upsert_into(dialect)(PERSON_STATE).values(**values)
    return insert_.on_conflict_do_update(
        index_elements=["telegram_user_id"],
        set_={name: insert_.excluded[name] for name in values if name != "telegram_user_id"},
    )
