"""Where money is decided and moves, in Chinese and Russian, in a real browser: the dispute card
in the managers' group (set to that language, whatever the manager's own), the owner's payout
and the driver's refund. Screenshots of each are kept in tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from bot.i18n import translator
from core.money import Money
from tests.end_to_end.test_web_chat import (
    _artifact,
    _bot_messages,
    _new_person,
    _send,
    _world_person,
)
from tests.end_to_end.test_web_chat_disputes import _a_dispute as a_dispute
from tests.end_to_end.test_web_chat_disputes import _press
from tests.integration.builders import a_person

# The browser and page of the web chat's own tests, shared rather than set up twice.

# The card's money buttons by place, as labels differ by language: Split 50/50, then Confirm.
SPLIT, CONFIRM = 3, 0
# Words a reader must never meet next to their money (see the glossary in locales/).
WRONG_WORDS = ("冻结", "车主", "退回", "кредитный", "заморожен")


async def _known(sandbox, name: str, language: str):
    """The web chat's person ``name``, registered with ParkShare in ``language``."""
    person = await a_person(
        sandbox.database, sandbox.clock, name, telegram_id=_world_person(sandbox, name)["id"]
    )
    async with sandbox.database.unit_of_work() as uow:
        (await uow.people.get(person.id)).language = language
    return person


async def _a_dispute(sandbox, language: str) -> None:
    """Dana's paid two hours at Olga's spot, reported for a gate that would not open."""
    owner = await _known(sandbox, "Olga", language)
    await a_dispute(sandbox, owner=owner, driver=await _known(sandbox, "Dana", language))


async def _has_no_wrong_words(chat: Page) -> None:
    shown = await chat.locator("#messages").inner_text()
    assert [word for word in WRONG_WORDS if word in shown] == []


@pytest.mark.parametrize(
    ("language", "web_language", "suffix", "settings_overrides"),
    [
        ("zh_Hans", "zh-hans", "zh-hans", {"manager_language": "zh_Hans"}),
        ("ru", "ru", "ru", {"manager_language": "ru"}),
    ],
)
async def test_a_dispute_card_a_payout_and_a_refund_read_right(
    page,
    sandbox,
    language,
    web_language,
    suffix,
):
    i18n = translator(language)
    _ = i18n.gettext
    await _new_person(page, "Olga", role="owner", language=web_language)
    await _new_person(page, "Dana", language=web_language)
    await _new_person(page, "Mona", role="manager", language="en")  # the group's language wins
    await _a_dispute(sandbox, language)

    await page.locator("#chat-list button").nth(1).click()
    await expect(page.locator("#chat-title")).to_have_text("ParkShare managers")
    await _send(page, "/disputes")
    card = _bot_messages(page).last
    await expect(card).to_contain_text("The gate code does not open the gate")
    await expect(card).to_contain_text(_("can't get in"))
    await expect(card.locator(".inline-keyboard button").nth(SPLIT)).to_have_text(
        _("⚖️ Split 50/50")
    )
    await _has_no_wrong_words(page)
    await page.screenshot(path=_artifact(f"dispute_card_{suffix}.png"), full_page=True)

    await _press(page, SPLIT)
    await expect(card).to_contain_text(_("Split the payment 50/50?"))
    await _press(page, CONFIRM)
    await expect(card).to_contain_text(
        _("Still held by the platform: {amount}").format(amount=i18n.money(Money(0, "EUR")))
    )
    await page.screenshot(path=_artifact(f"dispute_card_decided_{suffix}.png"), full_page=True)

    for _hour in range(2):  # the refund leaves at once, the owner's share once it is due
        await sandbox.runtime.run_job("move_money")
        sandbox.clock.advance(hours=1)

    await page.locator("#person-select").select_option(label="Olga")
    await expect(_bot_messages(page).last).to_contain_text(
        _("Paid out {amount} to you for the stay of booking #{id}.").format(
            amount=i18n.money(Money(255, "EUR")), id=1
        )
    )
    await _has_no_wrong_words(page)
    await page.screenshot(path=_artifact(f"payout_message_{suffix}.png"), full_page=True)

    await page.locator("#person-select").select_option(label="Dana")
    await expect(page.locator("#messages")).to_contain_text(
        _("Refunded {amount} for booking #{id}. Banks take a few days to show it.").format(
            amount=i18n.money(Money(300, "EUR")), id=1
        )
    )
    await _has_no_wrong_words(page)
    await page.screenshot(path=_artifact(f"refund_message_{suffix}.png"), full_page=True)
