"""Plain rows the repositories hand out, for the front end to name without reaching into
the repositories."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class KeptPersonState:
    user_data: str
    flows: str


@dataclass(frozen=True, slots=True)
class ClaimedUpdate:
    """An update a worker now holds, how many of its sender's updates wait (it included), and
    what the bot remembers of its sender (None: nothing yet)."""

    id: int
    update_id: int
    sender: int | None
    body: str
    attempts: int
    waiting_from_sender: int
    lease_until: datetime
    sender_state: KeptPersonState | None


def claimed_updates(rows: Iterable[Sequence[Any]], lease_until: datetime) -> list[ClaimedUpdate]:
    """The claim's rows (``inbox_statements.claim``), oldest first."""
    return sorted(
        (
            # An update with no sender waits behind nobody: it counts as its own.
            ClaimedUpdate(
                id_,
                update_id,
                sender,
                body,
                attempts,
                max(waiting, 1),
                lease_until,
                _kept(user_data, flows),
            )
            for id_, update_id, sender, body, attempts, waiting, user_data, flows in rows
        ),
        key=lambda claimed: claimed.id,
    )


def _kept(user_data: str | None, flows: str | None) -> KeptPersonState | None:
    return None if user_data is None or flows is None else KeptPersonState(user_data, flows)
