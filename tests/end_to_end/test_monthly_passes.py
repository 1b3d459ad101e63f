"""A resident's nights by the month, paid with Telegram invoices in the sandbox: the owner
offers the spot by the month, a driver takes a pass, it is billed again before the next month
and renewed, then ended with notice; and a pass whose month is not paid lapses after
reminders and gives its time back. The calendar, the ledger and the owner's payouts are
checked at each step (the money audit runs after every test)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.db.models import Booking, MonthlyPass, PassOffer, PassStatus, Payout, TransferStatus
from core.services import bookings
from core.status import BookingStatus
from tests.end_to_end.test_bookings import _owner_and_spot
from tests.integration.builders import a_person, an_approved_spot

UTC_JUNE_2_NIGHT = (datetime.fromisoformat("2026-06-02T18:00:00+00:00"), timedelta(hours=2))


async def _all(sandbox, model, *where):
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(model).where(*where).order_by(model.id)))


async def _free(sandbox, spot, start, length) -> bool:
    async with sandbox.database.reading() as uow:
        stored = await uow.spots.get(spot.id)
        return await bookings.is_free(uow, stored, start, start + length)


async def _offer_nights(owner) -> None:
    await owner.send("/myspots")
    await owner.press("Monthly")
    await owner.press("Nights 19–08")
    await owner.send("120")
    await owner.press("14 days")
    assert "Drivers can now take “Garage on Elm St” by the month" in owner.last_message().text


async def _take_pass(sandbox, driver, spot):
    await driver.share_location(spot.lat, spot.lon)
    await driver.press_data(f"spot:{spot.id}", driver.last_message())
    card = driver.last_message()
    assert "🗓 By the month: Mon–Sun 19:00–08:00, €120.00 a month" in card.text
    await driver.press("Monthly pass")
    quote = driver.last_message()
    await driver.press("Take the pass")
    return quote


async def test_a_resident_takes_nights_by_the_month_renews_once_and_ends_with_notice(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    await _offer_nights(olga)
    dana = sandbox.person("Dana")
    quote = await _take_pass(sandbox, dana, spot)
    assert "First month, Mon, Jun 1 11:00 – Wed, Jul 1 11:00: 30 stays, €120.00." in quote.text
    assert "until either side gives 14 days' notice" in quote.text
    assert "holds its first month for 15 minutes. Pay €120.00" in dana.messages()[-2].text
    assert dana.last_message().invoice["title"] == "Monthly parking pass: 30 stays"
    assert "New monthly pass" in olga.last_message().text
    await dana.pay()
    assert "Your monthly pass is on" in dana.last_message().text
    assert "A month of the monthly pass is paid: €120.00" in olga.last_message().text

    # The nights are Dana's on the calendar; the days stay free for anyone.
    night, two_hours = UTC_JUNE_2_NIGHT
    assert not await _free(sandbox, spot, night, two_hours)
    assert await _free(sandbox, spot, night - timedelta(hours=8), two_hours)

    # Five days before July the next month is billed, and Dana pays it.
    sandbox.clock.advance(days=25, hours=1)  # Friday 26 June, 12:00 in Berlin
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("keep_passes")
    assert "renews on Wed, Jul 1 11:00: €120.00 for the month" in dana.messages()[-2].text
    assert dana.last_message().invoice["title"] == "Monthly parking pass: 31 stays"
    await dana.pay()
    assert "Your monthly pass is on" in dana.last_message().text

    # The owner is paid night by night, as each stay ends.
    await sandbox.runtime.run_job("move_money")
    sandbox.clock.advance(hours=1)
    await sandbox.runtime.run_job("move_money")
    completed = await _all(sandbox, Booking, Booking.status == BookingStatus.COMPLETED)
    assert len(completed) == 25  # the nights from 1 June to the morning of 26 June
    payouts = await _all(sandbox, Payout)
    assert sorted(p.booking_id for p in payouts) == [b.id for b in completed]
    assert {p.status for p in payouts} == {TransferStatus.DONE}
    assert sum(p.amount_minor for p in payouts) == sum(
        b.price_minor - b.commission_minor for b in completed
    )

    # The owner sees the pass and when it renews, beside the spot and the earnings.
    await olga.send("/myspots")
    spot_card = olga.last_message().text
    assert "🗓 By the month: Mon–Sun 19:00–08:00, €120.00 a month" in spot_card
    assert "Paid until Sat, Aug 1 11:00" in spot_card
    await olga.send("/earnings")
    assert "Monthly passes at your spots" in olga.last_message().text
    assert "Paid until Sat, Aug 1 11:00" in olga.last_message().text

    # Notice: 14 days from 26 June falls inside July, which is paid, so the pass ends with it.
    await dana.send("/passes")
    assert "Paid until Sat, Aug 1 11:00" in dana.last_message().text
    await dana.press("End the pass")
    await dana.press("Yes, give notice")
    assert "ends on Sat, Aug 1 11:00" in dana.last_message().text
    assert "ends on Sat, Aug 1 11:00" in olga.last_message().text

    sandbox.clock.advance(days=31)  # 27 July: no August is billed
    await sandbox.runtime.run_job("keep_passes")
    assert not any("renews on" in (m.text or "") for m in dana.messages()[-3:])
    sandbox.clock.advance(days=5)  # 1 August, after the last night
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("keep_passes")
    assert "has ended" in dana.last_message().text
    assert "has ended" in olga.last_message().text
    (monthly_pass,) = await _all(sandbox, MonthlyPass)
    assert monthly_pass.status == PassStatus.ENDED


async def test_a_month_not_paid_lapses_after_reminders_and_its_nights_are_free_again(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    await _offer_nights(olga)
    dana = sandbox.person("Dana")
    await _take_pass(sandbox, dana, spot)
    await dana.pay()

    sandbox.clock.advance(days=25, hours=1)  # 26 June: July is billed
    await sandbox.runtime.run_job("keep_passes")
    assert "renews on Wed, Jul 1 11:00" in dana.messages()[-2].text
    sandbox.clock.advance(days=2)  # 28 June, three days before
    await sandbox.runtime.run_job("keep_passes")
    assert "is not paid yet. Pay by Wed, Jul 1 11:00" in dana.messages()[-2].text
    sandbox.clock.advance(days=2, hours=1)  # 30 June, a day before
    await sandbox.runtime.run_job("keep_passes")
    assert "is not paid yet" in dana.messages()[-2].text
    july_night = datetime.fromisoformat("2026-07-02T18:00:00+00:00")
    assert not await _free(sandbox, spot, july_night, timedelta(hours=2))

    sandbox.clock.advance(days=1)  # 1 July, 12:00: the month began unpaid
    await sandbox.runtime.run_job("expire_overdue")
    await sandbox.runtime.run_job("keep_passes")
    assert "lapsed: its month was not paid" in dana.last_message().text
    assert "lapsed: its month was not paid" in olga.last_message().text
    assert await _free(sandbox, spot, july_night, timedelta(hours=2))
    (monthly_pass,) = await _all(sandbox, MonthlyPass)
    assert monthly_pass.status == PassStatus.LAPSED


async def test_a_monthly_search_shows_only_spots_offered_by_the_month_at_their_monthly_price(
    sandbox,
):
    olga, spot = await _owner_and_spot(sandbox)
    _owner, other = await _owner_and_spot(sandbox)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.spots.get(other.id)).title = "Yard by the station"
    await _offer_nights(olga)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    assert "Yard by the station" in dana.last_message().text
    await dana.press("Monthly")
    results = dana.last_message().text
    assert "offered by the month" in results
    assert "Garage on Elm St" in results
    assert "€120.00 a month" in results
    assert "Yard by the station" not in results
    await dana.press("Monthly")  # off again: every free spot, priced for the window
    assert "Yard by the station" in dana.last_message().text


@pytest.mark.parametrize(
    ("language", "monthly", "nights", "days", "take"),
    [
        ("ru", "Помесячно", "Ночи 19–08", "14 дней", "Абонемент на месяц"),
        ("zh_Hans", "按月出租", "夜间 19–08", "14 天", "月卡"),
    ],
)
async def test_a_pass_is_offered_and_taken_in_the_peoples_own_language(
    sandbox, language, monthly, nights, days, take
):
    owner = sandbox.person("Olga", language=language)
    registered = await a_person(sandbox.database, sandbox.clock, "Olga", telegram_id=owner.id)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.people.get(registered.id)).language = language
    spot = await an_approved_spot(sandbox.database, sandbox.clock, registered)
    await owner.send("/myspots")
    await owner.press(monthly)
    await owner.press(nights)
    await owner.send("120")
    await owner.press(days)
    assert "120,00" in owner.last_message().text or "120.00" in owner.last_message().text
    driver = sandbox.person("Dana", language=language)
    await driver.share_location(spot.lat, spot.lon)
    await driver.press_data(f"spot:{spot.id}", driver.last_message())
    await driver.press(take)
    await driver.press("120")  # the button that takes it names its price
    assert driver.last_message().invoice is not None


async def test_nobody_else_ends_a_pass_takes_it_on_old_terms_or_cancels_a_series(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    await _offer_nights(olga)
    dana = sandbox.person("Dana")
    await _take_pass(sandbox, dana, spot)
    await dana.pay()
    sam = sandbox.person("Sam")
    await sam.send("/start")
    before = await _all(sandbox, MonthlyPass)
    for data in ("pe:yes:1", "pe:ask:1", "pt:take:1", "sr:cancel_yes:1:0", "sr:show:1",
                 "po:stop:1"):  # fmt: skip
        answer = await sam.press_data(data, sam.last_message())
        assert answer is not None
        # Read as a real button: what it would change is refused by the state check below.
        assert answer.get("text") != "This button is not valid.", data
    after = await _all(sandbox, MonthlyPass)
    assert [(p.status, p.ends_at) for p in after] == [(p.status, p.ends_at) for p in before]
    (offer,) = await _all(sandbox, PassOffer)
    assert offer.active  # only its owner stops offering it


async def test_cancelling_a_night_of_an_unpaid_first_month_calls_the_pass_off(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    await _offer_nights(olga)
    dana = sandbox.person("Dana")
    await _take_pass(sandbox, dana, spot)
    await dana.send("/bookings")
    await dana.press("Cancel")
    assert (
        "It is the first month of your monthly pass, not paid yet: all its 30 stays are "
        "cancelled, and the pass with them." in dana.last_message().text
    )
    await dana.press("Yes, cancel")
    assert "is called off before its first month was paid" in dana.last_message().text
    assert "is called off before its first month was paid" in olga.last_message().text
    (monthly_pass,) = await _all(sandbox, MonthlyPass)
    assert monthly_pass.status == PassStatus.ENDED
    stays = await _all(sandbox, Booking)
    assert {b.status for b in stays} == {BookingStatus.CANCELLED}
    night, two_hours = UTC_JUNE_2_NIGHT
    assert await _free(sandbox, spot, night, two_hours)
    await dana.send("/passes")
    assert "Garage on Elm St" not in dana.last_message().text


async def test_cancelling_the_unpaid_next_month_ends_the_pass_with_the_month_paid(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    await _offer_nights(olga)
    dana = sandbox.person("Dana")
    await _take_pass(sandbox, dana, spot)
    await dana.pay()
    sandbox.clock.advance(days=25, hours=1)  # 26 June: July is billed
    await sandbox.runtime.run_job("keep_passes")
    july = (await _all(sandbox, Booking, Booking.status == BookingStatus.AWAITING_PAYMENT))[0]
    await dana.send("/bookings")
    await dana.press("All 31 stays")
    await dana.press_data(
        next(d for d in dana.last_message().button_data if d.endswith(f":{july.id}:1")),
        dana.last_message(),
    )
    assert (
        "It is the next month of your monthly pass, not paid yet: all its 31 stays are "
        "cancelled, and the pass ends on Wed, Jul 1 11:00." in dana.last_message().text
    )
    await dana.press("Yes, cancel")
    assert "ends on Wed, Jul 1 11:00" in dana.last_message().text
    assert "Notice is given" in olga.last_message().text
    (monthly_pass,) = await _all(sandbox, MonthlyPass)
    assert monthly_pass.status == PassStatus.ACTIVE
    july_night = datetime.fromisoformat("2026-07-02T18:00:00+00:00")
    assert await _free(sandbox, spot, july_night, timedelta(hours=2))
    # June's nights stay Dana's; the pass ends with them.
    assert not await _free(
        sandbox, spot, UTC_JUNE_2_NIGHT[0] + timedelta(days=26), UTC_JUNE_2_NIGHT[1]
    )
    sandbox.clock.advance(days=5)  # 1 July, 12:00
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("keep_passes")
    assert "has ended" in dana.last_message().text
    (monthly_pass,) = await _all(sandbox, MonthlyPass)
    assert monthly_pass.status == PassStatus.ENDED
