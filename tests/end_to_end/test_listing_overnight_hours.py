"""Hours that read two ways ("18-8") are asked about with a button for each reading, in the
listing flow and in a message to a listed spot; never read as 18:00-20:00 behind the owner's
back."""

from sqlalchemy import select

from core.db.models import AvailabilityRule
from tests.end_to_end.test_listing import _list_a_spot


async def _rules(sandbox):
    async with sandbox.database.reading() as uow:
        rules = (await uow.session.scalars(select(AvailabilityRule))).all()
    return sorted((r.weekday, r.start_minute, r.end_minute) for r in rules)


async def test_an_owner_listing_18_to_8_is_asked_whether_it_is_overnight(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/list")
    await owner.share_location(52.52, 13.405)
    await owner.send("Garage on Elm St")
    await owner.send("€3/h")
    await owner.press("Skip")
    await owner.press("Done")
    await owner.press("Skip")
    await owner.press("Skip")
    await owner.send("Fri 18-8")
    question = owner.last_message()
    assert "overnight: Fri 18:00–24:00; Sat 00:00–08:00" in question.text
    assert "the same day: Fri 18:00–20:00" in question.text
    assert question.buttons == ["🌙 Overnight", "☀️ Same day"]

    await owner.press("🌙 Overnight")
    assert "✅ Submit" in owner.last_message().buttons
    await owner.press("✅ Submit")
    assert await _rules(sandbox) == [(4, 18 * 60, 1440), (5, 0, 8 * 60)]


async def test_a_listed_spots_owner_picks_the_same_day_reading_of_18_to_8(sandbox):
    owner = sandbox.person("Olga")
    await _list_a_spot(sandbox, owner, "en", (52.52, 13.405), "3.50")
    await sandbox.manager.press("Approve", chat=sandbox.managers_group)
    before = await _rules(sandbox)

    await owner.send("Sat 18-8")
    assert owner.last_message().buttons == ["🌙 Overnight", "☀️ Same day"]
    assert await _rules(sandbox) == before  # nothing is saved before the owner says which

    await owner.press("☀️ Same day")
    assert "Sat 18:00–20:00" in owner.last_message().text
    assert await _rules(sandbox) == sorted([*before, (5, 18 * 60, 20 * 60)])
