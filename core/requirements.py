"""What an owner may ask of the drivers who book their spot, beside its size and whether each
booking waits for their yes: a credit tier at least, and a number of stays completed on
ParkShare. Search marks the spots a driver falls short of, with why, and booking refuses them
with the same reasons.

Decisions:
- The tiers are the credit module's own, in its order; "on watch" is no requirement.
- A stay counts once it is completed (the driver left, the owner was paid out its share).
- Extending a stay already booked asks nothing again: the driver is at the spot already.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from core.credit import CreditTier, tier_of

TIER_ORDER = (CreditTier.WATCH, CreditTier.GOOD, CreditTier.TRUSTED)
# What an owner can ask: the choices offered, so a forged button asks nothing else.
TIERS_ASKABLE = (CreditTier.GOOD, CreditTier.TRUSTED)
STAYS_ASKABLE = (0, 1, 3, 5, 10)


@dataclass(frozen=True, slots=True)
class Requirements:
    min_tier: CreditTier | None = None
    min_completed_stays: int = 0

    def __post_init__(self) -> None:
        if self.min_tier is not None and self.min_tier not in TIERS_ASKABLE:
            raise ValueError(f"tier {self.min_tier}")
        if self.min_completed_stays not in STAYS_ASKABLE:
            raise ValueError(f"{self.min_completed_stays} stays")

    @property
    def any(self) -> bool:
        return self.min_tier is not None or self.min_completed_stays > 0


# A handful of values (``TIERS_ASKABLE`` × ``STAYS_ASKABLE``), asked for every search hit.
@functools.cache
def requirements_of(min_tier: str | None, min_completed_stays: int | None) -> Requirements:
    """As stored on a spot's row."""
    return Requirements(CreditTier(min_tier) if min_tier else None, min_completed_stays or 0)


@dataclass(frozen=True, slots=True)
class TierShortfall:
    needed: CreditTier
    held: CreditTier


@dataclass(frozen=True, slots=True)
class StaysShortfall:
    needed: int
    done: int


# One requirement a driver does not meet: what is needed, and where they stand.
Shortfall = TierShortfall | StaysShortfall


def shortfalls(asked: Requirements, *, driver_score: int, completed_stays: int) -> list[Shortfall]:
    """The requirements of ``asked`` a driver with this score and these stays falls short of."""
    found: list[Shortfall] = []
    held = tier_of(driver_score)
    if asked.min_tier is not None and TIER_ORDER.index(held) < TIER_ORDER.index(asked.min_tier):
        found.append(TierShortfall(asked.min_tier, held))
    if completed_stays < asked.min_completed_stays:
        found.append(StaysShortfall(asked.min_completed_stays, completed_stays))
    return found
