"""The inbox: an update is kept once however often it comes; workers claim each person's
updates one at a time and in order; a worker's first write marks its update done, unless the
update is not its own any more; failures back off, and what keeps failing is set aside."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.db.models import InboxState, InboxUpdate, Person, PersonState
from core.db.uow import AlreadyProcessed, record_delivery_with_first_write
from core.services import inbox
from tests.integration.builders import a_person

BOT = 7
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)


async def _keep(db, *updates: tuple[int, int | None]) -> int:
    async with db.unit_of_work() as uow:
        new = 0
        for update_id, sender in updates:
            new += await uow.inbox.keep(BOT, update_id, sender, f'{{"update_id": {update_id}}}', T0)
        return new


async def _claim(db, worker: str, at: datetime = T0, limit: int = 10) -> list[int]:
    async with db.unit_of_work() as uow:
        claimed = await uow.inbox.claim(worker, at, at + LEASE, limit)
    return [update.update_id for update in claimed]


async def _claimed(db, worker: str, at: datetime = T0):
    async with db.unit_of_work() as uow:
        return await uow.inbox.claim(worker, at, at + LEASE, 10)


async def _finish(db, update_id: int, worker: str, state=InboxState.DONE) -> bool:
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(InboxUpdate).where(InboxUpdate.update_id == update_id)
        )
        return await uow.inbox.finish(row.id, worker, state, T0)


async def _states(db) -> dict[int, InboxState]:
    async with db.reading() as uow:
        rows = await uow.session.execute(select(InboxUpdate.update_id, InboxUpdate.state))
        return {update_id: state for update_id, state in rows}


async def test_an_update_kept_again_is_kept_once(db):
    assert await _keep(db, (1, 10), (2, 10)) == 2
    assert await _keep(db, (1, 10), (2, 10), (3, 11)) == 1
    assert await _states(db) == {1: "waiting", 2: "waiting", 3: "waiting"}


async def test_each_person_s_updates_are_claimed_one_at_a_time_and_in_order(db):
    await _keep(db, (1, 10), (2, 10), (3, 11), (4, None), (5, None))
    # The first of each person; updates of nobody's wait for nobody.
    assert await _claim(db, "a") == [1, 3, 4, 5]
    assert await _claim(db, "b") == []  # person 10's second waits for their first
    assert await _finish(db, 1, "a")
    assert await _claim(db, "b") == [2]


async def _first_write(db, update_id: int, worker: str) -> None:
    """What a worker's first write does to its update: done, but not finished by it yet."""
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(InboxUpdate).where(InboxUpdate.update_id == update_id)
        )
        assert await uow.inbox.finish(row.id, worker, InboxState.DONE, T0, worker_done=False)


async def test_a_person_s_next_update_waits_until_their_last_is_finished_not_only_done(db):
    await _keep(db, (1, 10), (2, 10))
    assert await _claim(db, "a") == [1]
    await _first_write(db, 1, "a")
    # Its answers are still going out, and the person's state is still to be kept.
    assert await _claim(db, "b") == []
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(select(InboxUpdate).where(InboxUpdate.update_id == 1))
        assert await uow.inbox.stamp_finished(row.id, "a", T0)
    assert await _claim(db, "b") == [2]


async def test_an_update_whose_worker_stopped_after_its_first_write_is_finished_once_and_its_sender_s_flows_end(  # noqa: E501
    db,
):
    await _keep(db, (1, 10), (2, 10))
    await _claim(db, "a")
    await _first_write(db, 1, "a")
    async with db.unit_of_work() as uow:
        await uow.person_states.put(10, '{"draft": 1}', '{"listing": {"10": [3, null]}}', T0)
        assert await uow.inbox.take_abandoned(T0 + LEASE / 2, 10) == []  # its worker may live
    assert await _claim(db, "b", at=T0 + LEASE * 2) == []
    assert await inbox.take_abandoned(db) == ['{"update_id": 1}']
    assert await inbox.take_abandoned(db) == []  # once
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(select(InboxUpdate).where(InboxUpdate.update_id == 1))
        # Its worker coming back after all does not write over the flows ended here.
        assert not await uow.inbox.stamp_finished(row.id, "a", T0 + LEASE * 2)
    async with db.reading() as uow:
        state = await uow.session.get(PersonState, 10)
    assert (state.user_data, state.flows, state.flows_expire_at) == ('{"draft": 1}', "{}", None)
    assert await _claim(db, "b", at=T0 + LEASE * 2) == [2]


async def test_an_update_whose_lease_ran_out_is_taken_over_and_the_first_worker_s_write_undone(
    db, clock
):
    await _keep(db, (1, 10))
    [first] = await _claimed(db, "a")
    assert await _claim(db, "b", at=T0 + LEASE / 2) == []  # a live lease is respected
    [taken_over] = await _claimed(db, "b", at=T0 + LEASE + timedelta(seconds=1))
    assert taken_over.attempts == 2

    async def handling(worker: str):
        record_delivery_with_first_write(first.id, 1, worker, lambda: T0)
        await a_person(db, clock, f"written by {worker}")

    with pytest.raises(AlreadyProcessed):
        await asyncio.create_task(handling("a"))  # too late: its write is undone
    await asyncio.create_task(handling("b"))
    async with db.reading() as uow:
        names = list(await uow.session.scalars(select(Person.first_name)))
    assert names == ["written by b"]
    assert await _states(db) == {1: "done"}


async def test_a_failed_attempt_backs_off_and_the_person_s_later_updates_wait_for_it(db):
    await _keep(db, (1, 10), (2, 10))
    [claimed] = await _claimed(db, "a")
    async with db.unit_of_work() as uow:
        assert await uow.inbox.retry_later(claimed.id, "a", T0 + timedelta(seconds=2), "down")
    assert await _claim(db, "b", at=T0 + timedelta(seconds=1)) == []
    assert await _claim(db, "b", at=T0 + timedelta(seconds=2)) == [1]


def test_backing_off_doubles_up_to_a_minute():
    assert [inbox.backoff(n).total_seconds() for n in (1, 2, 3, 4, 8)] == [1, 2, 4, 8, 60]


async def test_an_update_set_aside_frees_the_person_s_next(db):
    await _keep(db, (1, 10), (2, 10))
    await _claim(db, "a")
    assert await _finish(db, 1, "a", InboxState.DEAD)
    assert not await _finish(db, 1, "a")  # finished once
    assert await _claim(db, "a") == [2]


async def test_a_flood_keeps_the_first_updates_and_drops_the_rest(db):
    await _keep(db, *((n, 10) for n in range(1, 8)), (8, 11))
    [claimed, _other] = await _claimed(db, "a")
    assert claimed.waiting_from_sender == 7
    async with db.unit_of_work() as uow:
        assert await uow.inbox.drop_beyond(10, 3, T0) == [4, 5, 6, 7]
    states = await _states(db)
    assert [states[n] for n in range(1, 9)] == ["waiting"] * 3 + ["dropped"] * 4 + ["waiting"]


async def test_finished_updates_are_forgotten_after_a_week_and_waiting_ones_never(db):
    await _keep(db, (1, 10), (2, 11))
    await _claim(db, "a")
    await _finish(db, 1, "a")
    async with db.unit_of_work() as uow:
        assert await uow.inbox.forget_finished_before(T0 + inbox.REMEMBERED_FOR) == 1
    assert await _states(db) == {2: "waiting"}
