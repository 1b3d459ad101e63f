"""Did the driver come, and did they leave on time? The driver checks in with a button; an owner
who heard nothing is asked, and a "no" reaches the managers as a dispute card by itself."""

from tests.end_to_end.test_bookings import _book
from tests.end_to_end.test_trust import _booking, _earnings_after_payout, _paid, _score


async def test_a_driver_who_checks_in_spares_the_owner_the_question(sandbox):
    owner, _spot, dana = await _paid(sandbox)  # today 12-14, the clock at 11:00
    sandbox.clock.advance(minutes=46)
    await sandbox.runtime.run_job("advance_bookings")
    assert "starts at" in dana.last_message().text
    sandbox.clock.advance(minutes=10)
    answer = await dana.press("I'm here")
    assert "The owner knows you're here" in answer["text"]
    assert "The driver of booking #1 has arrived" in owner.last_message().text
    told = owner.last_message().id
    await dana.press("I'm here")
    assert owner.last_message().id == told  # told once

    sandbox.clock.advance(minutes=40)  # 12:36: past the arrival grace
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    assert "Has the driver arrived?" not in owner.last_message().text


async def test_an_owner_who_says_no_one_came_opens_a_no_show_dispute(sandbox):
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=31)  # 12:31: the stay began and nobody checked in
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    question = owner.last_message()
    assert "Has the driver arrived?" in question.text
    await owner.press("No one came")
    assert owner.messages()[-2].buttons == []  # the question can't be answered twice
    assert "A manager is looking at booking #1" in owner.last_message().text
    assert "was reported to our managers: driver didn't come" in dana.last_message().text

    maria, group = sandbox.manager, sandbox.managers_group
    card = maria.last_message(chat=group)
    assert "Dispute #1 · booking #1: driver didn't come" in card.text
    assert "no one came" in card.text
    answer = await owner.press_data("sc:1:here", question)
    assert "already answered" in answer["text"]

    await maria.press("Release to owner", chat=group)
    await maria.press("Confirm", chat=group)
    assert "A manager has decided on booking #1" in dana.last_message().text
    assert await _score(sandbox, dana) == 600 - 60  # a no-show, and no stay to count


async def test_an_owner_who_finds_the_car_still_there_gets_a_manager(sandbox):
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(minutes=46)
    await sandbox.runtime.run_job("advance_bookings")
    await dana.press("I'm here")
    sandbox.clock.advance(hours=2, minutes=29)  # 14:15: the stay ended a quarter of an hour ago
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    assert "Is the spot free again?" in owner.last_message().text
    await owner.press("The car is still there")

    card = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "Dispute #1 · booking #1: driver overstaying" in card.text
    assert "Refund driver in full" in " ".join(card.buttons)
    await sandbox.runtime.run_job("move_money")
    await owner.send("/earnings")
    assert "Waiting to be paid out: €5.10" in owner.last_message().text  # held for the ruling
    assert (await _booking(sandbox)).status == "completed"

    await sandbox.manager.press("Split 50/50", chat=sandbox.managers_group)
    await sandbox.manager.press("Confirm", chat=sandbox.managers_group)
    earnings = await _earnings_after_payout(sandbox, owner, "€2.55")
    assert "Waiting to be paid out: —" in earnings  # the rest went back to the driver
    assert "Paid out so far: €2.55" in earnings


async def test_a_spot_free_on_time_earns_the_driver_credit(sandbox):
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=3, minutes=16)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await owner.press("Yes, it's free")
    assert "The driver earns credit for leaving on time" in owner.last_message().text
    assert await _score(sandbox, dana) == 600 + 10 + 5


async def test_a_driver_who_leaves_early_has_the_owner_asked_at_once_and_earns_credit(sandbox):
    owner, _spot, dana = await _paid(sandbox)  # today 12-14, the clock at 11:00
    answer = await dana.press_data("lf:1", dana.last_message())
    assert "once your stay has begun" in answer["text"]  # not before it
    sandbox.clock.advance(hours=1, minutes=10)  # 12:10
    await sandbox.runtime.run_job("advance_bookings")
    await dana.send("/bookings")
    answer = await dana.press("I've left")
    assert "told the owner you've left" in answer["text"]
    question = owner.last_message()
    assert "The driver of booking #1 says they've left" in question.text
    assert "Is the spot free again?" in question.text
    await dana.press("I've left")
    assert owner.last_message().id == question.id  # asked once

    await owner.press("Yes, it's free")
    assert "The driver earns credit for leaving on time" in owner.last_message().text
    assert await _score(sandbox, dana) == 600 + 5
    asked = owner.last_message().id
    sandbox.clock.advance(hours=2, minutes=6)  # 14:16: the stay ended a while ago
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    assert not any(
        "Is the spot free again?" in (message.text or "")
        for message in owner.messages()
        if message.id > asked
    )  # the end of the stay does not ask again
    assert await _score(sandbox, dana) == 600 + 5 + 10


async def test_a_car_still_there_before_the_end_is_no_overstay_and_after_it_is(sandbox):
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=10)  # 12:10
    await sandbox.runtime.run_job("advance_bookings")
    await dana.send("/bookings")
    await dana.press("I've left")
    answer = await owner.press("The car is still there")
    assert "The stay isn't over yet" in answer["text"]
    assert await _score(sandbox, dana) == 600

    sandbox.clock.advance(hours=1, minutes=55)  # 14:05
    await sandbox.runtime.run_job("advance_bookings")
    await owner.press("The car is still there")
    card = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert "Dispute #1 · booking #1: driver overstaying" in card.text


async def test_the_reminder_before_the_end_offers_more_time_or_leaving(sandbox):
    _owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=2, minutes=50)  # 13:50
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    reminder = dana.last_message()
    assert "ends at" in reminder.text
    assert {"+30 min", "🚗 I've left"} <= set(reminder.buttons)


async def test_a_live_location_at_the_spot_checks_the_driver_in_and_driving_away_says_they_left(
    sandbox,
):
    owner, spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)  # 12:05
    await sandbox.runtime.run_job("advance_bookings")
    live = await dana.share_live_location(spot.lat + 0.0005, spot.lon)  # about 55 m away
    assert "the owner knows you've arrived" in dana.last_message().text
    assert "The driver of booking #1 has arrived" in owner.last_message().text

    await dana.move_live_location(live, spot.lat + 0.0010, spot.lon)  # still there
    assert "The driver of booking #1 has arrived" in owner.last_message().text
    await dana.move_live_location(live, spot.lat + 0.01, spot.lon)  # about 1.1 km away
    assert "we've asked the owner to confirm the spot is free" in dana.last_message().text
    question = owner.last_message()
    assert "The driver of booking #1 says they've left" in question.text
    await dana.move_live_location(live, spot.lat + 0.02, spot.lon)
    assert owner.last_message().id == question.id  # asked once
    await owner.press("Yes, it's free")
    assert await _score(sandbox, dana) == 600 + 5


async def test_a_live_location_away_from_the_spot_says_nothing_of_leaving_before_arriving(sandbox):
    owner, spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)
    await sandbox.runtime.run_job("advance_bookings")
    live = await dana.share_live_location(spot.lat + 0.02, spot.lon)  # on the way, 2 km off
    await dana.move_live_location(live, spot.lat + 0.03, spot.lon)
    assert not any("says they've left" in (message.text or "") for message in owner.messages())


async def test_a_car_still_there_warns_the_next_driver_before_they_set_off(sandbox):
    owner, spot, dana = await _paid(sandbox)  # today 12-14
    sam = sandbox.person("Sam")
    await sam.send("/start")
    await _book(sam, spot, when="today 14:30-16")
    await sam.pay()
    later = sandbox.person("Lea")
    await later.send("/start")
    await _book(later, spot, when="today 19-20")  # hours away: not warned yet
    await later.pay()
    sandbox.clock.advance(hours=3, minutes=16)  # 14:16: Dana's stay ended a while ago
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await owner.press("The car is still there")

    warning = sam.last_message()
    assert "the car of the stay before yours is still there" in warning.text
    assert "booking #2" in warning.text
    assert "🚫 Spot occupied" in warning.buttons
    await sam.press("Other spots nearby")
    assert "14:30 – Mon, Jun 1 16:00" in sam.last_message().text  # the rest of his window
    assert not any("still there" in (m.text or "") for m in later.messages())
    assert not any("still there" in (m.text or "") for m in dana.messages()[-1:])
