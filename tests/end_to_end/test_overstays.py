"""Overstays cost the overstayer: warned before the end, billed by the quarter-hour once the car
has gone, paid by a second invoice; the driver it displaced is made whole first, then the owner
gets their share."""

from sqlalchemy import select, text

from core.db.models import LedgerTransaction
from tests.end_to_end.test_bookings import _book
from tests.end_to_end.test_occupied_spots import _invoices, _pias_spot
from tests.end_to_end.test_trust import _a_driver, _paid


async def test_a_stay_overrun_by_40_minutes_is_billed_and_pays_the_displaced_driver_first(
    sandbox,
):
    olga, spot, dana = await _paid(sandbox)  # today 12-14 at €3.00 an hour, €6.00 paid
    sam = await _a_driver(sandbox, "Sam", "sam_parks")
    await _book(sam, spot, when="today 14:30-16:30")
    await sam.pay()
    await _pias_spot(sandbox, hourly_minor=350)

    sandbox.clock.advance(hours=2, minutes=50)  # 13:50: the end is near
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    reminder = dana.last_message().text
    assert "ends at" in reminder
    assert "€4.50 an hour for the first hour, then €6.00 an hour" in reminder
    # Sam's stay begins at 14:30: only the extension that fits before it is offered
    assert dana.last_message().buttons == ["+30 min", "🚗 I've left"]

    sandbox.clock.advance(minutes=25)  # 14:15: the owner is asked, and the car is there
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await olga.press("The car is still there")
    assert "pays for every quarter-hour past the end" in olga.last_message().text
    told = dana.last_message()
    assert "The owner says your car is still at" in told.text
    assert "🚗 I've left" in told.buttons
    assert "the car of the stay before yours is still there" in sam.last_message().text

    sandbox.clock.advance(minutes=20)  # 14:35: Sam arrives, and moves to Pia's
    await sam.press("Spot occupied")
    await sam.send_photo(caption="A car in my spot")
    await sam.press("Send report")
    await sam.press("Pia's garage")
    assert "ParkShare covers the €0.96 this spot costs more." in sam.last_message().text

    sandbox.clock.advance(minutes=5)  # 14:40: Dana leaves, 40 minutes late
    await dana.press("I've left")
    bill = dana.messages()[-2].text
    assert "You left “Garage on Elm St” 40 min after your stay ended" in bill
    assert "The overstay costs €3.38" in bill
    assert dana.last_message().invoice["total_amount"] == 338
    assert _invoices(dana) == 2
    await dana.pay()
    assert "✅ Overstay paid: €3.38" in dana.last_message().text
    # €0.96 back to what the platform covered for Sam, then 15 % of the rest kept
    assert "paid €3.38 for staying on. Your share, €2.06" in olga.last_message().text
    await dana.press("I've left")  # again: nothing billed twice
    assert _invoices(dana) == 2

    async with sandbox.database.reading() as uow:
        kinds = list(
            await uow.session.scalars(select(LedgerTransaction.kind).order_by(LedgerTransaction.id))
        )
        covered = await uow.session.scalar(
            text("SELECT sum(amount_minor) FROM ledger_entry WHERE account = 'platform_subsidy'")
        )
    assert kinds[-3:] == ["rebooked_in", "payment", "overstay"]
    assert covered == 0  # Sam's move was paid for by the overstay


async def test_the_owner_says_the_car_has_gone_and_the_driver_pays_from_the_end(sandbox):
    olga, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=3, minutes=15)  # 14:15
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await olga.press("The car is still there")
    sandbox.clock.advance(minutes=50)  # 15:05: gone, an hour and five minutes late
    answer = await olga.press("The car has gone")
    assert "billed from here" in answer["text"]
    assert olga.last_message().buttons == []  # said once
    # four quarters at €4.50 an hour, a fifth at €6.00 an hour
    assert "The overstay costs €6.00" in dana.messages()[-2].text
    await dana.pay()
    assert "✅ Overstay paid: €6.00" in dana.last_message().text
    answer = await olga.press_data("og:1", olga.last_message())
    assert answer["show_alert"]  # nothing to stop any more


async def test_a_stay_with_the_next_right_after_it_offers_no_extension(sandbox):
    _olga, spot, dana = await _paid(sandbox)  # today 12-14
    sam = await _a_driver(sandbox, "Sam", "sam_parks")
    await _book(sam, spot, when="today 14-16")
    await sam.pay()
    sandbox.clock.advance(hours=2, minutes=50)  # 13:50
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    reminder = dana.last_message()
    assert "The spot is booked right after you: please leave on time." in reminder.text
    assert reminder.buttons == ["🚗 I've left"]
