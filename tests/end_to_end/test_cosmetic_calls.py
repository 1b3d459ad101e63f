"""Cosmetic calls never block what matters: a map pin Telegram refuses still leaves the spot's
card with its Book button, and a command menu it refuses still lets the bot start."""

from tests.integration.builders import a_person, an_approved_spot


async def test_a_refused_map_pin_still_shows_the_card_with_its_book_button(sandbox):
    olga = await a_person(sandbox.database, sandbox.clock, "Olga")
    spot = await an_approved_spot(sandbox.database, sandbox.clock, olga)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)

    sandbox.world.refusals["sendvenue"] = "wrong latitude specified"
    await dana.press_data(f"spot:{spot.id}", dana.last_message())

    card = dana.last_message()
    assert card.text.startswith("Garage on Elm St")
    assert "📅 Book" in card.buttons
    assert not any("venue" in message.raw for message in dana.messages())
    await dana.press("Book")
    assert "No free cancellation" in dana.last_message().text  # the window starts now


async def test_a_bot_whose_command_menu_is_refused_still_starts_and_answers(sandbox):
    sandbox.world.refusals["setmycommands"] = "too many requests to set commands"
    await sandbox.runtime.restart_bot()

    dana = sandbox.person("Dana")
    await dana.send("/start")
    assert "Hi Dana!" in dana.last_message().text
