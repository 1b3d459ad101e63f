"""A worker that stops between an update's first write and its answer (killed, or its machine
gone): the person hears that what they sent was done, the flow they were in ends rather than
go on from a step remembered from before that write, and their next update goes ahead."""

import asyncio
from datetime import timedelta

from sqlalchemy import select

from core.db.models import InboxState, InboxUpdate
from core.services import inbox
from sandbox import actions


async def _kept(sandbox, update_id: int) -> None:
    while True:
        async with sandbox.database.reading() as uow:
            if await uow.session.scalar(
                select(InboxUpdate.id).where(InboxUpdate.update_id == update_id)
            ):
                return
        await asyncio.sleep(0.01)


async def test_an_update_whose_worker_stopped_after_its_first_write_is_told_of_and_its_flow_ends(
    sandbox,
):
    olga = sandbox.person("Olga")
    await olga.send("/start")
    await olga.send("/list")
    await olga.share_location(52.52, 13.405)
    asked_for_the_address = olga.last_message().text

    runtime = sandbox.runtime
    await runtime.application.worker.stop()
    await actions.send_text(sandbox.world, olga.id, "Garage on Elm St")
    update_id = sandbox.world.last_update_id
    await _kept(sandbox, update_id)
    # A worker claims it, makes its first write, and is gone: its lease has run out.
    [claimed] = await inbox.claim(sandbox.database, "gone", 1, timedelta(0))
    async with sandbox.database.unit_of_work() as uow:
        assert await uow.inbox.finish(
            claimed.id, "gone", InboxState.DONE, inbox.now(), worker_done=False
        )
    await runtime.application.worker.start()

    await actions.send_text(sandbox.world, olga.id, "/list")
    waiting = sandbox.world.last_update_id
    await asyncio.sleep(0.5)
    assert waiting not in sandbox.world.handled  # her next update waits for the one abandoned

    await runtime.run_job("answer_abandoned_updates")
    sandbox.world.mark_handled(update_id)
    assert await sandbox.world.wait_handled(waiting, waiting, 15)
    said = [message.text for message in olga.messages()[-2:]]
    assert "our answer to it was lost on the way" in said[0]
    # The listing starts again from its first step, not from the address it was asking for.
    assert said[1] != asked_for_the_address
    assert "location" in said[1]
