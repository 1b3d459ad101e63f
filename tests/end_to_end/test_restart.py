"""The bot stops in the middle of people's flows and a new process takes over on the same
database: everyone goes on where they were, and what fell due meanwhile is sent once."""

from sqlalchemy import select

from core.db.models import Booking, BookingNotice
from sandbox.client import tiny_png
from tests.end_to_end.test_bookings import _owner_and_spot
from tests.end_to_end.test_listing import _spots_of


async def test_an_owner_halfway_through_listing_finishes_after_a_restart(sandbox):
    olga = sandbox.person("Olga")
    await olga.send("/list")
    await olga.share_location(52.5200, 13.4050)
    await olga.send("Garage on Elm St")
    await sandbox.runtime.restart_bot()
    await olga.send("€3/h")  # the price step, as if nothing had happened
    await olga.press("Skip")
    await olga.press("Done")
    await olga.send("Gate code 1234")
    await olga.send_photo(tiny_png())
    await olga.press("Done")
    await olga.send("Mon-Fri 08:00-18:00")
    await olga.press("✅ Submit")
    (spot,) = await _spots_of(sandbox, olga.id)
    assert (spot.title, spot.hourly_price_minor) == ("Garage on Elm St", 300)


async def test_a_driver_halfway_through_booking_confirms_after_a_restart(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press("Other time")
    await dana.send("today 12-14")
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    await sandbox.runtime.restart_bot()
    await dana.press("Confirm")  # the button of the old process's message still works
    held, invoice = dana.messages()[-2:]
    assert "holds this time for 15 minutes" in held.text
    assert invoice.invoice is not None
    async with sandbox.database.reading() as uow:
        (booking,) = await uow.session.scalars(select(Booking))
    assert booking.spot_id == spot.id


async def test_a_reminder_due_while_the_bot_was_down_is_sent_once_after_it_starts(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press("Other time")
    await dana.send("today 12-14")  # the clock stands at 11:00 Berlin time
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    await dana.press("Confirm")
    await dana.pay()

    await sandbox.runtime.stop_bot()
    sandbox.clock.advance(minutes=50)  # 11:50: "starts soon" fell due while nothing ran
    await sandbox.runtime.start_bot()
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    reminders = [m for m in dana.messages() if "starts at" in m.text]
    assert len(reminders) == 1
    async with sandbox.database.reading() as uow:
        kinds = list(await uow.session.scalars(select(BookingNotice.kind)))
    assert kinds.count("starts_soon") == 1
