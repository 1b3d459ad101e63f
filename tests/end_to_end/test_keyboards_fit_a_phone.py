"""Every keyboard a driver and an owner meet, walked in each language: the sandbox fixture then
checks each label against a phone-width button (bot/button_width.py), so a translation that
Telegram would cut with "…" fails here."""

import re

import pytest

from bot.i18n import translator
from locales.update import LANGUAGES
from tests.end_to_end.test_bookings import _owner_and_spot


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_driver_and_an_owner_walk_every_keyboard_in_their_language(sandbox, language):
    _ = translator(language).gettext
    owner, spot = await _owner_and_spot(sandbox)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.people.by_telegram_id(owner.id)).language = language
    driver = sandbox.person("Dana", language=language)
    await driver.send("/start")
    await driver.press(_("🚗 I need a spot"))
    await driver.share_location(spot.lat, spot.lon)
    # Each state of each filter: every vehicle size, every rating, each order and window.
    for _size in range(6):
        await driver.press("🚙")
    for _rating in range(3):
        await driver.press("★")
    for label in ("Cheapest", "Best rated", "Nearest", "4 h", "Tonight", "Tomorrow", "2 h"):
        await driver.press(_(label))
    await driver.press(_("⚡ EV charger"))
    await driver.press(_("☂️ Covered"))
    await driver.press(_("⚡ EV charger"))
    await driver.press(_("☂️ Covered"))
    await driver.press_data(f"spot:{spot.id}", driver.last_message())
    await driver.press(_("📅 Book"))
    await driver.press(_("✅ Confirm"))
    await driver.pay()
    assert any(_("💬 Message owner") in label for label in driver.last_message().buttons)
    await driver.send("/bookings")
    await driver.press(_("⏩ Extend"))
    await driver.send("/bookings")
    await driver.press(_("✖️ Cancel"))
    await owner.send("/start")
    await owner.send("/bookings")
    await owner.send("/myspots")
    await owner.press(_("🔒 Who can book"))
    await owner.press(_("Trusted only"))
    await owner.press(_("✋ I approve each"))
    group = sandbox.world.add_group("Elm St", admins=[owner.id], members=[driver.id])
    await owner.add_bot_to(group.id)
    await owner.send("/offerhere", chat=group.id)
    await owner.press(_("🔒 Only"))
    await driver.send("/spots", chat=group.id)
    await owner.send("/operator")
    await owner.press("20%")
    await driver.open_link(re.search(r"https://t\.me/\S+", owner.last_message().text).group(0))
    await driver.press(_("✅ Accept"))
    await owner.send("/operator")
    await driver.send("/portfolio")
    await owner.send("/list")
    await driver.send("/credit")
    await driver.send("/help")
    await owner.send("/earnings")
    keyboards = {
        str(event["message"]["reply_markup"])
        for person in (driver, owner)
        for event in sandbox.world.chat(person.id).events
        if "reply_markup" in event.get("message", {})
    }
    assert len(keyboards) >= 20  # the walk met that many different keyboards
