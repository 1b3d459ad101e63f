"""A commuter's weekdays booked as one weekly series: the pattern typed in words, the stays
already taken shown, the rest booked and paid at once, each stay then living on its own (paid
out when it is over, cancelled on its own terms)."""

import pytest
from sqlalchemy import select

from core.db.models import Booking, Payment, Payout, Refund, TransferStatus
from core.status import BookingStatus
from tests.end_to_end.test_bookings import _book, _owner_and_spot


async def _all(sandbox, model, *where):
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(model).where(*where).order_by(model.id)))


async def _weekly_offer(sandbox, driver, spot, pattern):
    await driver.share_location(spot.lat, spot.lon)
    await driver.press_data(f"spot:{spot.id}", driver.last_message())
    await driver.press("Book")
    await driver.press("Every week")
    await driver.send(pattern)
    return driver.last_message()


async def test_a_commuter_books_two_weeks_of_weekdays_pays_once_and_cancels_the_second(sandbox):
    sandbox.clock.advance(days=6)  # Sunday 7 June, 11:00 in Berlin
    olga, spot = await _owner_and_spot(sandbox)
    pia = sandbox.person("Pia")
    await _book(pia, spot, when="10.06 10-12")  # the Wednesday of the first week
    await pia.pay()

    dana = sandbox.person("Dana")
    offer = await _weekly_offer(sandbox, dana, spot, "Mon-Fri 8-18 for 2 weeks")
    assert "9 stays, €270.00 in all" in offer.text
    assert "Already taken (1):\n• Wed, Jun 10 08:00 – 18:00" in offer.text
    assert "✅ Book the 9 free · €270.00" in offer.buttons
    await dana.press("Book the 9 free")
    assert "Your 9 weekly stays are held for 15 minutes" in dana.messages()[-2].text
    assert dana.last_message().invoice["title"] == "Weekly parking from #2: 9 stays"
    notice = olga.last_message().text
    assert "New weekly booking: 9 stays" in notice
    assert "#2 · Mon, Jun 8 08:00 – 18:00" in notice
    assert "#10 · Fri, Jun 19" in notice
    await dana.pay()
    assert "Your 9 weekly stays are confirmed; the first is booking #2" in dana.last_message().text
    assert "paid: €270.00 for 9 stays" in olga.last_message().text

    stays = await _all(sandbox, Booking, Booking.driver_id != (await _pia_id(sandbox)))
    assert [b.status for b in stays] == [BookingStatus.CONFIRMED] * 9
    assert {b.series_id for b in stays} == {stays[0].series_id}
    (_pias, payment) = await _all(sandbox, Payment)
    assert payment.booking_id == stays[0].id
    assert payment.amount_minor == 27000

    # The first week: four stays (the Wednesday was Pia's), each paid out when it is over.
    sandbox.clock.advance(days=6)  # Saturday 13 June
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("move_money")
    sandbox.clock.advance(hours=1)
    await sandbox.runtime.run_job("move_money")
    first_week = [b.id for b in stays[:4]]
    payouts = await _all(sandbox, Payout, Payout.booking_id.in_(first_week))
    assert [(p.booking_id, p.amount_minor, p.status) for p in payouts] == [
        (booking_id, 2550, TransferStatus.DONE) for booking_id in first_week
    ]

    # Monday 15 June, 05:00: every stay ahead is still free to cancel.
    sandbox.clock.advance(days=1, hours=17)
    await dana.send("/bookings")
    card = next(m for m in dana.messages() if "4 more stays of this weekly booking" in m.text)
    assert "Booking #6" in card.text
    await dana.press("All 5 stays")
    listing = dana.last_message()
    assert listing.text.count("Jun 1") == 5
    await dana.press("Cancel all 5 still ahead")
    assert "You get back the full €150.00." in dana.last_message().text
    # 07:00, before she answers: Monday's stay is within its late period now, so the question
    # is asked again with what the policy says at this moment.
    sandbox.clock.advance(hours=2)
    await dana.press("Yes, cancel them")
    assert "you get back €135.00, and €15.00 goes to the owner" in dana.last_message().text
    assert [b.status for b in await _all(sandbox, Booking, Booking.id.in_([stays[4].id]))] == [
        BookingStatus.CONFIRMED
    ]
    await dana.press("Yes, cancel them")
    assert dana.last_message().text == (
        "5 stays of this weekly booking are cancelled. €135.00 will be refunded."
    )
    assert "cancelled 5 stays of a weekly booking" in olga.last_message().text
    assert "€15.00 of their price goes to you" in olga.last_message().text

    await sandbox.runtime.run_job("move_money")
    second_week = [b.id for b in stays[4:]]
    refunds = await _all(sandbox, Refund, Refund.booking_id.in_(second_week))
    assert [(r.booking_id, r.amount_minor, r.payment_id, r.status) for r in refunds] == [
        (second_week[0], 1500, payment.id, TransferStatus.DONE),
        *((booking_id, 3000, payment.id, TransferStatus.DONE) for booking_id in second_week[1:]),
    ]
    cancelled = await _all(sandbox, Booking, Booking.id.in_(second_week))
    assert {b.status for b in cancelled} == {BookingStatus.CANCELLED}


async def _pia_id(sandbox) -> int:
    async with sandbox.database.reading() as uow:
        return (await uow.session.scalars(select(Booking.driver_id).order_by(Booking.id))).first()


@pytest.mark.parametrize(
    ("pattern", "answer"),
    [
        ("Mon-Fri 8-18", "Please say for how long, too."),
        ("Mon-Fri 8-18 for 9 weeks", "That time window doesn't work"),
        ("every Saturday 9-13 until 31.12", "that is too far ahead"),
        ("every Blursday 9-13 for 2 weeks", "I couldn't read that as days and hours."),
    ],
)
async def test_a_pattern_the_bot_cannot_book_is_answered_and_asked_again(sandbox, pattern, answer):
    sandbox.clock.advance(days=6)
    _olga, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    reply = await _weekly_offer(sandbox, dana, spot, pattern)
    assert answer in reply.text
    await dana.send("Sat 9-13 for 2 weeks")
    assert "2 stays, €24.00 in all" in dana.last_message().text


async def test_a_pattern_typed_in_a_search_finds_spots_free_for_all_of_it(sandbox):
    sandbox.clock.advance(days=6)  # Sunday 7 June
    _olga, spot = await _owner_and_spot(sandbox)
    _owner, other = await _owner_and_spot(sandbox)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.spots.get(other.id)).title = "Yard by the station"
    pia = sandbox.person("Pia")
    await _book(pia, spot, when="10.06 10-12")  # one stay of the pattern is taken at the garage
    await pia.pay()

    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.send("Mon-Fri 8-18 for 2 weeks")
    found = dana.last_message()
    assert "free for every stay of “Mon-Fri 8-18 for 2 weeks” (10 stays)" in found.text
    assert "Yard by the station" in found.text
    assert "€300.00" in found.text
    assert "Garage on Elm St" not in found.text
    await dana.press("Yard by the station")
    offer = dana.last_message()
    assert "10 stays, €300.00 in all" in offer.text
    await dana.press("Book all 10")
    assert dana.last_message().invoice["title"] == "Weekly parking from #2: 10 stays"


async def test_paid_week_by_week_each_later_week_is_billed_before_it_and_lapses_unpaid(sandbox):
    sandbox.clock.advance(days=6)  # Sunday 7 June, 11:00 in Berlin
    olga, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    offer = await _weekly_offer(sandbox, dana, spot, "Mon-Fri 8-18 for 2 weeks")
    assert "📅 Pay week by week · €150.00 now" in offer.buttons
    await dana.press("Pay week by week")
    assert "Pay €150.00 now for the first week" in dana.messages()[-2].text
    assert dana.last_message().invoice["title"] == "Weekly parking from #1: 5 stays"
    assert (
        "It is paid week by week: a later week not paid 12 hours before it begins is free again."
        in olga.last_message().text
    )
    await dana.pay()
    assert "Your 5 weekly stays are confirmed" in dana.last_message().text
    stays = await _all(sandbox, Booking)
    assert [b.status for b in stays] == [BookingStatus.CONFIRMED] * 5 + [
        BookingStatus.AWAITING_PAYMENT
    ] * 5

    sandbox.clock.advance(days=4, hours=10)  # Thursday 11 June, 21:00: week two is billed
    await sandbox.runtime.run_job("bill_series_weeks")
    await sandbox.runtime.run_job("bill_series_weeks")  # once only
    billed = [m for m in dana.messages() if "Next week of your weekly booking" in (m.text or "")]
    assert len(billed) == 1
    assert "5 stays from Mon, Jun 15 08:00, €150.00. Pay by Sun, Jun 14 20:00" in billed[0].text
    assert dana.last_message().invoice["title"] == "Weekly parking from #6: 5 stays"
    # The series is listed by Friday's stay, paid; the week after can be paid from there too.
    await dana.send("/bookings")
    card = next(m for m in dana.messages() if "5 more stays of this weekly booking" in m.text)
    assert "Booking #5" in card.text
    await dana.press("Pay the stays from Mon, Jun 15 08:00")
    assert dana.last_message().invoice["title"] == "Weekly parking from #6: 5 stays"

    sandbox.clock.advance(days=3)  # Sunday 14 June, 21:00: not paid
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("expire_overdue")
    assert "The weekly booking from #6 expired before it was paid" in dana.last_message().text
    stays = await _all(sandbox, Booking)
    assert [b.status for b in stays] == [BookingStatus.COMPLETED] * 5 + [BookingStatus.EXPIRED] * 5
    assert "lapsed before it was paid" in olga.last_message().text


@pytest.mark.parametrize(
    ("language", "every_week", "pattern", "stays"),
    [
        ("en", "Every week", "Mon-Fri 11:00-13:00 for 2 weeks", "10 stays"),
        ("ru", "Каждую неделю", "пн-пт 11:00-13:00 на 2 недели", "10 пребываний"),
        ("zh_Hans", "每周重复", "工作日 11:00-13:00 连续2周", "共 10 次停车"),
    ],
)
async def test_a_pattern_is_offered_as_a_button_in_the_drivers_words(
    sandbox, language, every_week, pattern, stays
):
    sandbox.clock.advance(days=6)  # Sunday 7 June, 11:00 in Berlin
    _olga, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana", language=language)
    await dana.share_location(spot.lat, spot.lon)
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press_data(f"book:{spot.id}", dana.last_message())
    await dana.press(every_week)
    assert f"🔁 {pattern}" in dana.last_message().buttons
    await dana.press(pattern)
    assert pattern in dana.last_message().text
    assert stays in dana.last_message().text
