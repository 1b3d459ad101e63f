"""Trust in the chat: the anonymous relay, problems reported and settled by managers, ratings
both ways, and bans."""

from sqlalchemy import select

from core.db.models import Booking, Payout, Rating, Refund, RelayMessage
from core.services import people, settlement
from core.status import BookingStatus
from tests.end_to_end.test_bookings import _book, _owner_and_spot


async def _a_driver(sandbox, name="Dana", username="dana_parks"):
    return sandbox.known(sandbox.world.add_person(name, username=username))


async def _paid(sandbox, *, when="today 12-14"):
    """Olga's instant spot, booked and paid by Dana (who has a username) for ``when``."""
    owner, spot = await _owner_and_spot(sandbox)
    dana = await _a_driver(sandbox)
    await _book(dana, spot, when=when)
    await dana.pay()
    return owner, spot, dana


async def _earnings_after_payout(sandbox, owner, amount: str) -> str:
    """An hour on, the owner's share of booking #1 leaves (``amount``); what /earnings says."""
    sandbox.clock.advance(hours=1)
    await sandbox.runtime.run_job("move_money")
    assert f"Paid out {amount} to you for the stay of booking #1" in owner.last_message().text
    await owner.send("/earnings")
    return owner.last_message().text


def _mentions(payload, *, name, username, user_id) -> list[str]:
    """Every place in a payload that gives a person away."""
    found = []
    if isinstance(payload, dict):
        for value in payload.values():
            found += _mentions(value, name=name, username=username, user_id=user_id)
    elif isinstance(payload, list):
        for value in payload:
            found += _mentions(value, name=name, username=username, user_id=user_id)
    elif isinstance(payload, int) and payload == user_id:
        found.append(str(payload))
    elif isinstance(payload, str) and (
        name in payload or (username and username in payload) or str(user_id) in payload
    ):
        found.append(payload)
    return found


def _gives_away(receiver, other) -> list[str]:
    return [
        mention
        for message in receiver.messages()
        for mention in _mentions(
            message.raw, name=other.user["first_name"], username=other.user.get("username"),
            user_id=other.id,
        )
    ]  # fmt: skip


async def _talk(driver, text):
    await driver.send("/bookings")
    await driver.press("Message owner")
    await driver.send(text)
    await driver.press("Leave the chat")


async def test_driver_and_owner_talk_through_the_bot_without_learning_who_the_other_is(sandbox):
    owner, _spot, dana = await _paid(sandbox, when="tomorrow 10-12")
    await dana.send("/bookings")
    await dana.press("Message owner")
    assert "You're now writing to the Owner of booking #1" in dana.last_message().text
    assert dana.reply_keyboard() == ["🚪 Leave the chat"]

    await dana.send("Hi! Which level is it? Call me on +49 151 2345 6789 or write to @dana_parks")
    relayed = owner.last_message()
    assert relayed.text.startswith("💬 Driver of booking #1")
    assert "Which level is it?" in relayed.text
    assert "+49" not in relayed.text
    assert "dana_parks" not in relayed.text
    assert "••• or write to •••" in relayed.text

    await owner.press("Reply")
    await owner.send("Level -2, spot 17. Gate code 4711.")
    assert dana.last_message().text == "💬 Owner of booking #1\nLevel -2, spot 17. Gate code 4711."

    await dana.send_photo(caption="My car, a blue Golf")
    photo = owner.last_message()
    assert photo.photo
    assert photo.text == "💬 Driver of booking #1\nMy car, a blue Golf"
    await owner.share_location(52.5201, 13.4051)
    assert dana.last_message().location == (52.5201, 13.4051)

    await dana.press("Leave the chat")
    assert "You left the chat about booking #1" in dana.last_message().text
    assert dana.reply_keyboard() == []
    relayed_before = owner.last_message().id
    await dana.send("/help")
    assert owner.last_message().id == relayed_before  # out of the relay, nothing goes across

    assert _gives_away(owner, dana) == []
    assert _gives_away(dana, owner) == []
    async with sandbox.database.reading() as uow:
        kept = list(await uow.session.scalars(select(RelayMessage).order_by(RelayMessage.id)))
    assert [m.kind for m in kept] == ["text", "text", "photo", "location"]
    assert "+49" not in kept[0].text  # the transcript is kept masked too


async def test_a_driver_who_cant_get_in_is_refunded_by_the_manager_who_decides_first(sandbox):
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)  # 12:05: the stay has begun
    await sandbox.runtime.run_job("advance_bookings")
    await _talk(dana, "I'm here but the barrier won't open")

    await dana.send("/bookings")
    await dana.press("Report a problem")
    await dana.press("Can't get in")
    await dana.send_photo(caption="The barrier is down")
    await dana.press("Send report")
    assert "A manager is looking at booking #1" in dana.last_message().text
    assert "was reported to our managers: can't get in" in owner.last_message().text

    maria, group = sandbox.manager, sandbox.managers_group
    *_, photo, card = maria.messages(chat=group)
    assert photo.photo
    assert "Dispute #1 · photo 1" in photo.text
    assert "Dispute #1 · booking #1: can't get in" in card.text
    assert "Reported by the driver: “The barrier is down”" in card.text
    assert "credit 600" in card.text
    assert "I'm here but the barrier won't open" in card.text  # the relay transcript

    answer = await sandbox.group_member.press("Refund driver in full", chat=group)
    assert answer["show_alert"]
    assert "Only the managers" in answer["text"]
    assert (await _booking(sandbox)).status == BookingStatus.DISPUTED

    await maria.press("Refund driver in full", chat=group)
    await maria.press("Confirm", chat=group)
    decided = maria.last_message(chat=group)
    assert "✅ Decided by Maria (manager): the driver gets the full €6.00 back" in decided.text
    assert decided.buttons == []
    for party in (dana, owner):
        assert "A manager has decided on booking #1" in party.last_message().text
    assert "you get the full €6.00 back" in dana.last_message().text
    assert "the driver gets the full €6.00 back" in owner.last_message().text
    assert (await _booking(sandbox)).status == BookingStatus.CANCELLED
    assert await _score(sandbox, owner) == 550  # a dispute lost

    await sandbox.runtime.run_job("move_money")
    assert "Refunded €6.00 for booking #1" in dana.last_message().text
    async with sandbox.database.reading() as uow:
        (refund,) = await uow.session.scalars(select(Refund))
    assert refund.status == "done"
    assert refund.reason == "dispute"

    mark = sandbox.known(sandbox.world.add_person("Mark (manager)"))
    sandbox.world.chat(group).members[mark.id] = "administrator"
    answer = await mark.press_data("dp:refund:1:0", card, chat=group)  # the card's first button
    assert "Already decided by Maria (manager)" in answer["text"]
    async with sandbox.database.reading() as uow:
        assert len(list(await uow.session.scalars(select(Refund)))) == 1


async def test_a_manager_asks_a_party_for_more_and_splits_the_payment(sandbox):
    owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)
    await sandbox.runtime.run_job("advance_bookings")
    await owner.send("/bookings")
    await owner.press("Problem with #1")
    await owner.press("Damage")
    await owner.send("The driver scratched the gate")
    await owner.press("Send report")

    maria, group = sandbox.manager, sandbox.managers_group
    await maria.press("Ask driver", chat=group)
    assert "asks you for more details" in dana.last_message().text
    await dana.press("Answer")
    await dana.send("The gate was scratched before I came")
    assert "The manager has your answer" in dana.last_message().text
    assert "Dispute #1: the driver answers" in maria.last_message(chat=group).text

    other = sandbox.known(sandbox.world.add_person("Mark (manager)"))
    sandbox.world.chat(group).members[other.id] = "administrator"
    answer = await other.press("Split 50/50", chat=group)
    assert "Maria (manager) is handling this dispute" in answer["text"]

    await maria.press("Refund part", chat=group)
    await maria.press("Refund 50%", chat=group)
    await maria.press("Confirm", chat=group)
    assert "you get €3.00 back and the owner receives €2.55" in dana.last_message().text
    assert (await _booking(sandbox)).status == BookingStatus.COMPLETED
    await maria.send("/disputes", chat=group)
    assert "No disputes are open" in maria.last_message(chat=group).text

    before = len(owner.messages())
    await owner.send("/bookings")
    shown = [button for message in owner.messages()[before:] for button in message.buttons]
    assert any("Rate the driver #1" in button for button in shown)
    assert not any("Problem with #1" in button for button in shown)  # one dispute a stay

    earnings = await _earnings_after_payout(sandbox, owner, "€2.55")
    assert "Waiting to be paid out: —" in earnings
    assert "Paid out so far: €2.55" in earnings


async def test_both_sides_rate_a_completed_stay_once(sandbox):
    owner, spot, dana = await _paid(sandbox)
    await dana.press_data("rt:1:driver", dana.last_message())
    assert "Only a completed stay can be rated" in dana.last_answer["text"]

    sandbox.clock.advance(hours=3, minutes=1)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await dana.press("Rate the stay #1")
    await dana.press("4⭐")
    await dana.send("Easy to find, a bit tight")
    assert "You gave ★★★★☆ for booking #1" in dana.last_message().text
    await owner.press("Rate the driver #1")
    await owner.press("5⭐")
    await owner.press("Skip")
    assert "You gave ★★★★★ for booking #1" in owner.last_message().text

    await dana.press_data("rt:1:driver", dana.last_message())
    assert "already rated" in dana.last_answer["text"]
    await dana.send("/bookings")
    assert "Past bookings" in dana.last_message().text
    # Nothing left to rate; a problem can still be reported while the owner's share waits.
    assert dana.last_message().buttons == ["⚠️ Problem with #1"]
    async with sandbox.database.reading() as uow:
        given = {r.stars: r for r in await uow.session.scalars(select(Rating))}
        assert given[4].spot_id == spot.id
        assert given[4].comment == "Easy to find, a bit tight"
        assert given[5].spot_id is None
    assert await _score(sandbox, dana) == 600 + 10 + 10  # a completed stay, rated 5
    assert await _score(sandbox, owner) == 600 + 10 + 5  # a completed stay, rated 4


async def test_a_banned_person_is_told_why_and_can_do_nothing_until_unbanned(sandbox):
    _, spot = await _owner_and_spot(sandbox)
    dana = await _a_driver(sandbox)
    await dana.send("/start")
    maria, group = sandbox.manager, sandbox.managers_group
    person_id = await _person_id(sandbox, dana)
    await maria.send(f"/ban {person_id} fake payments", chat=group)
    assert f"Person #{person_id} is banned: fake payments" in maria.last_message(chat=group).text
    assert "suspended: fake payments" in dana.last_message().text

    await dana.share_location(spot.lat, spot.lon)
    assert "suspended: fake payments" in dana.last_message().text
    await dana.send("/list")
    assert "suspended" in dana.last_message().text

    await maria.send(f"/person {person_id}", chat=group)
    assert "Banned: fake payments" in maria.last_message(chat=group).text
    await maria.send(f"/unban {person_id}", chat=group)
    assert "active again" in dana.last_message().text
    await dana.share_location(spot.lat, spot.lon)
    assert "Garage on Elm St" in str(dana.last_message())


async def _booking(sandbox) -> Booking:
    async with sandbox.database.reading() as uow:
        return await uow.session.scalar(select(Booking).order_by(Booking.id))


async def _person_id(sandbox, person) -> int:
    async with sandbox.database.reading() as uow:
        return (await uow.people.by_telegram_id(person.id)).id


async def _score(sandbox, person) -> int:
    async with sandbox.database.reading() as uow:
        return (await uow.people.by_telegram_id(person.id)).credit_score


async def test_a_manager_command_without_its_id_says_how_to_use_it(sandbox):
    maria, group = sandbox.manager, sandbox.managers_group
    await maria.send("/ban", chat=group)
    assert maria.last_message(chat=group).text == "Usage: /ban <person id> <reason>"
    await maria.send("/person 999", chat=group)
    assert "Nothing found with that id" in maria.last_message(chat=group).text


async def test_a_refund_decided_while_the_share_was_leaving_is_owed_from_the_next_payout(sandbox):
    owner, _spot, _dana = await _paid(sandbox)
    sandbox.clock.advance(hours=3, minutes=1)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    async with sandbox.database.unit_of_work() as uow:
        (payout,) = await uow.session.scalars(select(Payout))
        await settlement.payout_to_send(uow, payout.id)  # as a sweep does, right before Stripe
    await owner.send("/bookings")
    await owner.press("Problem with #1")
    await owner.press("Damage")
    await owner.send("The gate was scratched")
    await owner.press("Send report")
    await sandbox.manager.press("Split 50/50", chat=sandbox.managers_group)
    await sandbox.manager.press("Confirm", chat=sandbox.managers_group)

    earnings = await _earnings_after_payout(sandbox, owner, "€5.10")
    assert "Waiting to be paid out: —" in earnings
    assert "so taken from your next payouts: €2.55" in earnings


async def test_the_gate_reads_no_standing_the_inbox_s_claim_brought(sandbox, monkeypatch):
    """The claim reads whether the sender is banned with their update; registration hands over
    what it wrote for a newcomer. Banned meanwhile, the next update's claim says so."""
    reads: list[int] = []
    read = people.standing

    async def counted(db, person_id):
        reads.append(person_id)
        return await read(db, person_id)

    monkeypatch.setattr(people, "standing", counted)
    _, spot = await _owner_and_spot(sandbox)
    dana = await _a_driver(sandbox)
    await dana.send("/start")
    await dana.share_location(spot.lat, spot.lon)
    assert "Garage on Elm St" in str(dana.last_message())
    maria, group = sandbox.manager, sandbox.managers_group
    person_id = await _person_id(sandbox, dana)
    await maria.send(f"/ban {person_id} fake payments", chat=group)
    await dana.share_location(spot.lat, spot.lon)
    assert "suspended: fake payments" in dana.last_message().text
    assert reads == []
