"""The cancellation terms a booking gets when it is made, and what they give back when used."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.db.models import Booking
from core.money import Money
from core.services.bookings import cancellation_policy, cancellation_terms
from core.status import BookingStatus

START = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


def test_a_booking_made_early_is_free_to_cancel_until_the_free_period_before_its_start():
    policy = cancellation_policy(START, START - timedelta(days=1), free_hours=2, late_percent=50)
    assert policy.free_until == START - timedelta(hours=2)
    assert policy.has_free_cancellation


def test_a_booking_made_inside_the_late_period_has_no_free_cancellation():
    policy = cancellation_policy(START, START - timedelta(hours=1), free_hours=2, late_percent=50)
    assert policy.free_until is None
    assert not policy.has_free_cancellation
    assert policy.kept_of(Money(600, "EUR")) == Money(300, "EUR")


def test_a_booking_made_at_the_last_free_moment_is_still_free_until_then():
    policy = cancellation_policy(START, START - timedelta(hours=2), free_hours=2, late_percent=50)
    assert policy.free_until == START - timedelta(hours=2)


def test_a_booking_made_a_second_after_the_last_free_moment_has_none():
    booked_at = START - timedelta(hours=2) + timedelta(seconds=1)
    assert cancellation_policy(START, booked_at, free_hours=2, late_percent=50).free_until is None


def test_a_start_given_in_the_spots_zone_gives_the_same_instant():
    berlin_start = START.astimezone(ZoneInfo("Europe/Berlin"))
    policy = cancellation_policy(
        berlin_start, START - timedelta(hours=3), free_hours=2, late_percent=50
    )
    assert policy.free_until == START - timedelta(hours=2)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="naive"):
        cancellation_policy(START.replace(tzinfo=None), START, free_hours=2, late_percent=50)


def _booking(*, created_at, status=BookingStatus.CONFIRMED):
    return Booking(
        start_at=START, end_at=START + timedelta(hours=2), created_at=created_at,
        currency="EUR", price_minor=600, status=status,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("created_before", "cancelled_before", "refund", "kept"),
    [
        (timedelta(days=1), timedelta(hours=3), 600, 0),  # free period still open
        (timedelta(days=1), timedelta(hours=2), 600, 0),  # its last moment
        (timedelta(days=1), timedelta(hours=1), 300, 300),  # free period over
        (timedelta(hours=1), timedelta(minutes=59), 300, 300),  # never had one
    ],
)  # fmt: skip
def test_cancelling_applies_the_terms_the_booking_got(
    created_before, cancelled_before, refund, kept
):
    terms = cancellation_terms(
        _booking(created_at=START - created_before), START - cancelled_before,
        free_hours=2, late_percent=50,
    )  # fmt: skip
    assert (terms.refund, terms.kept) == (Money(refund, "EUR"), Money(kept, "EUR"))


def test_the_terms_say_a_late_booking_never_had_a_free_period():
    terms = cancellation_terms(
        _booking(created_at=START - timedelta(hours=1)), START - timedelta(minutes=30),
        free_hours=2, late_percent=50,
    )  # fmt: skip
    assert terms.policy.free_until is None


def test_nothing_paid_means_nothing_refunded_and_nothing_kept():
    terms = cancellation_terms(
        _booking(created_at=START - timedelta(hours=1), status=BookingStatus.AWAITING_PAYMENT),
        START - timedelta(minutes=30), free_hours=2, late_percent=50,
    )  # fmt: skip
    assert (terms.refund, terms.kept) == (Money(0, "EUR"), Money(0, "EUR"))
