"""What the chat front end remembers of a person, read by itself: the inbox's claim brings the
sender's with each update (``inbox_statements.claim``), so this serves an update whose person
is not who it was kept as. One statement through the driver (``core.db.driver_reads``)."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select

from core.db.driver_reads import DriverStatement
from core.db.models import PersonState
from core.db.rows import KeptPersonState
from core.db.uow import Database


@functools.cache
def _statement(dialect: str) -> DriverStatement:
    return DriverStatement.compile(
        select(PersonState.user_data, PersonState.flows).where(
            PersonState.telegram_user_id == bindparam("user_id")
        ),
        dialect,
    )


async def kept_state(database: Database, telegram_user_id: int) -> KeptPersonState | None:
    rows = await database.read_rows(_statement(database.dialect), {"user_id": telegram_user_id})
    return KeptPersonState(*rows[0]) if rows else None
