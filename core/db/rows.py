"""Plain rows the repositories hand out, for the front end to name without reaching into
the repositories."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Standing:
    """Whether a person may go on."""

    banned: bool
    ban_reason: str | None


@dataclass(frozen=True, slots=True)
class KeptPersonState:
    user_data: str
    flows: str


@dataclass(frozen=True, slots=True)
class ClaimedUpdate:
    """An update a worker now holds, how many of its sender's updates wait (it included), what
    the bot remembers of its sender (None: nothing yet), and the sender's standing (None: a
    person the store does not know)."""

    id: int
    update_id: int
    sender: int | None
    body: str
    attempts: int
    waiting_from_sender: int
    lease_until: datetime
    sender_state: KeptPersonState | None
    sender_standing: Standing | None


def claimed_updates(rows: Iterable[Sequence[Any]], lease_until: datetime) -> list[ClaimedUpdate]:
    """The claim's rows (``inbox_statements.claim``), oldest first."""
    return sorted((_claimed(row, lease_until) for row in rows), key=lambda claimed: claimed.id)


def _claimed(row: Sequence[Any], lease_until: datetime) -> ClaimedUpdate:
    id_, update_id, sender, body, attempts, waiting, user_data, flows, banned, reason = row
    return ClaimedUpdate(
        id_,
        update_id,
        sender,
        body,
        attempts,
        # An update with no sender waits behind nobody: it counts as its own.
        max(waiting, 1),
        lease_until,
        _kept(user_data, flows),
        None if banned is None else Standing(bool(banned), reason),
    )


def _kept(user_data: str | None, flows: str | None) -> KeptPersonState | None:
    return None if user_data is None or flows is None else KeptPersonState(user_data, flows)
