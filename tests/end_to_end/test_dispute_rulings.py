"""A manager's money ruling takes two taps: the first shows what each side would get, the second
makes it final; the card then says who decided what and what is still held, and each party
reads the verdict addressed to them. A spot is reported occupied only once the stay is near."""

from sqlalchemy import select

from core.db.models import Dispute
from core.status import BookingStatus
from tests.end_to_end.test_trust import _booking, _paid


async def _no_access_reported(sandbox):
    """Dana's paid stay (12:00-14:00) has begun and she reports she can't get in."""
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)
    await sandbox.runtime.run_job("advance_bookings")
    await dana.send("/bookings")
    await dana.press("Report a problem")
    await dana.press("Can't get in")
    await dana.send("The gate code doesn't work")
    await dana.press("Send report")
    return owner, dana


async def test_a_money_ruling_shows_the_amounts_and_waits_for_a_second_tap(sandbox):
    await _no_access_reported(sandbox)
    maria, group = sandbox.manager, sandbox.managers_group

    await maria.press("Split 50/50", chat=group)
    asked = maria.last_message(chat=group)
    assert "Split the payment 50/50?" in asked.text
    assert "The driver gets back €3.00" in asked.text
    assert "The owner receives €2.55" in asked.text
    assert "The platform keeps €0.45" in asked.text
    assert asked.buttons == ["✅ Confirm", "↩️ Back"]
    assert (await _booking(sandbox)).status == BookingStatus.DISPUTED  # nothing moved yet

    await maria.press("Confirm", chat=group)
    decided = maria.last_message(chat=group)
    assert decided.id == asked.id  # the card itself now says what was decided
    assert "✅ Decided by Maria (manager): the driver gets €3.00 back" in decided.text
    assert "The owner receives €2.55" in decided.text
    assert "Still held by the platform: €0.00" in decided.text
    assert "Split the payment 50/50?" not in decided.text
    assert decided.buttons == []
    assert (await _booking(sandbox)).status == BookingStatus.COMPLETED


async def test_back_returns_to_the_choices_and_decides_nothing(sandbox):
    await _no_access_reported(sandbox)
    maria, group = sandbox.manager, sandbox.managers_group
    card = maria.last_message(chat=group)
    choices = card.buttons

    await maria.press("Refund part", chat=group)
    await maria.press("Refund 25%", chat=group)
    asked = maria.last_message(chat=group)
    assert "Refund the driver 25%?" in asked.text
    assert "The driver gets back €1.50" in asked.text
    await maria.press("Back", chat=group)
    back = maria.last_message(chat=group)
    assert back.buttons == choices
    assert back.text == card.text
    async with sandbox.database.reading() as uow:
        (dispute,) = await uow.session.scalars(select(Dispute))
    assert dispute.resolution is None
    assert (await _booking(sandbox)).status == BookingStatus.DISPUTED


async def test_stale_forged_and_foreign_confirmations_are_answered_politely(sandbox):
    await _no_access_reported(sandbox)
    maria, group, member = sandbox.manager, sandbox.managers_group, sandbox.group_member
    await maria.press("Refund driver in full", chat=group)
    asked = maria.last_message(chat=group)

    answer = await member.press_data("dpc:refund:1:0", asked, chat=group)
    assert "Only the managers' administrators can settle disputes" in answer["text"]
    answer = await maria.press_data("dpc:partial:1:33", asked, chat=group)
    assert "This button is not valid" in answer["text"]
    await maria.send("/start")  # a message of the bot's in her private chat to press on
    answer = await maria.press_data("dpc:refund:1:0", maria.last_message())
    assert "Disputes are settled in the managers' group only" in answer["text"]
    assert (await _booking(sandbox)).status == BookingStatus.DISPUTED

    await maria.press("Confirm", chat=group)
    mark = sandbox.known(sandbox.world.add_person("Mark (manager)"))
    sandbox.world.chat(group).members[mark.id] = "administrator"
    for data in ("dpc:refund:1:0", "dpc:release:1:0", "dp:split:1:0"):
        answer = await mark.press_data(data, asked, chat=group)
        assert answer["show_alert"]
        assert "Already decided by Maria (manager)" in answer["text"], data
    assert (await _booking(sandbox)).status == BookingStatus.CANCELLED


async def test_each_party_reads_the_verdict_addressed_to_them(sandbox):
    owner, dana = await _no_access_reported(sandbox)
    maria, group = sandbox.manager, sandbox.managers_group
    await maria.press("Release to owner", chat=group)
    await maria.press("Confirm", chat=group)
    to_dana, to_owner = dana.last_message().text, owner.last_message().text
    assert "the payment goes to the owner, and nothing is refunded to you" in to_dana
    assert "the payment goes to you: you receive €5.10" in to_owner
    assert "the driver gets" not in to_dana


async def test_the_driver_hears_you_get_back_and_the_owner_hears_the_driver_gets_back(sandbox):
    owner, dana = await _no_access_reported(sandbox)
    maria, group = sandbox.manager, sandbox.managers_group
    await maria.press("Refund part", chat=group)
    await maria.press("Refund 75%", chat=group)
    await maria.press("Confirm", chat=group)
    assert "you get €4.50 back and the owner receives €1.28" in dana.last_message().text
    assert "the driver gets €4.50 back and you receive €1.28" in owner.last_message().text


async def test_a_spot_is_reported_occupied_only_from_a_quarter_of_an_hour_before_the_stay(
    sandbox,
):
    _owner, _spot, dana = await _paid(sandbox)  # 11:00, for 12:00-14:00
    await dana.send("/bookings")
    await dana.press("Report a problem")
    answer = await dana.press("Spot occupied")
    assert answer["show_alert"]
    assert "you can report it from" in answer["text"]
    assert "11:45" in answer["text"]
    assert "15 minutes before the start" in answer["text"]
    assert len(answer["text"]) <= 200  # Telegram's limit on an alert
    assert "Spot occupied" in " ".join(dana.last_message().buttons)  # still on offer

    sandbox.clock.advance(minutes=45)
    await dana.press("Spot occupied")
    await dana.send("A red car is in my spot")
    await dana.press("Send report")
    # The only spot in town is hers: nowhere to move, so the money goes back at once.
    assert "no other spot is free nearby until" in dana.last_message().text
    assert "What you paid for the time left, €6.00, is on its way back" in dana.last_message().text
