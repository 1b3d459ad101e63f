"""What people write reaches the other side whole, however long: the bot splits a message that
Telegram's limits (4,096 for a text, 1,024 for a caption, in UTF-16 units) would refuse."""

from sandbox.formatting import utf16_length
from tests.end_to_end.test_trust import _paid

HEADER = "💬 Driver of booking #1\n"  # 24 UTF-16 units: the emoji counts two


def _unspaced(text: str) -> str:
    """A split drops the space or line end it breaks at; what is left must all be there."""
    return "".join(text.split())


async def _stay_begun(sandbox):
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)
    await sandbox.runtime.run_job("advance_bookings")
    return owner, dana


async def test_a_relayed_text_at_telegrams_limit_arrives_whole_in_two_parts(sandbox):
    owner, dana = await _stay_begun(sandbox)
    text = "🚗" * 1100 + "&" + "x" * 1895
    assert utf16_length(text) == 4096
    await dana.send("/bookings")
    await dana.press("Message owner")
    before = len(owner.messages())
    await dana.send(text)

    first, second = owner.messages()[before:]
    assert [utf16_length(first.text), utf16_length(second.text)] == [4096, 24]
    assert first.text + second.text == HEADER + text
    assert second.buttons == ["↩️ Reply"]
    assert "couldn't deliver" not in dana.last_message().text


async def test_a_plain_relayed_text_at_telegrams_limit_is_not_shortened(sandbox):
    owner, dana = await _stay_begun(sandbox)
    text = "x" * 4096
    await dana.send("/bookings")
    await dana.press("Message owner")
    before = len(owner.messages())
    await dana.send(text)

    parts = owner.messages()[before:]
    assert "".join(part.text for part in parts) == HEADER + text


async def test_a_relayed_caption_at_telegrams_limit_arrives_whole(sandbox):
    owner, dana = await _stay_begun(sandbox)
    caption = "🚗" * 500 + "y" * 24
    assert utf16_length(caption) == 1024
    await dana.send("/bookings")
    await dana.press("Message owner")
    before = len(owner.messages())
    await dana.send_photo(caption=caption)

    photo, rest = owner.messages()[before:]
    assert photo.photo
    assert [utf16_length(photo.text), utf16_length(rest.text)] == [1024, 24]
    assert photo.text + rest.text == HEADER + caption
    assert rest.buttons == ["↩️ Reply"]


async def test_a_long_report_with_a_long_conversation_reaches_the_managers(sandbox):
    _owner, dana = await _stay_begun(sandbox)
    await dana.send("/bookings")
    await dana.press("Message owner")
    said = [f"Message {n}: " + "the gate & the barrier 🚧 " * 8 for n in range(12)]
    for line in said:
        await dana.send(line)
    await dana.press("Leave the chat")

    report = ("A red car <b>blocks</b> my spot & won't move 🚗🚙 " * 50)[:2000]
    await dana.send("/bookings")
    await dana.press("Report a problem")
    await dana.press("Can't get in")
    await dana.send(report)
    maria, group = sandbox.manager, sandbox.managers_group
    before = len(maria.messages(chat=group))
    await dana.press("Send report")
    assert "A manager is looking at booking #1" in dana.last_message().text

    card = maria.messages(chat=group)[before:]
    assert len(card) == 2
    assert all(utf16_length(part.text) <= 4096 for part in card)
    assert "Dispute #1 · booking #1: can't get in" in card[0].text
    whole = _unspaced("".join(part.text for part in card))
    assert _unspaced(report) in whole
    assert _unspaced(said[-1][:200]) in whole  # the newest line of the conversation
    assert "Refund driver in full" in str(card[-1])

    before = len(maria.messages(chat=group))
    await maria.send("/disputes", chat=group)
    again = maria.messages(chat=group)[before:]
    assert [part.text for part in again] == [part.text for part in card]

    await maria.press("Refund driver in full", chat=group)
    assert utf16_length(maria.messages(chat=group)[-1].text) <= 4096  # with the amounts asked
    await maria.press("Confirm", chat=group)
    decided = maria.messages(chat=group)[-1]
    assert utf16_length(decided.text) <= 4096
    assert "✅ Decided by Maria (manager): the driver gets" in decided.text
    assert "you get the full" in dana.last_message().text


async def test_the_relay_blames_the_other_side_only_when_they_blocked_the_bot(sandbox):
    owner, dana = await _stay_begun(sandbox)
    await dana.send("/bookings")
    await dana.press("Message owner")
    sandbox.world.refusals["sendmessage"] = "message to forward not found"
    await dana.send("Running five minutes late")
    assert "couldn't deliver that just now" in dana.last_message().text
    owner.block_the_bot()
    await dana.send("Running five minutes late")
    assert "the other side can't be reached" in dana.last_message().text
