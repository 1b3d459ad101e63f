"""A building's group chat with the bot: an owner offers her spot to the group first; a
neighbour finds it with /spots, books it for the day after tomorrow in a private chat and pays;
an outsider finds it in no search for that day and cannot book it by its link; the group sees
the spot, never who booked it. The group's admins turn it off, and the spot is open to all."""

from sqlalchemy import select

from core.db.models import Booking, SpotCommunity
from core.status import BookingStatus
from tests.end_to_end.test_bookings import _owner_and_spot

LATER = "03.06 10-12"  # Wednesday, two days after the sandbox's Monday: past the members' day


async def _bookings(sandbox) -> list[Booking]:
    async with sandbox.database.reading() as uow:
        return list(await uow.session.scalars(select(Booking).order_by(Booking.id)))


async def _book_from_card(driver, when: str) -> None:
    await driver.press("Book")
    await driver.press("Another time")
    await driver.send(when)
    await driver.press("Confirm")


async def test_a_spot_offered_to_a_group_first_is_its_members_and_keeps_names_out(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    nina, otto = sandbox.person("Nina"), sandbox.person("Otto")
    for person in (nina, otto):
        await person.send("/start")
    group = sandbox.world.add_group("Elm St residents", admins=[olga.id], members=[nina.id])
    await olga.add_bot_to(group.id)
    assert "Hello, neighbours!" in olga.last_message(chat=group.id).text

    await olga.send("/offerhere", chat=group.id)
    assert "I've sent you the choices" in olga.last_message(chat=group.id).text
    assert "How do you offer your spots to “Elm St residents”?" in olga.last_message().text
    await olga.press("🏘 First")
    assert any(label.startswith("✅ 🏘 First") for label in olga.last_message().buttons)

    await nina.send("/spots", chat=group.id)
    listing = nina.last_message(chat=group.id)
    assert "Garage on Elm St" in listing.text
    (row,) = listing.raw["reply_markup"]["inline_keyboard"]
    link = row[0]["url"]
    await nina.open_link(link)
    await _book_from_card(nina, LATER)
    await nina.pay()
    (booking,) = await _bookings(sandbox)
    assert booking.status == BookingStatus.CONFIRMED

    # Otto is not in the group: the spot is not in his search for that day, nor his by link.
    await otto.share_location(spot.lat, spot.lon)
    await otto.press("Other time")
    await otto.send("04.06 10-12")
    assert "No spot is free within" in otto.last_message().text
    await otto.open_link(link)
    await _book_from_card(otto, "04.06 10-12")
    assert "offered to the members of a neighbourhood group first" in otto.last_message().text
    assert len(await _bookings(sandbox)) == 1

    # The group heard of spots, never of who booked one.
    said = " ".join(m.text for m in olga.messages(chat=group.id))
    assert "Nina" not in said
    assert "Olga" not in said

    # A stranger cannot turn it off; an admin can, and the spot is open to all again.
    await nina.send("/groupspots off", chat=group.id)
    assert "Only the group's admins" in nina.last_message(chat=group.id).text
    await olga.send("/groupspots off", chat=group.id)
    assert "open to all" in olga.last_message(chat=group.id).text
    await otto.open_link(link)
    await _book_from_card(otto, "04.06 10-12")
    assert len(await _bookings(sandbox)) == 2


async def test_only_members_of_an_only_group_book_and_forged_offers_change_nothing(sandbox):
    olga, spot = await _owner_and_spot(sandbox)
    otto = sandbox.person("Otto")
    await otto.send("/start")
    group = sandbox.world.add_group("Office", admins=[olga.id], members=[])
    await olga.add_bot_to(group.id)
    await olga.send("/offerhere", chat=group.id)
    await olga.press("🔒 Only")

    # Within the next hours too: the group's alone.
    await otto.open_link(f"https://t.me/parkshare_bot?start=spot_{spot.id}")
    await otto.press("Book")
    await otto.press("Confirm")
    assert "for the members of a neighbourhood group only" in otto.last_message().text
    assert await _bookings(sandbox) == []

    # Otto joins the group: he still cannot offer or take back Olga's spot there.
    group.members[otto.id] = "member"
    community = olga.last_message().button_data[0].split(":")[1]
    for data in (f"gc:{community}:{spot.id}:none", f"gc:{community}:{spot.id}:first"):
        answer = await otto.press_data(data, otto.last_message())
        assert answer["show_alert"], data
        assert "That spot doesn't exist" in answer["text"], data
    async with sandbox.database.reading() as uow:
        (link,) = await uow.session.scalars(select(SpotCommunity))
        assert link.only


async def test_an_owner_the_bot_cannot_write_to_is_asked_to_start_a_private_chat(sandbox):
    olga, _spot = await _owner_and_spot(sandbox)
    group = sandbox.world.add_group("Elm St residents", admins=[olga.id], members=[])
    await olga.add_bot_to(group.id)
    olga.block_the_bot()
    await olga.send("/offerhere", chat=group.id)
    assert "Start a private chat with me first" in olga.last_message(chat=group.id).text
