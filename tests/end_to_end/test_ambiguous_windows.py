"""Hours or a window that read two ways ("18-8": overnight, or the same evening) are asked
about with the same two buttons wherever they are typed: an owner's new regular hours, and a
driver's window in a search or a booking."""

from sqlalchemy import select

from core.db.models import AvailabilityRule
from tests.end_to_end.test_bookings import _owner_and_spot

READINGS = ["🌙 Overnight", "☀️ Same day"]


async def _rules(sandbox):
    async with sandbox.database.reading() as uow:
        rules = (await uow.session.scalars(select(AvailabilityRule))).all()
    return sorted((r.weekday, r.start_minute, r.end_minute) for r in rules)


async def test_an_owner_changing_hours_to_18_to_8_is_asked_which_reading(sandbox):
    owner, _spot = await _owner_and_spot(sandbox)
    await owner.send("/myspots")
    await owner.press("Hours")
    before = await _rules(sandbox)
    await owner.send("Fri 18-8")
    question = owner.last_message()
    assert "overnight: Fri 18:00–24:00; Sat 00:00–08:00" in question.text
    assert "the same day: Fri 18:00–20:00" in question.text
    assert question.buttons == READINGS
    assert await _rules(sandbox) == before  # nothing is saved before the owner says which

    await owner.press("🌙 Overnight")
    assert "is updated" in owner.last_message().text
    assert await _rules(sandbox) == [(4, 18 * 60, 1440), (5, 0, 8 * 60)]


async def test_a_driver_searching_for_today_18_to_8_is_asked_which_reading(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)  # €3.00 an hour, open all day
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press("Other time")
    await dana.send("today 18-8")
    assert dana.last_message().buttons == READINGS

    await dana.press("🌙 Overnight")
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    assert "Price: €42.00" in dana.last_message().text  # 14 hours, to 08:00 tomorrow


async def test_a_driver_booking_for_today_18_to_8_is_asked_which_reading(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    await dana.press("Another time")
    await dana.send("today 18-8")
    assert dana.last_message().buttons == READINGS

    await dana.press("☀️ Same day")
    assert "Price: €6.00" in dana.last_message().text  # 18:00-20:00
