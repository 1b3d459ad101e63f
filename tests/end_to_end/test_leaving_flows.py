"""A person who turns to something else in the middle of a flow is never stuck in it: any
command or main-menu button ends the flow with one line saying so, then gets its own answer;
the flow's own command starts it afresh."""

from sqlalchemy import func, select

from core.db.models import Booking, Rating
from tests.end_to_end.test_bookings import _owner_and_spot
from tests.end_to_end.test_trust import _paid

BERLIN = (52.52, 13.405)


def _texts_since(person, before: int) -> list[str]:
    return [message.text for message in person.messages()[before:]]


async def test_start_during_listing_stops_it_and_list_then_starts_afresh(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/list")
    assert "/cancel" in owner.last_message().text
    await owner.share_location(*BERLIN)
    assert "name" in owner.last_message().text

    before = len(owner.messages())
    await owner.send("/start")
    stopped, greeting = _texts_since(owner, before)
    assert stopped == "Listing a spot stopped."
    assert "What brings you here?" in greeting

    before = len(owner.messages())
    await owner.send("/list")
    (question,) = _texts_since(owner, before)
    assert question.startswith("Let's list your spot. Where is it?")
    await owner.send("Garage on Elm St")  # not a name: this listing starts at the place
    assert "couldn't find that address" in owner.last_message().text


async def test_list_during_listing_restarts_it_with_one_line(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/list")
    await owner.share_location(*BERLIN)
    await owner.send("Garage on Elm St")
    before = len(owner.messages())
    await owner.send("/list")
    stopped, question = _texts_since(owner, before)
    assert stopped == "Listing a spot stopped."
    assert question.startswith("Let's list your spot. Where is it?")
    assert "I don't know that command" not in " ".join(_texts_since(owner, 0))


async def test_the_main_menu_button_works_in_the_middle_of_a_listing(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/start")
    await owner.send("/list")
    await owner.share_location(*BERLIN)
    before = len(owner.messages())
    answer = await owner.press("I have a spot to rent out")
    assert not (answer or {}).get("show_alert")  # not "This button is no longer valid."
    stopped, welcome = _texts_since(owner, before)
    assert stopped == "Listing a spot stopped."
    assert welcome.startswith("Great! You'll list your spot")


async def test_text_after_an_interruption_is_not_taken_as_the_spots_name(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/list")
    await owner.share_location(*BERLIN)
    await owner.send("/help")
    before = len(owner.messages())
    await owner.send("Garage on Elm St")
    assert not any("price per hour" in text for text in _texts_since(owner, before))
    assert owner.last_message().text != "Got it."


async def test_a_command_in_the_middle_of_a_booking_ends_it(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    assert "/cancel" in dana.last_message().text

    before = len(dana.messages())
    await dana.send("/bookings")
    stopped, *answer = _texts_since(dana, before)
    assert stopped == "Booking stopped. Nothing was reserved."
    assert answer  # /bookings answered too

    refused = await dana.press("Confirm")  # the offer shown before is over
    assert refused["show_alert"]
    async with sandbox.database.reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Booking)) == 0


async def test_a_command_in_the_middle_of_a_rating_ends_it(sandbox):
    _owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=3, minutes=1)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await dana.press("Rate the stay #1")
    await dana.press("4⭐")

    before = len(dana.messages())
    await dana.send("/help")
    stopped, *answer = _texts_since(dana, before)
    assert stopped == "Rating stopped. You can rate later from /bookings."
    assert answer
    await dana.send("Easy to find, a bit tight")  # no longer taken as the comment
    async with sandbox.database.reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Rating)) == 0


async def test_a_flow_left_quiet_for_half_an_hour_ends_and_says_so(sandbox):
    olga = sandbox.person("Olga")
    await olga.send("/list")
    await olga.share_location(52.52, 13.405)
    sandbox.clock.advance(minutes=29)
    await sandbox.runtime.run_job("end_quiet_flows")
    assert "quiet minutes" not in olga.last_message().text  # not yet
    await olga.send("Garage on Elm St")  # a step taken: quiet from now on
    sandbox.clock.advance(minutes=29)
    await sandbox.runtime.run_job("end_quiet_flows")
    assert "quiet minutes" not in olga.last_message().text
    sandbox.clock.advance(minutes=2)
    await sandbox.runtime.run_job("end_quiet_flows")
    assert "I stopped the listing after 30 quiet minutes" in olga.last_message().text
    await sandbox.runtime.run_job("end_quiet_flows")  # said once
    assert len([m for m in olga.messages() if "quiet minutes" in m.text]) == 1
    await olga.send("2.50")  # no longer the price of a listing
    assert "cheaper price for a whole day" not in olga.last_message().text
