"""The payment confirmation and the owner's notice in the web chat, in English and Chinese, with
a screenshot of each kept in tests/artifacts/; a paid invoice shows its receipt, not Pay."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from core.services import bookings
from tests.end_to_end.test_web_chat import (
    ARTIFACTS,
    _bot_messages,
    _new_person,
    _send,
    _world_person,
)
from tests.integration.builders import a_person, an_approved_spot

# The browser and page of the web chat's own tests, shared rather than set up twice.


@pytest.mark.parametrize(
    ("language", "shown_as", "suffix"), [("en", "en", "en"), ("zh-hans", "zh_Hans", "zh")]
)
async def test_the_driver_sees_a_full_confirmation_and_the_owner_a_notice(
    page,
    sandbox,
    language,
    shown_as,
    suffix,
):
    await _new_person(page, "Olga", role="owner", language=language)
    owner = await a_person(
        sandbox.database, sandbox.clock, "Olga", telegram_id=_world_person(sandbox, "Olga")["id"]
    )
    spot = await an_approved_spot(sandbox.database, sandbox.clock, owner)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.people.get(owner.id)).language = shown_as
        stored = await uow.spots.get(spot.id)
        stored.address = "Invalidenstraße 50, 10115 Berlin"
        stored.access_instructions = "Enter from Invalidenstraße through the grey gate; code 4711#."

    await _new_person(page, "Dana", language=language)
    await _send(page, "/start")
    await expect(_bot_messages(page)).to_have_count(1)
    async with sandbox.database.reading() as uow:
        driver = await uow.people.by_telegram_id(_world_person(sandbox, "Dana")["id"])
    start = sandbox.clock.now() + timedelta(hours=1)
    async with sandbox.database.unit_of_work() as uow:
        await bookings.request(
            uow, sandbox.clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
    await _send(page, "/bookings")
    await _bot_messages(page).last.get_by_role("button", name=re.compile("💳")).click()
    invoice = page.locator("#messages .invoice")
    await invoice.get_by_role("button", name=re.compile("Pay")).click()
    await page.locator("#pay-button").click()
    await expect(page.locator("#pay-dialog")).to_be_hidden()

    confirmation = _bot_messages(page).last
    await expect(confirmation).to_contain_text("Invalidenstraße 50, 10115 Berlin")
    await expect(confirmation).to_contain_text("code 4711#")
    await expect(confirmation).to_contain_text("#1")
    await expect(confirmation.get_by_role("link", name="Google Maps")).to_be_visible()
    if shown_as == "zh_Hans":
        await expect(confirmation.get_by_role("link", name="高德地图")).to_be_visible()
    # The invoice now shows its receipt, and no longer a Pay button.
    await expect(invoice.locator(".receipt")).to_contain_text("Paid")
    await expect(invoice.get_by_role("button")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"payment_confirmation_{suffix}.png", full_page=True)

    await page.locator("#person-select").select_option(label="Olga")
    notice = _bot_messages(page).last
    await expect(notice).to_contain_text("#1")
    await expect(notice).to_contain_text("Garage on Elm St")
    await expect(notice).not_to_contain_text("Dana")
    await page.screenshot(path=ARTIFACTS / f"owner_booking_notice_{suffix}.png", full_page=True)
