"""A driver who types a time further ahead than bookings go is told how far ahead they can
book, in the search and in the booking alike."""

from tests.end_to_end.test_bookings import _owner_and_spot


async def test_a_search_for_a_time_beyond_six_weeks_says_how_far_ahead_one_can_book(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press("Other time")
    await dana.send("25.12 10-12")
    assert "you can book up to 6 weeks ahead" in dana.last_message().text


async def test_a_booking_for_a_time_beyond_six_weeks_says_how_far_ahead_one_can_book(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    await dana.press("Another time")
    await dana.send("25.12 10-12")
    assert "you can book up to 6 weeks ahead" in dana.last_message().text
