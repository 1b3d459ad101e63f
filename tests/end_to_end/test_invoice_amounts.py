"""An invoice's amount goes to Telegram in Telegram's units and within Telegram's limits, and
the payment comes back in ours."""

from datetime import timedelta

from core.money import Money
from core.services import bookings, spots
from core.status import BookingStatus, SpotStatus
from tests.integration.builders import BERLIN_CENTRE, a_person


async def a_booking_awaiting_payment(sandbox, driver_name: str, hourly: Money, hours: int):
    """``driver_name`` has booked ``hours`` at a spot priced ``hourly`` and now sees /bookings."""
    driver = sandbox.person(driver_name)
    await driver.send("/start")
    owner = await a_person(sandbox.database, sandbox.clock, "Olga")
    async with sandbox.database.unit_of_work() as uow:
        draft = spots.SpotDraft(title="Garage", point=BERLIN_CENTRE, hourly_price=hourly)
        spot = await spots.create(uow, sandbox.clock, owner_id=owner.id, draft=draft)
        await spots.set_status(uow, spot.id, SpotStatus.APPROVED)
        for weekday in range(7):
            await spots.add_weekly_rule(
                uow, spot_id=spot.id, owner_id=owner.id, weekday=weekday,
                start_minute=0, end_minute=1440,
            )  # fmt: skip
        person = await uow.people.by_telegram_id(driver.id)
    start = sandbox.clock.now() + timedelta(hours=1)
    async with sandbox.database.unit_of_work() as uow:
        booking = await bookings.request(
            uow, sandbox.clock, driver_id=person.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=hours), commission_basis_points=1500,
        )  # fmt: skip
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    await driver.send("/bookings")
    return driver, booking


async def test_a_forint_booking_is_invoiced_in_hundredths_and_recorded_in_forints(sandbox):
    dana, booking = await a_booking_awaiting_payment(sandbox, "Dana", Money(750, "HUF"), hours=2)
    await dana.press("Pay")
    invoice = dana.last_message().invoice
    assert (invoice["currency"], invoice["total_amount"]) == ("HUF", 150_000)

    outcome = await dana.pay()
    assert outcome["kind"] == "paid"
    async with sandbox.database.reading() as uow:
        assert (await uow.bookings.get(booking.id)).status == BookingStatus.CONFIRMED
        assert await uow.ledger.escrow_of_booking(booking.id) == {"HUF": 1500}


async def test_a_price_under_telegrams_minimum_is_refused_before_any_invoice(sandbox):
    dana, booking = await a_booking_awaiting_payment(sandbox, "Dana", Money(50, "USD"), hours=1)
    await dana.press("Pay")
    assert not any(message.invoice for message in dana.messages())
    told = dana.last_message().text
    assert "Telegram takes payments in USD only from $1.00 to $10,000.00" in told
    assert "$0.50 can't be paid here" in told
    async with sandbox.database.reading() as uow:
        assert (await uow.bookings.get(booking.id)).status == BookingStatus.AWAITING_PAYMENT
