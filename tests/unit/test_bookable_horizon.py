"""A window is bookable when it is still ahead and ends by the horizon: free time is known six
weeks ahead, and a search or a booking further out is refused politely."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import explain
from bot.i18n import translator
from core.availability_text import parse_window
from core.errors import WindowInPast, WindowTooFarAhead
from core.free_time import BOOKABLE_AHEAD, horizon
from core.window import Window

NOW = datetime(2026, 6, 4, 14, 0, tzinfo=UTC)


def test_a_window_ending_at_the_horizon_is_bookable():
    Window(horizon(NOW) - timedelta(hours=2), horizon(NOW)).check_bookable(NOW)


def test_a_window_ending_a_minute_past_the_horizon_is_too_far_ahead():
    end = horizon(NOW) + timedelta(minutes=1)
    with pytest.raises(WindowTooFarAhead):
        Window(end - timedelta(hours=2), end).check_bookable(NOW)


def test_a_bookable_window_is_still_ahead_too():
    with pytest.raises(WindowInPast):
        Window(NOW - timedelta(hours=1), NOW + timedelta(hours=1)).check_bookable(NOW)


def test_a_typed_window_beyond_the_horizon_is_refused_as_too_far_ahead():
    with pytest.raises(WindowTooFarAhead):
        parse_window("25.12 10-12", zone=ZoneInfo("Europe/Berlin"), now=NOW)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "up to 6 weeks ahead"), ("ru", "на 6 недель вперёд"), ("zh_Hans", "提前 6 周")],
)
def test_the_refusal_says_how_far_ahead_one_can_book(language, expected):
    assert timedelta(weeks=6) == BOOKABLE_AHEAD
    assert expected in explain(WindowTooFarAhead("x"), translator(language))
