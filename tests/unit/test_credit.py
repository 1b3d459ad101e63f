"""The credit module's rules: points per event, tiers from scores, what a tier allows."""

import pytest

from core.credit import (
    RULES,
    CreditEventKind,
    CreditTier,
    books_instantly,
    clamp_score,
    points_for,
    rating_event,
    tier_of,
)


@pytest.mark.parametrize(
    ("score", "tier"),
    [(1000, CreditTier.TRUSTED), (750, CreditTier.TRUSTED), (749, CreditTier.GOOD),
     (550, CreditTier.GOOD), (549, CreditTier.WATCH), (0, CreditTier.WATCH)],
)  # fmt: skip
def test_a_score_falls_in_one_tier(score, tier):
    assert tier_of(score) == tier


@pytest.mark.parametrize(
    ("kind", "points"),
    [
        (CreditEventKind.COMPLETED_STAY, 10), (CreditEventKind.ON_TIME_DEPARTURE, 5),
        (CreditEventKind.RATED_5, 10), (CreditEventKind.RATED_4, 5), (CreditEventKind.RATED_3, 0),
        (CreditEventKind.RATED_2, -10), (CreditEventKind.RATED_1, -25),
        (CreditEventKind.DRIVER_CANCELLED, 0), (CreditEventKind.DRIVER_CANCELLED_LATE, -20),
        (CreditEventKind.OWNER_CANCELLED, -40), (CreditEventKind.OWNER_CANCELLED_LATE, -80),
        (CreditEventKind.NO_SHOW, -60), (CreditEventKind.OVERSTAY, -30),
        (CreditEventKind.DISPUTE_LOST, -50),
    ],
)  # fmt: skip
def test_each_event_moves_the_score_by_its_rule(kind, points):
    assert points_for(kind) == points


def test_every_kind_has_a_rule():
    assert set(RULES) == set(CreditEventKind)


def test_late_weighs_more_than_early():
    assert points_for(CreditEventKind.DRIVER_CANCELLED_LATE) < points_for(
        CreditEventKind.DRIVER_CANCELLED
    )
    assert points_for(CreditEventKind.OWNER_CANCELLED_LATE) < points_for(
        CreditEventKind.OWNER_CANCELLED
    )


@pytest.mark.parametrize("given", [30, -30])
def test_a_managers_penalty_always_lowers_by_its_amount(given):
    assert points_for(CreditEventKind.MANAGER_PENALTY, manager_points=given) == -30


@pytest.mark.parametrize(
    ("stars", "kind"), [(5, CreditEventKind.RATED_5), (1, CreditEventKind.RATED_1)]
)
def test_stars_map_to_their_event(stars, kind):
    assert rating_event(stars) == kind


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_out_of_range_are_refused(stars):
    with pytest.raises(ValueError, match="stars"):
        rating_event(stars)


@pytest.mark.parametrize(
    ("score", "spot_instant", "instant"),
    [(800, False, True), (800, True, True), (600, True, True), (600, False, False),
     (500, True, False), (500, False, False)],
)  # fmt: skip
def test_the_tier_decides_instant_booking(score, spot_instant, instant):
    assert books_instantly(score, spot_books_instantly=spot_instant) is instant


@pytest.mark.parametrize(
    ("raw", "kept"), [(-50, 0), (0, 0), (640, 640), (1000, 1000), (1200, 1000)]
)
def test_scores_stay_within_0_and_1000(raw, kept):
    assert clamp_score(raw) == kept
