"""A driver is booked only on the terms they were shown: when the price, the cancellation terms
or the hours change between the offer and Confirm, the new terms are shown and asked about
again."""

from sqlalchemy import select

from core.db.models import Booking
from tests.end_to_end.test_bookings import _owner_and_spot


async def _bookings(sandbox):
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(Booking)))


async def _offer(sandbox, *, when=None):
    owner, spot = await _owner_and_spot(sandbox)  # €3.00 an hour, open all day, every day
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    if when is not None:
        await dana.press("Other time")
        await dana.send(when)
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    return owner, dana


async def test_a_price_changed_after_the_offer_is_shown_again_before_booking(sandbox):
    owner, dana = await _offer(sandbox)
    assert "Price: €6.00" in dana.last_message().text  # two hours

    await owner.send("/myspots")
    await owner.press("Prices")
    await owner.send("4.50")
    await owner.send("-")

    await dana.press("Confirm")
    again = dana.last_message()
    assert "The terms changed since I showed them" in again.text
    assert "Price: €9.00" in again.text
    assert "✅ Confirm" in again.buttons
    assert await _bookings(sandbox) == []

    await dana.press("Confirm")
    (booking,) = await _bookings(sandbox)
    assert booking.price_minor == 900


async def test_cancellation_terms_that_lapsed_while_the_offer_was_open_are_shown_again(sandbox):
    # The clock stands at 11:00; free cancellation ends two hours before a 14:00 start.
    _owner, dana = await _offer(sandbox, when="today 14-16")
    assert "Free cancellation until" in dana.last_message().text

    sandbox.clock.advance(hours=1, minutes=30)
    await dana.press("Confirm")
    again = dana.last_message()
    assert "The terms changed since I showed them" in again.text
    assert "No free cancellation" in again.text
    assert await _bookings(sandbox) == []


async def test_hours_changed_after_the_offer_say_so_and_book_nothing(sandbox):
    owner, dana = await _offer(sandbox)
    await owner.send("/myspots")
    await owner.press("Hours")
    await owner.send("weekends all day")  # the clock stands on a Monday

    await dana.press("Confirm")
    answer = dana.last_message()
    assert "isn't offered for that whole time" in answer.text
    assert answer.buttons == ["🕒 Another time", "Cancel"]
    assert await _bookings(sandbox) == []
