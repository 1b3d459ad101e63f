"""The time source of the domain, injected so that tests and the sandbox can drive it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still, for runs that must come out the same every time (benches)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = ensure_utc(moment)

    def now(self) -> datetime:
        return self.moment


def ensure_utc(moment: datetime) -> datetime:
    """Reject naive datetimes: every instant in the domain is aware UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: every instant in ParkShare is timezone-aware")
    return moment.astimezone(UTC)
