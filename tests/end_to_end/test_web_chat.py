"""The web chat in a real browser: Debian's chromium driven by Playwright against the sandbox and
the real bot. A screenshot of each page is kept in tests/artifacts/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from core.services import bookings, operators
from core.status import BookingStatus
from tests.end_to_end.test_operators import spots_table
from tests.integration.builders import a_person, an_approved_spot

from tests.end_to_end.conftest import ARTIFACTS  # isort: skip


def _world_person(sandbox, name: str):
    """The sandbox's own record of a person the web chat created."""
    return next(p for p in sandbox.world.people.values() if p["first_name"] == name)


async def _new_person(page: Page, name: str, *, role: str = "driver", language: str = "en"):
    # The form's panel is open on an empty sandbox and closes after each person is made; a
    # click on its summary toggles it, so it is clicked only when the panel is closed.
    panel = page.locator("#new-person")
    if not await panel.evaluate("panel => panel.open"):
        await page.locator("#new-person summary").click()
    await page.locator("input[name=name]").fill(name)
    await page.locator("select[name=role]").select_option(role)
    await page.locator("select[name=language]").select_option(language)
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator("#person-select option:checked")).to_have_text(name)
    await expect(panel).to_have_js_property("open", False)  # the page is done with the form


def _bot_messages(page: Page):
    return page.locator("#messages .message:not(.mine)")


async def _send(page: Page, text: str) -> None:
    await page.locator("#text-input").fill(text)
    await page.locator("#text-input").press("Enter")


@pytest.mark.parametrize("demo_spots", [40])
async def test_a_new_person_starts_presses_and_shares_a_place_on_the_map(page, sandbox):
    await expect(page.locator(".banner")).to_contain_text("no real money")
    await _new_person(page, "Bea")
    await _send(page, "/start")

    greeting = _bot_messages(page).last
    await expect(greeting).to_contain_text("Bea")
    await expect(greeting).to_contain_text("What brings you here?")
    await expect(greeting.locator(".inline-keyboard button")).to_have_count(2)
    await page.screenshot(path=_artifact("web_chat.png"))

    await greeting.get_by_role("button", name="🚗 I need a spot").click()
    await expect(greeting.locator(".inline-keyboard")).to_have_count(0)  # edited in place
    await expect(_bot_messages(page).last).to_contain_text("Share your location")
    await page.locator("#reply-keyboard").get_by_role("button", name="📍 Share my location").click()

    map_dialog = page.locator("#map-dialog")
    await expect(map_dialog).to_be_visible()
    box = await page.locator("#map").bounding_box()
    assert box is not None
    await page.locator("#map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude = float(await page.locator("#map-lat").input_value())
    assert 52.3 < latitude < 52.7  # the middle of the demo city, Berlin
    await page.get_by_role("button", name="Share location").click()
    await expect(map_dialog).to_be_hidden()

    await expect(page.locator("#messages .message.mine .place")).to_have_count(1)
    results = _bot_messages(page).last
    await expect(results).to_contain_text(re.compile(r"\d+ m|\d+(\.\d)? km"))
    await expect(results.locator(".inline-keyboard button").first).to_be_visible()


@pytest.mark.parametrize("demo_spots", [40])
async def test_a_spot_card_from_inline_mode_is_sent_and_its_link_opens_the_spot(page, sandbox):
    await _new_person(page, "Ines")
    await _send(page, "/start")
    await expect(_bot_messages(page)).to_have_count(1)
    await page.locator("#location-button").click()
    box = await page.locator("#map").bounding_box()
    assert box is not None
    await page.locator("#map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    await page.get_by_role("button", name="Share location").click()
    await expect(_bot_messages(page)).to_have_count(2)

    await _send(page, "@parkshare_bot")
    results = page.locator("#inline-results button")
    await expect(results.first).to_be_visible()
    await page.screenshot(path=_artifact("web_chat_inline.png"))
    await results.first.click()
    await expect(page.locator("#inline-results")).to_be_hidden()
    sent = page.locator("#messages .message.mine").last
    await expect(sent).to_contain_text("Private parking on ParkShare")

    await sent.get_by_role("link", name="📅 Book in ParkShare").click()
    card = _bot_messages(page).last
    await expect(card).to_contain_text("per hour")
    await expect(card.get_by_role("button", name="📅 Book")).to_be_visible()


async def test_a_driver_pays_an_invoice_in_the_sandbox_payment_form(page, sandbox):
    await _new_person(page, "Dana")
    await _send(page, "/start")
    await expect(_bot_messages(page)).to_have_count(1)
    dana = next(p for p in sandbox.world.people.values() if p["first_name"] == "Dana")
    owner = await a_person(sandbox.database, sandbox.clock, "Olga")
    spot = await an_approved_spot(sandbox.database, sandbox.clock, owner)
    async with sandbox.database.reading() as uow:
        driver = await uow.people.by_telegram_id(dana["id"])
    start = sandbox.clock.now() + timedelta(hours=1)
    async with sandbox.database.unit_of_work() as uow:
        booking = await bookings.request(
            uow, sandbox.clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip

    await _send(page, "/bookings")
    await _bot_messages(page).last.get_by_role("button", name=re.compile("Pay")).click()
    invoice = page.locator("#messages .invoice")
    await expect(invoice).to_contain_text("6.00")
    await invoice.get_by_role("button", name=re.compile("Pay")).click()
    await expect(page.locator("#pay-dialog")).to_contain_text("no real money", ignore_case=True)
    await page.locator("#pay-button").click()

    await expect(page.locator("#pay-dialog")).to_be_hidden()
    await expect(page.locator("#messages .service")).to_contain_text("You paid")
    await expect(_bot_messages(page).last).to_contain_text("confirmed", ignore_case=True)
    async with sandbox.database.reading() as uow:
        assert (await uow.bookings.get(booking.id)).status == BookingStatus.CONFIRMED


async def test_a_manager_sees_the_managers_group_and_a_driver_does_not(page, sandbox):
    await _new_person(page, "Mona", role="manager", language="ru")
    chats = page.locator("#chat-list button")
    await expect(chats).to_have_count(2)
    await chats.nth(1).click()
    await expect(page.locator("#chat-title")).to_have_text("ParkShare managers")
    await expect(page.locator("#location-button")).to_be_disabled()
    await _send(page, "/pending")
    await expect(_bot_messages(page).last).to_be_visible()

    await _new_person(page, "Dmitri", language="ru")
    await expect(chats).to_have_count(1)
    await _send(page, "/start")
    await expect(_bot_messages(page).last).to_contain_text("Чем могу помочь?")


async def test_an_operator_sends_a_table_of_spots_with_the_file_button(page, sandbox):
    await _new_person(page, "Oleg")
    await _send(page, "/start")
    await expect(_bot_messages(page)).to_have_count(1)
    owner = await a_person(sandbox.database, sandbox.clock, "Olga")
    await an_approved_spot(sandbox.database, sandbox.clock, owner)
    async with sandbox.database.unit_of_work() as uow:
        oleg = await uow.people.by_telegram_id(_world_person(sandbox, "Oleg")["id"])
        code = (await operators.invite(uow, sandbox.clock, owner_id=owner.id, percent=10)).code
        await operators.accept(uow, sandbox.clock, code=code, person_id=oleg.id)

    await _send(page, "/portfolio")
    await _bot_messages(page).last.get_by_role("button", name="📥 Import").click()
    await expect(_bot_messages(page).last).to_contain_text("CSV or XLSX")
    await page.locator("#document-input").set_input_files(
        files=[{"name": "spots.csv", "mimeType": "text/csv", "buffer": spots_table()}]
    )
    await expect(page.locator("#messages .message.mine .document")).to_contain_text("spots.csv")
    report = _bot_messages(page).last
    await expect(report).to_contain_text("Listed 17 of 20 rows for Olga")
    await expect(report).to_contain_text("Row 5: that place is at sea")
    await page.screenshot(path=_artifact("web_chat_import.png"))


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
