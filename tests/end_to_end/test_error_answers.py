"""A button's one answer: Telegram accepts a single answer per callback query, so a reason found
after the handler answered reaches the person as a message, and no query is answered twice."""

from collections import Counter
from datetime import timedelta

import pytest

from core.services import spots
from sandbox import botapi
from tests.integration.builders import a_person, an_approved_spot


@pytest.fixture
def answers_per_query(monkeypatch) -> Counter[str]:
    """How often the bot answered each callback query, refused answers included."""
    counted: Counter[str] = Counter()
    answer = botapi.METHODS["answercallbackquery"]

    async def counting(world, params):
        counted[str(params.get("callback_query_id"))] += 1
        return await answer(world, params)

    monkeypatch.setitem(botapi.METHODS, "answercallbackquery", counting)
    return counted


async def test_confirming_a_time_the_owner_just_blocked_says_why_in_the_chat(
    sandbox, answers_per_query
):
    olga = await a_person(sandbox.database, sandbox.clock, "Olga")
    spot = await an_approved_spot(sandbox.database, sandbox.clock, olga)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    # While Dana reads the terms, the owner blocks the coming days.
    async with sandbox.database.unit_of_work() as uow:
        now = sandbox.clock.now()
        await spots.add_window(
            uow, spot_id=spot.id, owner_id=olga.id, start=now - timedelta(hours=1),
            end=now + timedelta(days=3), blocked=True,
        )  # fmt: skip

    answer = await dana.press("Confirm")

    assert answer == {"text": None, "show_alert": False}  # the handler's own, stopping the spinner
    assert dana.last_message().text == "The spot isn't offered for that whole time."
    assert answers_per_query
    assert set(answers_per_query.values()) == {1}


async def test_a_refusal_before_any_answer_is_shown_on_the_button(sandbox, answers_per_query):
    dana = sandbox.person("Dana")
    await dana.send("/start")
    before = len(dana.messages())
    answer = await dana.press_data("spot:999999", dana.last_message())
    assert answer is not None
    assert answer["show_alert"]
    assert len(dana.messages()) == before
    assert set(answers_per_query.values()) == {1}
