"""A manager settles a dispute in the web chat, in a real browser: the card, the amounts shown
before the second tap, and the card once decided, in a group set to English and to Chinese.
Screenshots of each are kept in tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from core.services import disputes
from core.services.disputes import Problem
from tests.end_to_end.test_web_chat import _artifact, _bot_messages, _new_person, _send
from tests.integration.builders import a_payment, a_stay

# The card's money buttons by place, as labels differ by language: Split 50/50, then Confirm.
SPLIT, CONFIRM = 3, 0


async def _a_dispute(sandbox, *, owner=None, driver=None) -> None:
    """The driver's paid two hours at the owner's spot (Dana and Olga unless given), reported
    for a gate that would not open."""
    db, clock = sandbox.database, sandbox.clock
    stay = await a_stay(db, clock, owner=owner, driver=driver)
    await a_payment(db, clock, stay.booking)  # through the sandbox's gateway, which refunds
    async with db.unit_of_work() as uow:
        await disputes.report(
            uow, clock, booking_id=stay.booking.id, reporter_id=stay.driver.id,
            problem=Problem.NO_ACCESS, text="The gate code does not open the gate",
            photo_file_ids=[],
        )  # fmt: skip


async def _press(chat: Page, index: int) -> None:
    await _bot_messages(chat).last.locator(".inline-keyboard button").nth(index).click()


# The group reads its managers' language (the setting), whatever the manager's own.
@pytest.mark.parametrize(("language", "settings_overrides", "asked", "decided"), [
    ("en", {}, "The driver gets back €3.00", "Still held by the platform: €0.00"),
    ("zh-hans", {"manager_language": "zh_Hans"}, "€3.00", "€0.00"),
])  # fmt: skip
async def test_a_manager_confirms_a_split_in_the_web_chat(
    page,
    sandbox,
    language,
    asked,
    decided,
):
    await _a_dispute(sandbox)
    await _new_person(page, "Mona", role="manager", language=language)
    await page.locator("#chat-list button").nth(1).click()
    await expect(page.locator("#chat-title")).to_have_text("ParkShare managers")
    await _send(page, "/disputes")
    card = _bot_messages(page).last
    await expect(card).to_contain_text("The gate code does not open the gate")
    await expect(card.locator(".inline-keyboard button")).to_have_count(10)

    await _press(page, SPLIT)
    await expect(card.locator(".inline-keyboard button")).to_have_count(2)
    await expect(card).to_contain_text(asked)
    await expect(card).to_contain_text("€2.55")
    await expect(card).to_contain_text("€0.45")
    await page.screenshot(path=_artifact(f"dispute_card_confirm_{language}.png"), full_page=True)

    await _press(page, CONFIRM)
    await expect(card.locator(".inline-keyboard button")).to_have_count(0)
    await expect(card).to_contain_text("Mona")
    await expect(card).to_contain_text(decided)
    await page.screenshot(path=_artifact(f"dispute_card_decided_{language}.png"), full_page=True)
