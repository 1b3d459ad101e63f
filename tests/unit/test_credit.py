"""Credit tiers from scores."""

import pytest

from core.credit import CreditTier, tier_of


@pytest.mark.parametrize(
    ("score", "tier"),
    [(1000, CreditTier.TRUSTED), (750, CreditTier.TRUSTED), (749, CreditTier.GOOD),
     (550, CreditTier.GOOD), (549, CreditTier.WATCH), (0, CreditTier.WATCH)],
)  # fmt: skip
def test_a_score_falls_in_one_tier(score, tier):
    assert tier_of(score) == tier
