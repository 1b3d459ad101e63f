"""Which failures leave an update to a later attempt: the store or Telegram unreachable, a
time-out; not a bug, nor a request Telegram or the store refused for what it said."""

import pytest
from asyncpg import exceptions as postgres_errors
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.transient import is_transient


def _store(kind, message="x"):
    return kind("SELECT 1", {}, Exception(message))


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (_store(OperationalError, "database is locked"), True),
        (_store(DataError, "value too long"), False),
        (_store(ProgrammingError, "syntax error"), False),
        (PoolTimeout("QueuePool limit reached"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError(), True),
        (postgres_errors.ConnectionDoesNotExistError("closed in the middle"), True),
        (postgres_errors.CannotConnectNowError("shutting down"), True),
        (TimedOut(), True),
        (NetworkError("Bad Gateway"), True),
        (BadRequest("Message is too long"), False),
        (ValueError("a bug"), False),
        (KeyError("a bug"), False),
    ],
)
def test_a_failure_is_transient_only_when_another_attempt_may_not_meet_it(error, transient):
    assert is_transient(error) is transient
