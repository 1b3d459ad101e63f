"""Column types that keep the domain's invariants at the database boundary."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Flag
from typing import TypeVar

from sqlalchemy import DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

F = TypeVar("F", bound=Flag)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in and out. SQLite keeps no offset, so values are normalised to UTC on the way in
    (which also keeps its text comparison correct) and marked UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class FlagSet(TypeDecorator[F]):
    """A Python ``Flag`` stored as an integer bit set."""

    impl = Integer
    cache_ok = True

    def __init__(self, flag_type: type[F]) -> None:
        super().__init__()
        self.flag_type = flag_type

    def process_bind_param(self, value: F | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value.value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> F | None:
        return None if value is None else self.flag_type(value)
