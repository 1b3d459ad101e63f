"""How each store keeps a spot's free time (``core.free_time``) and tests it in SQL.

PostgreSQL keeps an ``int8multirange`` and answers with its own operators (``@>``, ``-``).
SQLite keeps the packed intervals in a BLOB and answers with two functions registered on every
connection, which run ``core.free_time``'s binary search. Statements use ``CoversWindow`` and
``WithoutWindow``, which compile to the store's own form, with the window in epoch seconds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import LargeBinary, TypeDecorator
from sqlalchemy.dialects.postgresql import INT8MULTIRANGE, Range
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, TypeEngine

from core.free_time import Seconds, pack, packed_covers, packed_minus, unpack

SQLITE_COVERS = "parkshare_free_covers"
SQLITE_MINUS = "parkshare_free_minus"


class FreeTimeType(TypeDecorator[list[Seconds]]):
    """A list of (start, end) epoch-second pairs, sorted and disjoint."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(INT8MULTIRANGE())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Sequence[Seconds] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return [Range(first, last, bounds="[)") for first, last in value]
        return pack(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[Seconds] | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return [(piece.lower, piece.upper) for piece in value]
        return unpack(value)


class CoversWindow(FunctionElement[bool]):
    """``free`` holds all of [start, end): ``CoversWindow(column, start_s, end_s)``."""

    type = Boolean()
    inherit_cache = True
    name = "covers_window"


class WithoutWindow(FunctionElement[list[Seconds]]):
    """``free`` less [start, end): ``WithoutWindow(column, start_s, end_s)``."""

    type = FreeTimeType()
    inherit_cache = True
    name = "without_window"


def _arguments(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> list[str]:
    return [compiler.process(argument, **kw) for argument in element.clauses]


@compiles(CoversWindow, "postgresql")
def _covers_postgresql(element: CoversWindow, compiler: SQLCompiler, **kw: Any) -> str:
    free, start, end = _arguments(compiler, element, **kw)
    return f"({free} @> int8range({start}, {end}))"


@compiles(CoversWindow)
def _covers_sqlite(element: CoversWindow, compiler: SQLCompiler, **kw: Any) -> str:
    free, start, end = _arguments(compiler, element, **kw)
    return f"{SQLITE_COVERS}({free}, {start}, {end})"


@compiles(WithoutWindow, "postgresql")
def _minus_postgresql(element: WithoutWindow, compiler: SQLCompiler, **kw: Any) -> str:
    free, start, end = _arguments(compiler, element, **kw)
    return f"({free} - int8multirange(int8range({start}, {end})))"


@compiles(WithoutWindow)
def _minus_sqlite(element: WithoutWindow, compiler: SQLCompiler, **kw: Any) -> str:
    free, start, end = _arguments(compiler, element, **kw)
    return f"{SQLITE_MINUS}({free}, {start}, {end})"


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """On a new SQLite connection (the standard library's, or aiosqlite's adapter of it)."""
    dbapi_connection.create_function(SQLITE_COVERS, 3, packed_covers, deterministic=True)
    dbapi_connection.create_function(SQLITE_MINUS, 3, packed_minus, deterministic=True)
