"""The owner hears at once what happens to bookings at their spot, with the window in the spot's
timezone and the driver's credit tier, never who the driver is; and the driver's payment
confirmation carries all they need to get there and in."""

from tests.end_to_end.test_bookings import _book, _bookings_of, _owner_and_spot

NOON_TO_TWO = "Mon, Jun 1 12:00 – Mon, Jun 1 14:00"  # Berlin time; the clock is UTC


async def test_the_owner_hears_a_booking_made_paid_and_extended_as_one_booking(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")

    booked = owner.last_message().text
    assert "🆕 New booking #1. The driver has 15 minutes to pay." in booked
    assert f"Booking #1 · {NOON_TO_TWO}" in booked
    assert "Driver: driver in good standing" in booked
    assert "Dana" not in booked

    await dana.pay()
    paid = owner.last_message().text
    assert "✅ Booking #1 is paid: €6.00." in paid
    assert f"Booking #1 · {NOON_TO_TWO}" in paid
    assert "Dana" not in paid

    await dana.send("/bookings")
    await dana.press("Extend")
    await dana.press("+2 h")
    assert "Booking #1: 2 h more, until Mon, Jun 1 16:00, for €6.00." in (dana.messages()[-2].text)
    await dana.pay()
    extended = owner.last_message().text
    assert "⏩ Booking #1 is extended by 2 h, until Mon, Jun 1 16:00, and paid: €6.00." in (
        extended
    )
    assert "Booking #1 · Mon, Jun 1 12:00 – Mon, Jun 1 16:00 (extended by 2 h)" in extended
    assert "#2" not in extended
    assert "Booking #1 is extended." in dana.last_message().text

    # Both sides see one booking with its extension, not a second number.
    await dana.send("/bookings")
    listed = dana.last_message()
    assert "Booking #1 · Mon, Jun 1 12:00 – Mon, Jun 1 16:00 (extended by 2 h)" in (listed.text)
    assert "€12.00 · confirmed" in listed.text
    assert "#2" not in listed.text
    await owner.send("/bookings")
    at_my_spots = owner.last_message().text
    assert "(extended by 2 h)" in at_my_spots
    assert "#2" not in at_my_spots
    first, extension = await _bookings_of(sandbox, spot)
    assert extension.extends_id == first.id  # the rows and the money stay as they were


async def test_the_owner_hears_a_driver_cancel(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    await dana.pay()
    await dana.send("/bookings")
    await dana.press("Cancel")
    await dana.press("Yes, cancel")
    cancelled = owner.last_message().text
    assert "✖️ The driver cancelled booking #1. Its time is free again." in cancelled
    assert "Booking #1 · Tue, Jun 2 10:00 – Tue, Jun 2 12:00" in cancelled
    assert "Driver: driver in good standing" in cancelled
    assert "goes to you" not in cancelled  # early: nothing is kept


async def test_the_owner_hears_a_late_cancellation_and_what_it_leaves_them(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")
    await dana.pay()
    await dana.send("/bookings")
    await dana.press("Cancel")
    await dana.press("Yes, cancel")
    assert "It was cancelled late, so €3.00 of the price goes to you." in (
        owner.last_message().text
    )


async def test_the_owner_hears_a_booking_lapse_unpaid(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")
    sandbox.clock.advance(minutes=16)
    await sandbox.runtime.run_job("expire_overdue")
    lapsed = owner.last_message().text
    assert "⌛ Booking #1 lapsed before it was confirmed, so its time is free again." in lapsed
    assert f"Booking #1 · {NOON_TO_TWO}" in lapsed


async def test_an_owner_who_blocked_the_bot_does_not_stop_the_driver(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    owner.block_the_bot()
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    assert dana.last_message().invoice is not None
    await dana.pay()
    assert "Booking #1 is confirmed" in dana.last_message().text
    await dana.send("/bookings")
    await dana.press("Cancel")
    await dana.press("Yes, cancel")
    assert "Booking #1 is cancelled." in dana.last_message().text
    assert owner.messages() == []


async def test_the_payment_confirmation_says_where_when_how_to_get_in_and_what_next(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.spots.get(spot.id)).address = "Elm St 5, 10115 Berlin"
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")
    await dana.pay()
    confirmation = dana.last_message()
    assert confirmation.text.startswith("✅ Paid. Booking #1 is confirmed.")
    for line in ("Garage on Elm St", "Elm St 5, 10115 Berlin", f"Booking #1 · {NOON_TO_TWO}",
                 "How to get in: Gate code 4711"):  # fmt: skip
        assert line in confirmation.text
    urls = [b.get("url", "") for row in confirmation._rows() for b in row]
    assert any(url.startswith("https://www.google.com/maps/dir/") for url in urls)
    assert {"Google Maps", "Apple Maps", "💬 Message owner", "✖️ Cancel"} <= set(
        confirmation.buttons
    )
    await dana.press("Cancel")
    assert "Cancel this booking?" in dana.last_message().text


async def test_a_chinese_driver_gets_chinese_route_apps_in_the_confirmation(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    li = sandbox.person("Li", language="zh_Hans")
    await li.share_location(spot.lat, spot.lon)
    await li.press_data(f"spot:{spot.id}", li.last_message())
    await li.press_data(f"book:{spot.id}", li.last_message())
    await li.press_data("bk:confirm", li.last_message())
    await li.pay()
    assert li.last_message().text.startswith("✅")
    assert {"高德地图", "百度地图"} <= set(li.last_message().buttons)


async def test_an_access_text_at_the_limit_still_fits_the_confirmation(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.spots.get(spot.id)).access_instructions = "&" * 5000
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    await dana.pay()
    text = dana.last_message().text
    assert text.startswith("✅ Paid. Booking #1 is confirmed.")
    assert len(text.encode("utf-16-le")) // 2 == 4096
    assert text.endswith("&…")
