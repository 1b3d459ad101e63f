"""One person sending hundreds of messages at once can't keep the bot from everybody else."""

from sandbox import actions

BURST = 60
NOTICE = "faster than I can read them"


async def test_a_burst_from_one_person_is_cut_short_and_the_others_are_answered(sandbox):
    flo, sam = sandbox.person("Flo"), sandbox.person("Sam")
    await flo.send("/start")
    await sam.send("/start")
    before = len(flo.messages())

    # Everything arrives in one batch, as from a client gone wild while the bot was busy.
    poller = sandbox.runtime.bot_runtime.poller
    await poller.stop()
    first = sandbox.world.last_update_id + 1
    for n in range(BURST):
        await actions.send_text(sandbox.world, flo.id, f"/help {n}")
    await actions.send_text(sandbox.world, sam.id, "/help")
    last = sandbox.world.last_update_id
    await poller.start()
    assert await sandbox.world.wait_handled(first, last, 30)

    answers = flo.messages()[before:]
    assert len([m for m in answers if NOTICE in m.text]) == 1  # told once
    backlog = sandbox.runtime.settings.flood_backlog
    assert len(answers) == backlog + 1  # what waited its turn was answered; the rest dropped
    assert "/bookings" in sam.last_message().text  # Sam's /help, answered all the same
    assert NOTICE not in sam.last_message().text

    await flo.send("/help")  # once the burst is over, Flo is heard again
    assert NOTICE not in flo.last_message().text
