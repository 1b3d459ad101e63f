import itertools

import pytest

from core.errors import IllegalSpotTransition, IllegalTransition
from core.status import (
    BOOKING_TRANSITIONS,
    LIVE_BOOKING_STATUSES,
    BookingStatus,
    SpotStatus,
    check_booking_transition,
    check_spot_transition,
)

B = BookingStatus
LEGAL_BOOKING_MOVES = {
    (B.REQUESTED, B.AWAITING_PAYMENT),
    (B.REQUESTED, B.CANCELLED),
    (B.REQUESTED, B.EXPIRED),
    (B.AWAITING_PAYMENT, B.CONFIRMED),
    (B.AWAITING_PAYMENT, B.CANCELLED),
    (B.AWAITING_PAYMENT, B.EXPIRED),
    (B.CONFIRMED, B.ACTIVE),
    (B.CONFIRMED, B.CANCELLED),
    (B.CONFIRMED, B.DISPUTED),
    (B.ACTIVE, B.COMPLETED),
    (B.ACTIVE, B.DISPUTED),
    (B.DISPUTED, B.COMPLETED),
    (B.DISPUTED, B.CANCELLED),
    # Only a payment that was on its way when the booking lapsed, its window still free.
    (B.EXPIRED, B.CONFIRMED),
}
ILLEGAL_BOOKING_MOVES = sorted(set(itertools.product(B, B)) - LEGAL_BOOKING_MOVES)


@pytest.mark.parametrize(("current", "new"), sorted(LEGAL_BOOKING_MOVES))
def test_a_booking_may_make_each_legal_move(current, new):
    check_booking_transition(current, new)


@pytest.mark.parametrize(("current", "new"), ILLEGAL_BOOKING_MOVES)
def test_every_illegal_booking_move_raises(current, new):
    with pytest.raises(IllegalTransition) as caught:
        check_booking_transition(current, new)
    assert caught.value.code == "booking.illegal_transition"


def test_the_transition_table_is_exactly_the_documented_lifecycle():
    table = {(a, b) for a, targets in BOOKING_TRANSITIONS.items() for b in targets}
    assert table == LEGAL_BOOKING_MOVES


def test_finished_bookings_release_their_window():
    assert {B.COMPLETED, B.CANCELLED, B.EXPIRED}.isdisjoint(LIVE_BOOKING_STATUSES)


def test_the_postgres_exclusion_constraint_covers_exactly_the_live_statuses():
    from pathlib import Path

    migration = Path("core/db/migrations/versions/0001_initial_schema.py").read_text()
    clause = migration.split("WHERE (status IN (")[1].split(")")[0]
    assert {s.strip(" '") for s in clause.split(",")} == {s.value for s in LIVE_BOOKING_STATUSES}


S = SpotStatus


@pytest.mark.parametrize(
    ("current", "new"),
    [(S.PENDING, S.PAUSED), (S.REJECTED, S.APPROVED), (S.APPROVED, S.PENDING), (S.DRAFT, S.PAUSED)],
)
def test_illegal_spot_moves_raise(current, new):
    with pytest.raises(IllegalSpotTransition):
        check_spot_transition(current, new)
