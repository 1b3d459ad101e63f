"""The credit module: how a person's score moves, and what its tier lets them do. Every rule
is in ``RULES``; services record a ``CreditEvent`` of one of these kinds."""

from __future__ import annotations

from enum import StrEnum


class CreditTier(StrEnum):
    TRUSTED = "trusted"
    GOOD = "good"
    WATCH = "watch"


TRUSTED_FROM = 750
GOOD_FROM = 550
SCORE_RANGE = (0, 1000)


class CreditEventKind(StrEnum):
    COMPLETED_STAY = "completed_stay"
    ON_TIME_DEPARTURE = "on_time_departure"
    RATED_5 = "rated_5"
    RATED_4 = "rated_4"
    RATED_3 = "rated_3"
    RATED_2 = "rated_2"
    RATED_1 = "rated_1"
    DRIVER_CANCELLED = "driver_cancelled"
    DRIVER_CANCELLED_LATE = "driver_cancelled_late"
    OWNER_CANCELLED = "owner_cancelled"
    OWNER_CANCELLED_LATE = "owner_cancelled_late"
    NO_SHOW = "no_show"
    OVERSTAY = "overstay"
    DISPUTE_LOST = "dispute_lost"
    # A manager's penalty carries its own amount.
    MANAGER_PENALTY = "manager_penalty"


# Points each event moves a score by. Letting someone down weighs more than a good stay earns,
# and the later a cancellation, the more it costs.
RULES: dict[CreditEventKind, int] = {
    CreditEventKind.COMPLETED_STAY: 10,
    CreditEventKind.ON_TIME_DEPARTURE: 5,
    CreditEventKind.RATED_5: 10,
    CreditEventKind.RATED_4: 5,
    CreditEventKind.RATED_3: 0,
    CreditEventKind.RATED_2: -10,
    CreditEventKind.RATED_1: -25,
    CreditEventKind.DRIVER_CANCELLED: 0,
    CreditEventKind.DRIVER_CANCELLED_LATE: -20,
    CreditEventKind.OWNER_CANCELLED: -40,
    CreditEventKind.OWNER_CANCELLED_LATE: -80,
    CreditEventKind.NO_SHOW: -60,
    CreditEventKind.OVERSTAY: -30,
    CreditEventKind.DISPUTE_LOST: -50,
    CreditEventKind.MANAGER_PENALTY: 0,
}

OWNER_CANCELLATION_PENALTY = -RULES[CreditEventKind.OWNER_CANCELLED]
LATE_OWNER_CANCELLATION_PENALTY = -RULES[CreditEventKind.OWNER_CANCELLED_LATE]


def points_for(kind: CreditEventKind, *, manager_points: int = 0) -> int:
    if kind == CreditEventKind.MANAGER_PENALTY:
        return -abs(manager_points)
    return RULES[kind]


def rating_event(stars: int) -> CreditEventKind:
    if not 1 <= stars <= 5:
        raise ValueError(f"{stars} stars")
    return CreditEventKind(f"rated_{stars}")


def tier_of(score: int) -> CreditTier:
    if score >= TRUSTED_FROM:
        return CreditTier.TRUSTED
    if score >= GOOD_FROM:
        return CreditTier.GOOD
    return CreditTier.WATCH


def books_instantly(driver_score: int, *, spot_books_instantly: bool) -> bool:
    """Trusted drivers book instantly everywhere; drivers on watch always need the owner's
    yes; everyone else as the spot allows."""
    tier = tier_of(driver_score)
    if tier == CreditTier.TRUSTED:
        return True
    if tier == CreditTier.WATCH:
        return False
    return spot_books_instantly


def clamp_score(score: int) -> int:
    low, high = SCORE_RANGE
    return max(low, min(high, score))
