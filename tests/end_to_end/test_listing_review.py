"""The managers' listing card carries what approving needs: the spot's photo, with its address,
price, regular hours, features and access text in the caption; a caption past Telegram's 1,024
characters goes on below the photo as a message, which then carries the buttons."""

from core.status import SpotStatus
from sandbox.formatting import utf16_length
from tests.end_to_end.test_listing import _list_a_spot, _spots_of

BERLIN = (52.5200, 13.4050)


async def test_the_managers_listing_card_shows_what_approving_needs(sandbox):
    owner = sandbox.person("Olga")
    await _list_a_spot(sandbox, owner, "en", BERLIN, "€3/h")

    card = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert card.photo  # the owner's first photo, with the card as its caption
    assert "Listing #1: Garage on Elm St" in card.text
    assert "€3.00 per hour" in card.text
    assert "Regular hours: Mon–Fri 08:00–18:00" in card.text
    assert "Fits: cars up to medium size, covered" in card.text
    assert "Access: Gate code 1234, level -1" in card.text
    assert "📷 2 photos" in card.text
    assert "Owner's credit score: 600" in card.text
    assert card.buttons == ["✅ Approve", "❌ Reject"]

    await sandbox.manager.press("Approve", chat=sandbox.managers_group)
    decided = sandbox.manager.last_message(chat=sandbox.managers_group)
    assert decided.id == card.id
    assert decided.photo
    assert "Access: Gate code 1234, level -1" in decided.text
    assert "✅ Approved by Maria" in decided.text
    assert (await _spots_of(sandbox, owner.id))[0].status == SpotStatus.APPROVED


async def test_a_card_too_long_for_a_caption_goes_on_below_its_photo(sandbox):
    owner = sandbox.person("Olga")
    await _list_a_spot(sandbox, owner, "en", BERLIN, "€3/h")
    access = "Ring twice at the gate & wait <for> the barrier; " * 30  # 1,500 characters
    async with sandbox.database.unit_of_work() as uow:
        (spot,) = await uow.spots.owned_by((await uow.people.by_telegram_id(owner.id)).id)
        spot.access_instructions = access
    maria, group = sandbox.manager, sandbox.managers_group
    before = len(maria.messages(chat=group))

    await maria.send("/pending", chat=group)
    photo, rest = maria.messages(chat=group)[before:][-2:]
    assert photo.photo
    assert utf16_length(photo.text) <= 1024
    assert photo.buttons == []
    assert "Listing #1: Garage on Elm St" in photo.text
    assert "Owner's credit score: 600" in rest.text
    assert "the barrier; Ring twice" in photo.text + rest.text
    assert rest.buttons == ["✅ Approve", "❌ Reject"]

    await maria.press("Reject", chat=group)
    await maria.press("the price looks wrong", chat=group)
    decided = maria.last_message(chat=group)
    assert decided.id == rest.id
    assert "❌ Rejected by Maria" in decided.text
    assert utf16_length(decided.text) <= 4096
