"""A paid invoice is paid: the sandbox, like Telegram, no longer offers to pay it and tells the
web chat to show its receipt; and the demo city's spots say how to get in."""

import re

import pytest
from sqlalchemy import select

from core.db.models import Spot
from sandbox import actions
from sandbox.botapi import BotApiError
from tests.end_to_end.test_bookings import _book, _owner_and_spot


async def test_a_paid_invoice_shows_as_paid_and_cannot_be_paid_twice(sandbox):
    _owner, spot = await _owner_and_spot(sandbox)
    dana = sandbox.person("Dana")
    await _book(dana, spot, when="tomorrow 10-12")
    invoice = dana.last_message()
    assert invoice.invoice is not None  # straight after Confirm, no "Pay" step between
    await dana.pay()

    chat = sandbox.world.chat(dana.id)
    assert {"kind": "invoice_paid", "message_id": invoice.id} in [
        {k: v for k, v in event.items() if k != "index"} for event in chat.events
    ]
    with pytest.raises(BotApiError, match="invoice already paid"):
        await actions.pay_invoice(sandbox.world, dana.id, invoice.id)


@pytest.mark.parametrize("demo_spots", [60])
async def test_every_demo_spot_says_how_to_get_in(sandbox):
    async with sandbox.database.reading() as uow:
        texts = list(await uow.session.scalars(select(Spot.access_instructions)))
    assert len(texts) == 60
    for text in texts:
        assert "after payment" not in text
        assert re.search(r"\d", text), text  # a code, a bay or a house number
    assert len(set(texts)) > 50  # each spot its own


@pytest.mark.parametrize("demo_spots", [400])
async def test_no_two_demo_spots_share_a_name(sandbox):
    async with sandbox.database.reading() as uow:
        rows = list(await uow.session.execute(select(Spot.title, Spot.address)))
    assert len(rows) == 400
    assert len({title for title, _ in rows}) == 400
    for title, address in rows:
        assert title.split(" on ", 1)[1].split(" (")[0] in address, (title, address)
