"""What an owner asks of drivers, against where a driver stands."""

import pytest

from core.credit import GOOD_FROM, TRUSTED_FROM, CreditTier
from core.requirements import (
    Requirements,
    StaysShortfall,
    TierShortfall,
    requirements_of,
    shortfalls,
)


@pytest.mark.parametrize(
    ("asked", "score", "stays", "short"),
    [
        (Requirements(), 0, 0, []),
        (Requirements(CreditTier.GOOD), GOOD_FROM, 0, []),
        (Requirements(CreditTier.GOOD), GOOD_FROM - 1, 0,
         [TierShortfall(CreditTier.GOOD, CreditTier.WATCH)]),
        (Requirements(CreditTier.GOOD), TRUSTED_FROM, 0, []),
        (Requirements(CreditTier.TRUSTED), TRUSTED_FROM - 1, 9,
         [TierShortfall(CreditTier.TRUSTED, CreditTier.GOOD)]),
        (Requirements(min_completed_stays=3), 900, 3, []),
        (Requirements(min_completed_stays=3), 900, 2, [StaysShortfall(3, 2)]),
        (Requirements(CreditTier.TRUSTED, 5), 100, 0,
         [TierShortfall(CreditTier.TRUSTED, CreditTier.WATCH), StaysShortfall(5, 0)]),
    ],
)  # fmt: skip
def test_a_driver_falls_short_of_exactly_what_they_do_not_meet(asked, score, stays, short):
    assert shortfalls(asked, driver_score=score, completed_stays=stays) == short


def test_only_the_choices_offered_to_owners_can_be_asked():
    with pytest.raises(ValueError, match="tier"):
        Requirements(CreditTier.WATCH)
    with pytest.raises(ValueError, match="stays"):
        Requirements(min_completed_stays=7)
    assert requirements_of(None, 0) == Requirements()
    assert requirements_of("trusted", 3) == Requirements(CreditTier.TRUSTED, 3)
    assert not Requirements().any
    assert Requirements(min_completed_stays=1).any
