"""Which failures are worth another attempt at an update."""

from __future__ import annotations

from asyncpg import exceptions as postgres_errors  # type: ignore[import-untyped]
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    NotSupportedError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram.error import BadRequest, NetworkError

_UNREACHABLE = (
    OSError,
    TimeoutError,
    PoolTimeout,
    # Raised by PostgreSQL's driver itself on the paths that bypass SQLAlchemy (hot reads).
    postgres_errors.InterfaceError,
    postgres_errors.InternalClientError,
    postgres_errors.PostgresConnectionError,
    postgres_errors.OperatorInterventionError,
)


def is_transient(error: BaseException) -> bool:
    """A failure another attempt may not meet: the store or Telegram unreachable, a time-out,
    Telegram's server failing. Not a bug, nor a request Telegram refused."""
    if isinstance(error, DBAPIError):
        # What the statement itself got wrong fails again; the rest is the connection's or
        # the server's state (a server going down leaves its driver in odd states, too). A
        # refused constraint never gets here: the unit of work says WrittenMeanwhile.
        return error.connection_invalidated or not isinstance(
            error, DataError | ProgrammingError | NotSupportedError
        )
    if isinstance(error, NetworkError):
        return not isinstance(error, BadRequest)
    return isinstance(error, _UNREACHABLE)
