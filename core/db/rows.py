"""Plain rows the repositories hand out, for the front end to name without reaching into
the repositories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ClaimedUpdate:
    """An update a worker now holds, and how many of its sender's updates wait (it included)."""

    id: int
    update_id: int
    sender: int | None
    body: str
    attempts: int
    waiting_from_sender: int
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class KeptPersonState:
    user_data: str
    flows: str
