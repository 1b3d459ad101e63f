"""After booking: the owner's answer, paying, /bookings, cancelling, extending, reminders and
the driver's arrival, with the clock driven by the test."""

from datetime import timedelta

from sqlalchemy import select

from core.db.models import Booking
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot


async def _owner_and_spot(sandbox, *, instant=True):
    owner = sandbox.person("Olga")
    registered = await a_person(sandbox.database, sandbox.clock, "Olga", telegram_id=owner.id)
    spot = await an_approved_spot(sandbox.database, sandbox.clock, registered)
    async with sandbox.database.unit_of_work() as uow:
        stored = await uow.spots.get(spot.id)
        stored.instant_booking = instant
        stored.access_instructions = "Gate code 4711"
    return owner, spot


async def _book(driver, spot, *, when=None):
    await driver.share_location(spot.lat, spot.lon)
    if when is not None:
        await driver.press("Other time")
        await driver.send(when)
    await driver.press_data(f"spot:{spot.id}", driver.last_message())
    await driver.press("Book")
    await driver.press("Confirm")


async def _paid_booking(sandbox, *, when):
    """An owner's instant spot and a driver who booked it for ``when`` and paid."""
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when=when)
    await dana.pay()
    return owner, spot, dana


async def _extended_by_an_hour(sandbox):
    """Tomorrow 10-12 booked and paid, then an hour more booked and paid."""
    owner, spot, dana = await _paid_booking(sandbox, when="tomorrow 10-12")
    await dana.send("/bookings")
    await dana.press("⏩ Extend")
    await dana.press("+1 h")
    await dana.pay()
    return owner, spot, dana


async def _bookings_of(sandbox, spot):
    async with sandbox.database.reading() as uow:
        return list(
            await uow.session.scalars(
                select(Booking).where(Booking.spot_id == spot.id).order_by(Booking.id)
            )
        )


async def test_the_owner_accepts_a_request_and_the_driver_pays(sandbox):
    owner, spot = await _owner_and_spot(sandbox, instant=False)
    dana = sandbox.person("Dana")
    await _book(dana, spot)
    assert "sent to the owner" in dana.last_message().text
    request = owner.last_message()
    assert "✅ Accept" in request.buttons
    assert "Dana" not in request.text  # the owner does not learn who the driver is
    await owner.press("Accept")
    assert dana.last_message().invoice["title"] == "Parking booking #1"
    await dana.pay()
    (booking,) = await _bookings_of(sandbox, spot)
    assert booking.status == BookingStatus.CONFIRMED


async def test_a_declined_request_frees_the_window(sandbox):
    owner, spot = await _owner_and_spot(sandbox, instant=False)
    dana = sandbox.person("Dana")
    await _book(dana, spot)
    await owner.press("Decline")
    assert "declined" in dana.last_message().text
    (booking,) = await _bookings_of(sandbox, spot)
    assert booking.status == BookingStatus.CANCELLED


async def test_bookings_lists_a_drivers_stays_and_an_owners_guests(sandbox):
    owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    await dana.send("/bookings")
    mine = dana.last_message()
    assert "waiting for payment" in mine.text
    assert {"💳 Pay", "✖️ Cancel"} <= set(mine.buttons)
    await owner.send("/bookings")
    assert "Bookings at your spots" in owner.last_message().text


async def test_a_driver_cancels_early_for_free_after_seeing_the_policy(sandbox):
    _, spot, dana = await _paid_booking(sandbox, when="tomorrow 10-12")
    await dana.send("/bookings")
    await dana.press("Cancel")
    assert "You get back the full €6.00" in dana.last_message().text
    await dana.press("Keep it")
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.CONFIRMED
    await dana.press("Cancel")
    await dana.press("Yes, cancel")
    assert "is cancelled. €6.00 will be refunded." in dana.last_message().text
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.CANCELLED


async def test_a_late_cancellation_shows_what_is_kept(sandbox):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="today 12-14")  # the clock stands at 11:00 Berlin time
    await dana.pay()
    await dana.send("/bookings")
    await dana.press("Cancel")
    assert "you get back €3.00, and €3.00 (50 %) goes to the owner" in dana.last_message().text


async def test_a_booking_inside_the_late_period_is_offered_and_cancelled_without_free_terms(
    sandbox,
):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press("Other time")
    await dana.send("today 12-14")  # the clock stands at 11:00: 1 h before, free period 2 h
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    offer = dana.last_message().text
    assert "No free cancellation: this starts in less than 2 h" in offer
    assert "€3.00 (50 %) is kept if you cancel" in offer
    assert "Free cancellation until" not in offer
    await dana.press("Confirm")
    await dana.pay()
    await dana.send("/bookings")
    await dana.press("Cancel")
    dialog = dana.last_message().text
    assert "made less than 2 h before its start, so it has no free cancellation" in dialog
    assert "you get back €3.00, and €3.00 (50 %) goes to the owner" in dialog
    assert "ended at" not in dialog


async def test_the_offer_and_the_cancel_dialog_name_the_real_end_of_free_cancellation(sandbox):
    _, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press("Other time")
    await dana.send("tomorrow 10-12")
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    # Two hours before 10:00 Berlin time, shown in the spot's zone, not in UTC.
    assert "Free cancellation until Tue, Jun 2 08:00; later, 50 % is kept." in (
        dana.last_message().text
    )
    await dana.press("Confirm")
    await dana.pay()
    sandbox.clock.advance(hours=22)  # 09:00 tomorrow, an hour into the late period
    await dana.send("/bookings")
    await dana.press("Cancel")
    assert (
        "Free cancellation ended at Tue, Jun 2 08:00: you get back €3.00, and €3.00 goes to "
        "the owner." in dana.last_message().text
    )


async def test_a_stay_is_reminded_started_extended_and_ended_on_time(sandbox):
    owner, spot, dana = await _paid_booking(sandbox, when="today 12-14")

    sandbox.clock.advance(minutes=46)  # 11:46, a quarter of an hour before the start
    await sandbox.runtime.run_job("advance_bookings")
    reminder = dana.last_message()
    assert "starts at" in reminder.text
    assert "Gate code 4711" in reminder.text
    assert "🧭 Navigate" in reminder.buttons
    assert "A driver arrives" in owner.last_message().text
    await sandbox.runtime.run_job("advance_bookings")
    assert dana.last_message().id == reminder.id  # once only

    sandbox.clock.advance(minutes=15)
    await sandbox.runtime.run_job("advance_bookings")
    assert (await _bookings_of(sandbox, spot))[0].status == BookingStatus.ACTIVE

    sandbox.clock.advance(minutes=110)  # 13:51
    await sandbox.runtime.run_job("advance_bookings")
    assert "Need more time?" in dana.last_message().text
    await dana.press("+1 h")
    assert dana.last_message().invoice["title"] == "Extension of booking #1"
    await dana.pay()
    first, extension = await _bookings_of(sandbox, spot)
    assert extension.extends_id == first.id
    assert extension.status == BookingStatus.CONFIRMED
    assert extension.end_at - first.end_at == timedelta(hours=1)

    sandbox.clock.advance(minutes=10)  # 14:01: the first part ends, the extension starts
    await sandbox.runtime.run_job("advance_bookings")
    first, extension = await _bookings_of(sandbox, spot)
    assert (first.status, extension.status) == (BookingStatus.COMPLETED, BookingStatus.ACTIVE)
    sandbox.clock.advance(hours=1)
    await sandbox.runtime.run_job("advance_bookings")
    assert "has ended" in dana.last_message().text
    assert (await _bookings_of(sandbox, spot))[1].status == BookingStatus.COMPLETED


async def test_an_extended_stay_ends_once_with_its_last_part_and_is_rated_as_one(sandbox):
    owner, spot, dana = await _paid_booking(sandbox, when="today 12-14")
    sandbox.clock.advance(minutes=171)  # 13:51
    await sandbox.runtime.run_job("advance_bookings")
    await dana.press("+1 h")
    await dana.pay()
    heard = len(dana.messages()), len(owner.messages())

    sandbox.clock.advance(minutes=10)  # 14:01: the first part ends, the extension goes on
    await sandbox.runtime.run_job("advance_bookings")
    assert (len(dana.messages()), len(owner.messages())) == heard  # no "ended", no "starts at"

    sandbox.clock.advance(hours=1)  # 15:01
    await sandbox.runtime.run_job("advance_bookings")
    ended = [m for m in dana.messages() if "has ended" in m.text]
    assert len(ended) == 1
    assert ended[0].button_data == ["rt:1:driver"]  # the stay is rated by its first number
    first, extension = await _bookings_of(sandbox, spot)
    whole_share = sum(b.price_minor - b.commission_minor for b in (first, extension))
    (share,) = [m for m in owner.messages() if "Your share" in m.text]
    assert f"€{whole_share / 100:.2f}" in share.text
    assert share.button_data == ["rt:1:owner"]


async def test_cancelling_an_extended_booking_cancels_and_refunds_its_extension_too(sandbox):
    _owner, spot, dana = await _extended_by_an_hour(sandbox)
    await dana.send("/bookings")
    await dana.press("✖️ Cancel")
    dialog = dana.last_message().text
    assert "(extended by 1 h)" in dialog
    assert "You get back the full €9.00." in dialog  # both parts: €6.00 and €3.00
    await dana.press("Yes, cancel")
    assert "€9.00" in dana.last_message().text
    first, extension = await _bookings_of(sandbox, spot)
    assert (first.status, extension.status) == (BookingStatus.CANCELLED, BookingStatus.CANCELLED)


async def test_an_owner_who_cancels_an_extended_booking_refunds_the_whole_stay(sandbox):
    owner, spot, dana = await _extended_by_an_hour(sandbox)
    await owner.send("/bookings")
    await owner.press("✖️ Cancel")
    await owner.press("Yes, cancel")
    first, extension = await _bookings_of(sandbox, spot)
    assert (first.status, extension.status) == (BookingStatus.CANCELLED, BookingStatus.CANCELLED)
    assert any("€9.00" in m.text for m in dana.messages()[-3:])


async def test_a_driver_on_the_way_is_announced_to_the_owner_once(sandbox):
    owner, spot, dana = await _paid_booking(sandbox, when="today 11:30-13")
    shared = await dana.share_live_location(spot.lat + 0.02, spot.lon)
    assert "min away" in owner.last_message().text
    await dana.move_live_location(shared, spot.lat + 0.015, spot.lon)
    assert sum("min away" in m.text for m in owner.messages()) == 1
    assert "I told the owner" in dana.last_message().text
    await dana.move_live_location(shared, spot.lat, spot.lon)  # there: arrived, not on the way
    assert "The driver of booking #1 has arrived" in owner.last_message().text
    assert sum("min away" in m.text for m in owner.messages()) == 1


async def test_a_driver_who_found_nothing_hears_when_a_spot_frees_up(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    eve = sandbox.person("Eve")
    await _book(eve, spot, when="tomorrow 10-12")
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press("Other time")
    await dana.send("tomorrow 10-12")
    assert "No spot is free" in dana.last_message().text
    answer = await dana.press("Tell me when one is free")
    assert "as soon as" in answer["text"]
    await eve.send("/bookings")
    await eve.press("Cancel")
    await eve.press("Yes, cancel")
    assert "near where you searched is free" in dana.last_message().text
    await dana.press("Garage on Elm St")
    assert "📅 Book" in dana.last_message().buttons
