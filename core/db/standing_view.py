"""Whether a person may go on, read for every update they send: one statement through the
driver (``core.db.driver_reads``), since the gate asks it of every message and button."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, select

from core.db.driver_reads import DriverStatement
from core.db.models import Person
from core.db.rows import Standing
from core.db.uow import Database


@functools.cache
def _statement(dialect: str) -> DriverStatement:
    return DriverStatement.compile(
        select(Person.banned, Person.ban_reason).where(Person.id == bindparam("person_id")),
        dialect,
    )


async def standing(database: Database, person_id: int) -> Standing | None:
    """None for a person the store does not know."""
    rows = await database.read_rows(_statement(database.dialect), {"person_id": person_id})
    if not rows:
        return None
    banned, reason = rows[0]
    return Standing(bool(banned), reason)
