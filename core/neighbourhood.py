"""Who may book a spot offered to neighbourhood groups (``core.services.communities``).

Decisions:
- "First": the group's members can book the spot at any time; anyone else only stays that
  start within ``OPEN_TO_ALL_WITHIN`` (a spot nobody in the group took by then is not wasted).
- "Only": members alone, at any time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

OPEN_TO_ALL_WITHIN = timedelta(hours=24)


class GroupOffer(StrEnum):
    FIRST = "first"
    ONLY = "only"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Offered:
    """A spot offered to one active group."""

    community_id: int
    only: bool


def admits(
    offered: Iterable[Offered], *, member_of: frozenset[int], start: datetime, now: datetime
) -> bool:
    """Whether a driver in the groups ``member_of`` may book a stay from ``start`` at a spot
    offered so: a spot offered to no group admits everyone."""
    offered = list(offered)
    if not offered or any(o.community_id in member_of for o in offered):
        return True
    return not any(o.only for o in offered) and start - now <= OPEN_TO_ALL_WITHIN
