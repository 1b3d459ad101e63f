"""A hot read-only statement run straight through the store's driver.

A search is one statement that returns a dozen rows; SQLAlchemy's execution and result
machinery (and, on SQLite, a session per read) cost more than the statement. Such a statement
is compiled once, for the one store it is written for, and its rows come back as the driver
gives them: tuples in the order of the statement's columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

Rows = Sequence[Sequence[Any]]


class _SQLiteCompiler(SQLiteCompiler):
    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        # SQLite's own ``INDEXED BY``, given as a table's hint (``Select.with_hint``), which
        # SQLAlchemy's SQLite dialect leaves out.
        return text


class _SQLiteDialect(pysqlite.dialect):
    statement_compiler = _SQLiteCompiler


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """Compiled text for one store, and the order of its parameters when the driver takes them
    by position (asyncpg's ``$1``); SQLite's driver takes them by name (``:lat``)."""

    dialect: str
    text: str
    positions: tuple[str, ...] | None
    # Values the statement carries itself (SQLAlchemy's OFFSET 0, literals it binds).
    own_values: Mapping[str, Any]
    # SQLite: what SQLAlchemy makes of a parameter's value before its driver takes it (a
    # datetime as its text). asyncpg takes Python's values as they are.
    converters: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    @classmethod
    def compile(cls, statement: ClauseElement, dialect: str) -> DriverStatement:
        if dialect == "postgresql":
            compiled = cast(SQLCompiler, statement.compile(dialect=asyncpg.dialect()))  # type: ignore[no-untyped-call]
            positions = tuple(compiled.positiontup or ())
            return cls(dialect, str(compiled), positions, _own_values(compiled))
        target = _SQLiteDialect(paramstyle="named")
        compiled = cast(SQLCompiler, statement.compile(dialect=target))
        converters = {
            name: converter
            for name, bind in compiled.binds.items()
            if (converter := bind.type.dialect_impl(target).bind_processor(target)) is not None
        }
        return cls(dialect, str(compiled), None, _own_values(compiled), converters)

    def arguments(self, parameters: Mapping[str, Any]) -> Any:
        if self.own_values:
            parameters = {**self.own_values, **parameters}
        if self.converters:
            parameters = {
                name: converter(value) if (converter := self.converters.get(name)) else value
                for name, value in parameters.items()
            }
        if self.positions is None:
            return parameters
        return [parameters[name] for name in self.positions]


def _own_values(compiled: SQLCompiler) -> dict[str, Any]:
    return {name: value for name, value in compiled.params.items() if value is not None}


def fetch_sync(
    driver_connection: Any, statement: DriverStatement, parameters: Mapping[str, Any]
) -> Rows:
    """On the standard library's sqlite3 connection."""
    rows: Rows = driver_connection.execute(
        statement.text, statement.arguments(parameters)
    ).fetchall()
    return rows


async def fetch(
    connection: AsyncConnection, statement: DriverStatement, parameters: Mapping[str, Any]
) -> Rows:
    """On the driver under an async connection: asyncpg (a prepared statement, kept by the
    connection) or aiosqlite. Within the connection's transaction, if it has one."""
    driver: Any = (await connection.get_raw_connection()).driver_connection
    return await fetch_on_driver(driver, statement, parameters)


async def fetch_on_driver(
    driver: Any, statement: DriverStatement, parameters: Mapping[str, Any]
) -> Rows:
    """On asyncpg's connection, or aiosqlite's."""
    if statement.dialect == "postgresql":
        rows: Rows = await driver.fetch(statement.text, *statement.arguments(parameters))
        return rows
    cursor = await driver.execute(statement.text, statement.arguments(parameters))
    return list(await cursor.fetchall())
