"""Spot cards in any chat: a driver types @parkshare_bot in a neighbours' group and sends the
card of a spot near her; a neighbour who never used ParkShare opens its link, finds the spot
ready to book, books and pays; the managers' report counts the card and the newcomer, and
names who brought him. A link opened by someone here before credits nobody."""

from sqlalchemy import select

from core.db.models import Booking, Person
from core.status import BookingStatus
from tests.end_to_end.test_bookings import _owner_and_spot


async def _person(sandbox, who) -> Person:
    async with sandbox.database.reading() as uow:
        return await uow.session.scalar(select(Person).where(Person.telegram_id == who.id))


async def test_a_card_sent_to_a_group_brings_a_neighbour_who_books_and_is_counted(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.send("/start")
    tom = sandbox.person("Tom")
    neighbours = sandbox.world.add_group("Elm St neighbours", admins=[dana.id], members=[tom.id])

    results = await dana.inline_query(location=(spot.lat, spot.lon))
    (card,) = [r for r in results if r["id"] == f"spot:{spot.id}"]
    assert card["title"] == spot.title
    assert "€3.00 per hour" in card["description"]
    (button,) = card["reply_markup"]["inline_keyboard"][0]
    code = (await _person(sandbox, dana)).referral_code
    assert button["url"] == f"https://t.me/parkshare_bot?start=spot_{spot.id}_{code}"
    sent = await dana.choose_inline_result(card, chat=neighbours.id)
    assert sent.raw["via_bot"]["username"] == "parkshare_bot"
    assert "Garage on Elm St" in sent.text

    await tom.open_link(button["url"])
    opened = tom.last_message()
    assert "Garage on Elm St" in opened.text
    assert any("Book" in label for label in opened.buttons)
    await tom.press("Book")
    await tom.press("Confirm")
    await tom.pay()
    (booking,) = await _all_bookings(sandbox)
    assert booking.status == BookingStatus.CONFIRMED
    assert (await _person(sandbox, tom)).referred_by_id == (await _person(sandbox, dana)).id

    # Dana was here before she opened anyone's link: it credits nobody, nor does her own.
    await dana.open_link(f"https://t.me/parkshare_bot?start=spot_{spot.id}_{code}")
    await olga.send("/share")
    olgas = (await _person(sandbox, olga)).referral_code
    sandbox.clock.advance(minutes=11)
    await dana.open_link(f"https://t.me/parkshare_bot?start=spot_{spot.id}_{olgas}")
    assert (await _person(sandbox, dana)).referred_by_id is None

    maria, group = sandbox.manager, sandbox.managers_group
    await maria.send("/report", chat=group)
    report = maria.last_message(chat=group).text
    assert "Shared: 1 spot card sent to chats. 1 new person came by a shared link." in report
    assert "Brought the most: Dana (1)" in report


async def _all_bookings(sandbox) -> list[Booking]:
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(Booking)))


async def test_a_query_with_no_place_or_a_link_to_no_spot_is_answered_politely(sandbox):
    dana = sandbox.person("Dana")
    assert await dana.inline_query("") == []
    assert dana.last_inline["button"]["text"] == "📍 Share your location, or type a place"
    assert dana.last_inline["button"]["start_parameter"] == "driver"

    await dana.open_link("https://t.me/parkshare_bot?start=spot_999999_abcdefgh")
    assert dana.last_message().text == "That spot doesn't exist or is no longer listed."
    assert (await _person(sandbox, dana)).referred_by_id is None

    await dana.send("/share")
    assert "Your spots and the spots you book will be listed here." in dana.last_message().text


async def test_share_gives_links_to_the_owners_spots_with_their_code(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    await olga.send("/share")
    code = (await _person(sandbox, olga)).referral_code
    assert f"https://t.me/parkshare_bot?start=spot_{spot.id}_{code}" in olga.last_message().text


async def test_a_banned_person_gets_no_cards_to_hand_on(sandbox):
    _olga, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await dana.send("/start")
    async with sandbox.database.unit_of_work() as uow:
        (await uow.people.by_telegram_id(dana.id)).banned = True
    assert await dana.inline_query(location=(spot.lat, spot.lon)) == []
