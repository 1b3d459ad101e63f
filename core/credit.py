"""Credit tiers: what a person's score means to the people they deal with."""

from __future__ import annotations

from enum import StrEnum


class CreditTier(StrEnum):
    TRUSTED = "trusted"
    GOOD = "good"
    WATCH = "watch"


TRUSTED_FROM = 750
GOOD_FROM = 550


def tier_of(score: int) -> CreditTier:
    if score >= TRUSTED_FROM:
        return CreditTier.TRUSTED
    if score >= GOOD_FROM:
        return CreditTier.GOOD
    return CreditTier.WATCH


SCORE_RANGE = (0, 1000)
# An owner who cancels a booking lets a driver down; close to the start, more so.
OWNER_CANCELLATION_PENALTY = 40
LATE_OWNER_CANCELLATION_PENALTY = 80


def clamp_score(score: int) -> int:
    low, high = SCORE_RANGE
    return max(low, min(high, score))
