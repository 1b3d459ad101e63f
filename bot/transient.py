"""Which failures are worth another attempt at an update."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram.error import BadRequest, NetworkError


def is_transient(error: BaseException) -> bool:
    """A failure another attempt may not meet: the store or Telegram unreachable, a time-out,
    Telegram's server failing. Not a bug, nor a request Telegram refused."""
    if isinstance(error, DBAPIError):
        return (
            error.connection_invalidated
            or isinstance(error, OperationalError | InterfaceError)
            or isinstance(error.orig, OSError)
        )
    if isinstance(error, NetworkError):
        return not isinstance(error, BadRequest)
    return isinstance(error, OSError | TimeoutError | PoolTimeout)
