"""What an owner writes (a spot's name, access text and hours) is echoed back in messages the
bot builds; at the longest an owner can write, those still fit Telegram's limit of 4,096
UTF-16 units, cut with a marker rather than refused."""

from sandbox.formatting import utf16_length
from tests.end_to_end.test_trust import _paid

NAME = "🚗" * 80  # the longest name, 160 UTF-16 units
ACCESS = "<b>&</b>🚧 " * 100  # 1,000 characters: escaped, then counted as shown
# Some 300 one-hour windows in 4,000 characters: their description alone passes 4,096.
HOURS = ", ".join(
    f"{day} Jun {hour}-{hour + 1}" for day in range(2, 30) for hour in range(0, 23, 2)
)
HOURS = HOURS[: HOURS.rindex(",", 0, 4000)]


async def test_a_listing_summary_of_the_longest_answers_fits_in_one_message(sandbox):
    assert len(ACCESS) == 1000
    assert utf16_length(HOURS) < 4096
    owner = sandbox.person("Olga")
    await owner.send("/list")
    await owner.share_location(52.52, 13.405)
    await owner.send(NAME)
    await owner.send("3")
    await owner.press("Skip")
    await owner.press("Done")
    await owner.send(ACCESS)
    await owner.press("Skip")
    await owner.send(HOURS)

    summary = owner.last_message()
    assert utf16_length(summary.text) <= 4096
    assert summary.text.endswith("…")
    assert NAME in summary.text
    assert ACCESS.strip() in summary.text
    assert "✅ Submit" in summary.buttons


async def test_the_reminder_with_the_longest_access_text_arrives_whole(sandbox):
    _owner, spot, dana = await _paid(sandbox, when="today 12-14")  # the clock stands at 11:00
    async with sandbox.database.unit_of_work() as uow:
        stored = await uow.spots.get(spot.id)
        stored.title, stored.access_instructions = NAME, ACCESS
    sandbox.clock.advance(minutes=50)
    await sandbox.runtime.run_job("advance_bookings")

    reminder = dana.last_message()
    assert "How to get in:" in reminder.text
    assert utf16_length(reminder.text) <= 4096
    assert ACCESS.strip() in reminder.text
