"""The sandbox speaks the Bot API to the real bot: commands, buttons, places, photos, groups
and payments, the way Telegram delivers them."""

from datetime import timedelta

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from core.services import bookings, spots
from core.status import BookingStatus, SpotStatus
from sandbox.client import tiny_png
from tests.integration.builders import BERLIN_CENTRE, a_person, an_approved_spot

GREETINGS = {
    "en": ("What brings you here?", "🚗 I need a spot"),
    "zh-hans": ("您想做什么？", "🚗 我要找车位"),
    "ru": ("Чем могу помочь?", "🚗 Мне нужно место"),
}


@pytest.mark.parametrize("language", GREETINGS)
async def test_start_greets_each_person_in_their_language(sandbox, language):
    person = sandbox.person("Alice", language=language)
    await person.send("/start")
    greeting = person.last_message()
    question, first_button = GREETINGS[language]
    assert "Alice" in greeting.text
    assert greeting.text.endswith(question)
    assert greeting.buttons[0] == first_button
    assert len(greeting.buttons) == 2


async def test_a_pressed_button_edits_its_message(sandbox):
    dana = sandbox.person("Dana")
    await dana.send("/start")
    greeting = dana.last_message()
    await dana.press("I need a spot")
    assert dana.messages()[0].id == greeting.id
    assert dana.messages()[0].buttons == []  # the role keyboard was taken off the greeting
    assert "Share your location" in dana.last_message().text
    assert dana.reply_keyboard() == ["📍 Share my location"]


async def test_a_shared_location_finds_the_spot_nearby(sandbox):
    owner = await a_person(sandbox.database, sandbox.clock, "Olga")
    await an_approved_spot(sandbox.database, sandbox.clock, owner)
    dana = sandbox.person("Dana")
    await dana.send("/start")
    await dana.share_location(BERLIN_CENTRE.lat + 0.001, BERLIN_CENTRE.lon)
    results = dana.last_message()
    assert "Garage on Elm St" in results.text
    assert any("Garage on Elm St" in button for button in results.buttons)


async def test_a_photo_travels_both_ways_and_downloads_intact(sandbox):
    picture = tiny_png(rgb=(200, 30, 30))
    dana = sandbox.person("Dana")
    await dana.send("/start")
    await dana.send_photo(picture)
    bot = sandbox.runtime.application.bot
    (received,) = [m for m in sandbox.world.chat(dana.id).messages.values() if "photo" in m]
    file = await bot.get_file(received["photo"][-1]["file_id"])
    assert bytes(await file.download_as_bytearray()) == picture
    echoed = await bot.send_photo(dana.id, photo=picture, caption="<b>Your spot</b>")
    assert echoed.caption == "Your spot"
    assert echoed.caption_entities[0].type == "bold"
    assert dana.last_message().photo is not None


async def test_only_the_groups_administrators_decide_on_listings(sandbox):
    owner_user = sandbox.person("Olga")
    await owner_user.send("/start")
    owner = await a_person(sandbox.database, sandbox.clock, "Olga", telegram_id=owner_user.id + 10)
    spot = await an_approved_spot(sandbox.database, sandbox.clock, owner, status=SpotStatus.PENDING)
    group, maria, max_ = sandbox.managers_group, sandbox.manager, sandbox.group_member

    await maria.send("/pending", chat=group)
    card = maria.last_message(chat=group)
    assert "Garage on Elm St" in card.text
    assert "✅ Approve" in card.buttons

    answer = await max_.press("Approve", chat=group)
    assert answer["show_alert"]
    assert "administrators" in answer["text"]
    assert maria.last_message(chat=group).buttons == card.buttons
    async with sandbox.database.reading() as uow:
        assert (await spots.get(uow, spot.id)).status == SpotStatus.PENDING

    await maria.press("Approve", chat=group)
    assert "Approved by Maria" in maria.last_message(chat=group).text
    assert maria.last_message(chat=group).buttons == []
    async with sandbox.database.reading() as uow:
        assert (await spots.get(uow, spot.id)).status == SpotStatus.APPROVED


async def test_an_invoice_is_paid_through_pre_checkout_and_successful_payment(sandbox):
    dana = sandbox.person("Dana")
    await dana.send("/start")
    owner = await a_person(sandbox.database, sandbox.clock, "Olga")
    spot = await an_approved_spot(sandbox.database, sandbox.clock, owner)
    async with sandbox.database.reading() as uow:
        driver = await uow.people.by_telegram_id(dana.id)
    start = sandbox.clock.now() + timedelta(hours=1)
    async with sandbox.database.unit_of_work() as uow:
        booking = await bookings.request(
            uow, sandbox.clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
    assert booking.status == BookingStatus.AWAITING_PAYMENT

    await dana.send("/bookings")
    await dana.press("Pay")
    invoice = dana.last_message().invoice
    assert invoice["total_amount"] == 600
    assert invoice["currency"] == "EUR"
    outcome = await dana.pay()
    assert outcome["kind"] == "paid"
    kinds = [next(k for k in u if k != "update_id") for u in sandbox.world.log]
    assert kinds[-2:] == ["pre_checkout_query", "message"]
    assert "successful_payment" in sandbox.world.log[-1]["message"]
    async with sandbox.database.reading() as uow:
        assert (await uow.bookings.get(booking.id)).status == BookingStatus.CONFIRMED
    assert "confirmed" in dana.last_message().text.lower()


async def test_the_sandbox_refuses_what_telegram_refuses(sandbox):
    bot = sandbox.runtime.application.bot
    dana = sandbox.person("Dana")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(123, "hello")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(dana.id, " ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(dana.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(dana.id, "<b>unclosed", parse_mode="HTML")
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="y" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(dana.id, "hello", reply_markup=too_long_data)
    with pytest.raises(TelegramError, match="sendDice"):
        await bot.send_dice(dana.id)
