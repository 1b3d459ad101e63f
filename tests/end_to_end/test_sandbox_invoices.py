"""The sandbox refuses the invoices Telegram refuses, with Telegram's own words, so a bot that
sends an amount Telegram would not take fails here and not in front of a driver.

Telegram's servers take a price only in a currency of its table and only between that
currency's min_amount and max_amount (payments/telegram_currencies.json, in Telegram's units);
sent anyway, sendInvoice answers "Bad Request: CURRENCY_INVALID" or "Bad Request:
CURRENCY_TOTAL_AMOUNT_INVALID"."""

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from aiogram import types as aiogram_types
from telegram import Bot, LabeledPrice, Message
from telegram.error import BadRequest
from telegram.request import HTTPXRequest

from payments.telegram_invoice import telegram_currencies
from sandbox.app import build_app
from sandbox.world import World

TOKEN = "123456:sandbox-invoices"


@pytest.fixture
def world() -> World:
    return World(TOKEN)


@pytest.fixture
async def bot(world) -> AsyncIterator[Bot]:
    """python-telegram-bot's own Bot, talking to the sandbox as it would to Telegram."""
    transport = httpx.ASGITransport(app=build_app(world))
    request = HTTPXRequest(httpx_kwargs={"transport": transport})
    async with Bot(TOKEN, base_url="http://sandbox/bot", request=request) as bot:
        yield bot


def refused(description: str):
    """python-telegram-bot drops "Bad Request: " and capitalizes what is left, so
    "CURRENCY_INVALID" reaches a bot as "Currency_invalid"."""
    return pytest.raises(BadRequest, match=f"(?i)^{re.escape(description)}$")


@pytest.fixture
def dana(world) -> int:
    return world.add_person("Dana")["id"]


async def send_invoice(bot: Bot, chat_id: int, currency: str, *amounts: int) -> Message:
    return await bot.send_invoice(
        chat_id=chat_id, title="Parking booking #1", description="Elm St garage, 2 hours",
        payload="booking:1", provider_token="sandbox", currency=currency,
        prices=[LabeledPrice(f"Part {n}", amount) for n, amount in enumerate(amounts)],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("currency", "amount", "description"),
    [("USD", 99, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"),
     ("KWD", 10_000, "Bad Request: CURRENCY_INVALID")],
)  # fmt: skip
async def test_a_refusal_has_telegrams_exact_shape_and_words(
    world, dana, currency, amount, description
):
    transport = httpx.ASGITransport(app=build_app(world))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as api:
        response = await api.post(f"/bot{TOKEN}/sendInvoice", data={
            "chat_id": str(dana), "title": "Parking", "description": "Elm St garage",
            "payload": "booking:1", "provider_token": "sandbox", "currency": currency,
            "prices": json.dumps([{"label": "Parking", "amount": amount}]),
        })  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error_code": 400, "description": description}


async def test_an_invoice_below_telegrams_minimum_is_refused_with_telegrams_error(bot, dana):
    lowest = telegram_currencies()["USD"].min_amount  # 1 US dollar, in cents
    with refused("CURRENCY_TOTAL_AMOUNT_INVALID"):
        await send_invoice(bot, dana, "USD", lowest - 1)


async def test_an_invoice_above_telegrams_maximum_is_refused_with_telegrams_error(bot, dana):
    highest = telegram_currencies()["EUR"].max_amount
    with refused("CURRENCY_TOTAL_AMOUNT_INVALID"):
        await send_invoice(bot, dana, "EUR", highest, 1)


async def test_the_limits_hold_for_the_sum_of_the_prices_in_telegrams_units(bot, dana):
    # Telegram counts hundredths of a rial: 88.35 AFN is its minimum, 88 AFN is under it.
    afn = telegram_currencies()["AFN"]
    assert afn.exp == 2
    with refused("CURRENCY_TOTAL_AMOUNT_INVALID"):
        await send_invoice(bot, dana, "AFN", 4000, afn.min_amount - 4001)
    sent = await send_invoice(bot, dana, "AFN", 4000, afn.min_amount - 4000)
    assert (sent.invoice.currency, sent.invoice.total_amount) == ("AFN", afn.min_amount)


async def test_an_invoice_in_a_currency_telegram_does_not_list_is_refused(bot, dana):
    assert "KWD" not in telegram_currencies()  # a real currency, which Telegram's table lacks
    with refused("CURRENCY_INVALID"):
        await send_invoice(bot, dana, "KWD", 10_000)


async def test_a_currency_code_that_is_no_currency_is_refused(bot, dana):
    with refused("CURRENCY_INVALID"):
        await send_invoice(bot, dana, "EURO", 600)


async def test_an_invoice_at_telegrams_exact_limits_is_sent_and_nothing_is_sent_when_refused(
    bot, world, dana
):
    usd = telegram_currencies()["USD"]
    for amount in (usd.min_amount, usd.max_amount):
        sent = await send_invoice(bot, dana, "USD", amount)
        assert sent.invoice.total_amount == amount
    with pytest.raises(BadRequest):
        await send_invoice(bot, dana, "USD", usd.max_amount + 1)
    invoices = [m for m in world.chat(dana).messages.values() if "invoice" in m]
    assert [m["invoice"]["total_amount"] for m in invoices] == [usd.min_amount, usd.max_amount]


async def test_a_web_chat_event_carries_telegrams_exponent_and_the_message_stays_telegrams(
    bot, world, dana
):
    sent = await send_invoice(bot, dana, "YER", 50_000)
    event = next(e for e in world.chat(dana).events if e.get("message", {}).get("invoice"))
    # The web chat divides by 10**2 for the Yemeni rial, as Telegram does (ISO says 10**0).
    assert event["currency_exponents"] == {"YER": 2}
    message = event["message"]
    assert set(message["invoice"]) == {
        "title", "description", "start_parameter", "currency", "total_amount",
    }  # fmt: skip
    assert "currency_exponents" not in message
    assert Message.de_json(message, bot) == sent
    aiogram_types.Message.model_validate(message)


async def test_a_total_of_zero_is_refused_with_the_bot_api_servers_words(bot, dana):
    # TDLib inside the Bot API server checks this before Telegram sees the invoice.
    with refused("total price must be positive"):
        await send_invoice(bot, dana, "EUR", 500, -500)
