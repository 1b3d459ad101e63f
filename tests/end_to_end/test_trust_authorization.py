"""Every button and command of the trust flows, pressed or sent by people who may not use
them: a stranger, the other side of the booking, a banned person and a group member who is not
an administrator. Each is refused, and nothing in the database changes."""

from sqlalchemy import text

from tests.end_to_end.test_trust import _paid, _person_id

TABLES = (
    "person", "booking", "dispute", "dispute_evidence", "rating", "relay_message",
    "credit_event", "ledger_entry", "refund", "payout", "payment", "booking_notice", "overstay",
)  # fmt: skip
DISPUTE_ACTIONS = (
    "refund", "partial", "back", "release", "split", "pen_d", "pen_o", "ban_d", "ban_o",
    "ask_d", "ask_o",
)  # fmt: skip


async def _state(sandbox) -> dict[str, list[tuple]]:
    async with sandbox.database.reading() as uow:
        return {
            table: [
                tuple(row)
                for row in await uow.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in TABLES
        }


async def test_nobody_but_the_parties_and_the_managers_changes_anything(sandbox):
    owner, spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)
    await sandbox.runtime.run_job("advance_bookings")
    await dana.send("/bookings")
    await dana.press("Report a problem")
    await dana.press("Can't get in")
    await dana.send("Someone is in my spot")
    await dana.press("Send report")
    maria, group, max_ = sandbox.manager, sandbox.managers_group, sandbox.group_member
    card = maria.last_message(chat=group)
    await maria.press("Ask driver", chat=group)  # a question for Dana, and only for her

    sam = sandbox.person("Sam")
    await sam.send("/start")
    eve = sandbox.person("Eve")
    await eve.send("/start")
    eve_id, dana_id = await _person_id(sandbox, eve), await _person_id(sandbox, dana)
    await maria.send(f"/ban {eve_id} spam", chat=group)
    await max_.send("/help", chat=group)  # known to the bot, like everyone else here
    before = await _state(sandbox)

    private_buttons = [
        "rl:1", "pb:1", "pbk:no_access", "pbs:send", "rt:1:driver", "rt:1:owner", "rts:5",
        "rtc", "da:1", "dp:refund:1:0", "dp:pct:1:50", "dpc:release:1:0", "oc:yes:1:2",
        "bm:cancel_yes:1:2", "ci:1", "lf:1", "sn:1", "sc:1:absent", "sc:1:still", "sc:1:free",
        "so:1", "mv:1:1", "ro:1", "oa:1:taken", "oa:1:free", "og:1",
    ]  # fmt: skip
    for person in (sam, eve):
        for data in private_buttons:
            answer = await person.press_data(data, person.last_message())
            assert answer is not None, data
            assert answer.get("show_alert") or answer.get("text"), (person, data, answer)
    for data in (
        "da:1",
        "rt:1:driver",
        "dp:release:1:0",
        "ci:1",
        "lf:1",
        "sn:1",
    ):  # the owner, on what isn't theirs
        answer = await owner.press_data(data, owner.last_message())
        assert answer.get("show_alert"), (data, answer)
    for data in ("sc:1:absent", "sc:1:free"):  # the driver, answering for the owner
        answer = await dana.press_data(data, dana.last_message())
        assert answer.get("show_alert"), (data, answer)

    for action in DISPUTE_ACTIONS:
        answer = await max_.press_data(f"dp:{action}:1:0", card, chat=group)
        assert "Only the managers" in answer["text"], action
    for data in ("dp:pct:1:50", "dpc:refund:1:0", "dpc:partial:1:25"):
        answer = await max_.press_data(data, card, chat=group)
        assert "Only the managers" in answer["text"], data

    commands = [f"/ban {dana_id} no reason", f"/unban {eve_id}", "/disputes",
                f"/person {dana_id}", f"/spot {spot.id}"]  # fmt: skip
    for command in commands:
        await max_.send(command, chat=group)
        assert "Only the managers' administrators" in max_.last_message(chat=group).text
        await sam.send(command)
        assert "I don't know that command" in sam.last_message().text
        await eve.send(command)
        assert "suspended" in eve.last_message().text

    relayed = owner.last_message().id
    await sam.send("hello owner")
    await eve.send("hello owner")
    assert owner.last_message().id == relayed
    assert await _state(sandbox) == before
