"""The web chat shows an invoice's amount in Telegram's units for its currency, which for the
Afghan afghani or the Yemeni rial are hundredths where a browser's Intl (ISO, CLDR) has none."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from sandbox.botapi import call

# The browser and page of the web chat's own tests, shared rather than set up twice.
from tests.end_to_end.test_web_chat import _new_person


@pytest.mark.parametrize(
    ("currency", "amount", "shown"), [("AFN", 8835, "88.35"), ("YER", 50_000, "500")]
)
async def test_an_invoice_amount_is_shown_with_telegrams_exponent(
    page,
    sandbox,
    currency,
    amount,
    shown,
):
    await _new_person(page, "Dana")
    dana = next(p for p in sandbox.world.people.values() if p["first_name"] == "Dana")
    await call(sandbox.world, "sendInvoice", {
        "chat_id": dana["id"], "title": "Parking booking #1", "description": "Elm St garage",
        "payload": "booking:1", "provider_token": "sandbox", "currency": currency,
        "prices": [{"label": "Parking", "amount": amount}],
    })  # fmt: skip

    amount_shown = page.locator("#messages .invoice .amount")
    await expect(amount_shown).to_contain_text(shown)
    await expect(amount_shown).not_to_contain_text(f"{amount:,}")
    await page.locator("#messages .invoice").get_by_role("button", name="Pay").click()
    await expect(page.locator("#pay-button")).to_contain_text(shown)
