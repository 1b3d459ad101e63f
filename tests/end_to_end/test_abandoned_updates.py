"""A worker that commits an update and then cannot send its answers (Telegram's servers in
trouble, the process killed): the answers were kept with the update's effects, and once its
lease ends another worker sends them, once; the person's next update waits for them."""

import asyncio

from sqlalchemy import select

from core.db.models import InboxUpdate, Person
from sandbox import actions
from tests.end_to_end.conftest import another_bot, initialized

WELCOME = "ParkShare finds you a private parking spot"


async def _row(sandbox, update_id: int) -> InboxUpdate | None:
    async with sandbox.database.reading() as uow:
        return await uow.session.scalar(
            select(InboxUpdate).where(InboxUpdate.update_id == update_id)
        )


async def test_answers_kept_with_an_update_reach_the_person_once_when_their_worker_is_gone(
    sandbox,
):
    runtime = sandbox.runtime
    cut_off = another_bot(runtime, lease_seconds=1)
    await initialized(cut_off)
    dana = sandbox.person("Dana")
    await runtime.application.worker.stop()
    await cut_off.worker.start()
    sandbox.world.sending_out_of_service = True
    try:
        await actions.send_text(sandbox.world, dana.id, "/start")
        welcomed = sandbox.world.last_update_id
        # The worker registers her, keeps its answer, and cannot send it.
        for _ in range(200):
            row = await _row(sandbox, welcomed)
            if row is not None and row.answers is not None:
                break
            await asyncio.sleep(0.05)
        assert row is not None
        assert row.state == "done"
        assert row.finished_at is None
        assert WELCOME in row.answers
    finally:
        await cut_off.worker.stop()
        await cut_off.shutdown()
        sandbox.world.sending_out_of_service = False
    async with sandbox.database.reading() as uow:
        assert await uow.session.scalar(select(Person.first_name)) == "Dana"
    assert dana.messages() == []

    await runtime.application.worker.start()
    await actions.send_text(sandbox.world, dana.id, "/help")
    waiting = sandbox.world.last_update_id
    await asyncio.sleep(0.5)
    assert waiting not in sandbox.world.handled  # her next update waits for that answer
    assert dana.messages() == []

    await asyncio.sleep(1)  # the cut-off worker's lease runs out
    await runtime.run_job("send_abandoned_answers")
    await runtime.run_job("send_abandoned_answers")  # a second look finds nothing left
    assert await sandbox.world.wait_handled(waiting, waiting, 15)
    said = [message.text for message in dana.messages()]
    assert sum(WELCOME in text for text in said) == 1
    assert WELCOME in said[0]
    assert "What I can do" in said[-1]
    row = await _row(sandbox, welcomed)
    assert row is not None
    assert row.finished_at is not None
    assert row.answers is None
