"""An owner lists a spot by chatting, managers approve it, and the owner changes its hours by
just saying so."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import translator
from core.db.models import AvailabilityWindow, Spot, SpotPhoto
from core.status import SpotStatus
from sandbox.client import tiny_png

# language: (sandbox language code, where the spot is, its zone, the price typed, minor, currency)
OWNERS = {
    "en": ("en", (52.5200, 13.4050), "Europe/Berlin", "€3/h", 300, "EUR"),
    "zh": ("zh-hans", (31.2304, 121.4737), "Asia/Shanghai", "30 元", 3000, "CNY"),
    "ru": ("ru", (55.7558, 37.6173), "Europe/Moscow", "200 ₽", 20000, "RUB"),
}


async def _spots_of(sandbox, telegram_id):
    async with sandbox.database.reading() as uow:
        owner = await uow.people.by_telegram_id(telegram_id)
        if owner is None:
            return []
        return await uow.spots.owned_by(owner.id)


async def _list_a_spot(sandbox, owner, language, place, price):
    _ = translator({"zh": "zh_Hans"}.get(language, language)).gettext
    await owner.send("/list")
    await owner.share_location(*place)
    await owner.send("Garage on Elm St")
    await owner.send(price)
    await owner.press(_("Skip"))
    await owner.press(_("Covered"))
    assert owner.last_message().buttons[0].startswith("☑️")
    await owner.press(_("Done"))
    await owner.send("Gate code 1234, level -1")
    await owner.send_photo(tiny_png(rgb=(10, 10, 10)))
    await owner.send_photo(tiny_png(rgb=(20, 20, 20)))
    await owner.press(_("Done"))
    await owner.send("Mon-Fri 08:00-18:00")
    summary = owner.last_message()
    assert _("✅ Submit") in summary.buttons
    await owner.press(_("✅ Submit"))


@pytest.mark.parametrize("language", OWNERS)
async def test_an_owner_lists_a_spot_and_a_manager_approves_it(sandbox, language):
    code, place, zone, price, minor, currency = OWNERS[language]
    owner = sandbox.person("Olga", language=code)
    await _list_a_spot(sandbox, owner, language, place, price)

    (spot,) = await _spots_of(sandbox, owner.id)
    assert spot.status == SpotStatus.PENDING
    assert (spot.hourly_price_minor, spot.currency, spot.timezone) == (minor, currency, zone)
    assert spot.covered
    async with sandbox.database.reading() as uow:
        photos = (await uow.session.scalars(select(SpotPhoto.telegram_file_id))).all()
    assert len(photos) == 2
    assert spot.access_instructions == "Gate code 1234, level -1"

    group = sandbox.managers_group
    venue, card = sandbox.manager.messages(chat=group)[-2:]
    assert venue.raw["venue"]["location"]["latitude"] == pytest.approx(place[0])
    assert "Garage on Elm St" in card.text
    assert "credit score: 600" in card.text

    refused = await sandbox.group_member.press("Approve", chat=group)
    assert refused["show_alert"]
    assert (await _spots_of(sandbox, owner.id))[0].status == SpotStatus.PENDING

    await sandbox.manager.press("Approve", chat=group)
    assert (await _spots_of(sandbox, owner.id))[0].status == SpotStatus.APPROVED
    assert "Garage on Elm St" in owner.last_message().text


async def test_the_owner_adds_hours_by_message_in_the_spots_timezone(sandbox):
    owner = sandbox.person("Olga")
    await _list_a_spot(sandbox, owner, "en", (52.52, 13.405), "3.50")
    await sandbox.manager.press("Approve", chat=sandbox.managers_group)

    await owner.send("tomorrow 9-17")  # the clock stands at Monday 1 June 2026, 11:00 in Berlin
    assert "Garage on Elm St" in owner.last_message().text
    assert "09:00–17:00" in owner.last_message().text
    assert "↩️ Undo" in owner.last_message().buttons
    async with sandbox.database.reading() as uow:
        (window,) = (await uow.session.scalars(select(AvailabilityWindow))).all()
    assert window.start_at == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert window.start_at.astimezone(ZoneInfo("Europe/Berlin")).hour == 9
    assert not window.blocked

    await owner.press("Undo")
    async with sandbox.database.reading() as uow:
        assert (await uow.session.scalars(select(AvailabilityWindow))).all() == []


async def test_every_step_answers_bad_input_and_stays_put(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/list")
    await owner.send("somewhere over the rainbow")
    assert "couldn't find that address" in owner.last_message().text
    await owner.send_photo()
    assert "isn't what I asked for" in owner.last_message().text
    await owner.share_location(52.52, 13.405)
    await owner.send("x" * 81)
    assert "up to 80 characters" in owner.last_message().text
    await owner.send("Garage on Elm St")
    for bad_price in ("-5", "abc", "0", "99999999"):
        await owner.send(bad_price)
        assert "price doesn't look right" in owner.last_message().text, bad_price
    await owner.send("3")
    await owner.send("30 ₽")
    assert "same currency" in owner.last_message().text
    await owner.press("Skip")
    await owner.send("covered please")
    assert "isn't what I asked for" in owner.last_message().text
    await owner.press("Done")
    await owner.press("Skip")
    for shade in range(5):
        await owner.send_photo(tiny_png(rgb=(shade, shade, shade)))
    assert "When is the spot free?" in owner.last_message().text
    await owner.send_photo()
    assert "at most 5 photos" in owner.last_message().text
    await owner.send("whenever it suits me")
    assert "couldn't read that as opening hours" in owner.last_message().text
    assert "Mon-Fri 08:00-18:00" in owner.last_message().text
    await owner.send("today until 06:00")
    assert "already in the past" in owner.last_message().text

    async with sandbox.database.reading() as uow:
        assert (await uow.session.scalars(select(Spot))).all() == []

    await owner.send("every day 7-23")
    summary = owner.last_message()
    assert "Photos: 5" in summary.text
    await owner.send("/cancel")
    assert "Nothing was saved" in owner.last_message().text
    async with sandbox.database.reading() as uow:
        assert (await uow.session.scalars(select(Spot))).all() == []


async def test_a_forged_button_changes_nothing(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/list")
    await owner.share_location(52.52, 13.405)
    await owner.send("Garage")
    await owner.send("3")
    answer = await owner.press_data("ls:submit:extra", owner.last_message())
    assert answer["show_alert"]
    answer = await owner.press_data("ls:launch", owner.last_message())
    assert answer["show_alert"]
    assert "cheaper price for a whole day" in owner.last_message().text


@pytest.mark.parametrize("settings_overrides", [{"moderation": False}])
async def test_without_moderation_a_listing_goes_live_at_once(sandbox):
    owner = sandbox.person("Olga")
    await _list_a_spot(sandbox, owner, "en", (52.52, 13.405), "3")
    assert "is live" in owner.last_message().text
    (spot,) = await _spots_of(sandbox, owner.id)
    assert spot.status == SpotStatus.APPROVED
    assert sandbox.manager.messages(chat=sandbox.managers_group) == []
