"""The inbox: an update is kept once however often it comes; workers claim each person's
updates one at a time and in order; a worker's first write marks its update done, unless the
update is not its own any more, and commits with the update's end; answers held by a worker that
stopped are taken over once; failures back off, and what keeps failing is set aside."""

import asyncio
import contextvars
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.db import inbox_statements
from core.db.models import InboxState, InboxUpdate, Person
from core.db.rows import KeptPersonState, Standing
from core.db.uow import (
    AlreadyProcessed,
    HeldCall,
    UpdateEnd,
    discard_parked_write,
    held_calls_json,
    record_delivery_with_first_write,
)
from core.services import inbox, people
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


async def test_a_claimed_update_brings_what_its_sender_s_last_update_left(db):
    await _keep(db, (1, 10), (2, 10), (3, 11))
    first, other = await db.claim_updates("a", T0, T0 + LEASE, 10)
    assert (first.sender_state, other.sender_state) == (None, None)  # nothing kept yet
    flows = '{"book":{"10":[2,"2026-06-01T08:15:00+00:00"]}}'
    end = UpdateEnd(first.id, 1, "a", T0, person=10, user_data='{"language":"ru"}', flows=flows)

    async def handling():
        record_delivery_with_first_write(first.id, 1, "a", lambda: T0)
        await db.end_update(end)

    await asyncio.create_task(handling())
    (second,) = await db.claim_updates("b", T0, T0 + LEASE, 10)
    assert second.update_id == 2
    assert second.sender_state == KeptPersonState('{"language":"ru"}', flows)


async def test_a_claimed_update_brings_whether_its_sender_is_banned_and_why(db, clock):
    banned = await a_person(db, clock, "Bea", telegram_id=10)
    await a_person(db, clock, "Cleo", telegram_id=11)
    async with db.unit_of_work() as uow:
        await people.ban(uow, clock, banned.id, "fake listings")
    await _keep(db, (1, 10), (2, 11), (3, 12))
    claimed = await db.claim_updates("a", T0, T0 + LEASE, 10)
    assert [update.sender_standing for update in claimed] == [
        Standing(banned=True, ban_reason="fake listings"),
        Standing(banned=False, ban_reason=None),
        None,  # nobody the store knows
    ]


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


async def _committed_with_answers(
    db, update_id: int, worker: str, held: list[HeldCall], lease_until: datetime
) -> None:
    """What a worker's end does to an update that held answers: done, the answers kept, and
    not finished until they are sent."""
    async with db.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(InboxUpdate).where(InboxUpdate.update_id == update_id)
        )
        assert await uow.inbox.finish(row.id, worker, InboxState.DONE, T0, worker_done=False)
        await uow.session.execute(
            *inbox_statements.hold_answers(row.id, worker, held_calls_json(held), lease_until)
        )


async def test_answers_held_by_a_worker_that_stopped_are_taken_over_once_then_finished(db):
    await _keep(db, (1, 10), (2, 10))
    await _claim(db, "a")
    welcome = HeldCall("sendMessage", {"chat_id": "10", "text": "Welcome, Olga 👋"})
    # Worker a's update committed with the answer it held, and a stopped before sending it.
    await _committed_with_answers(db, 1, "a", [welcome], T0 + LEASE)
    async with db.unit_of_work() as uow:
        assert await uow.inbox.take_abandoned("b", T0 + LEASE / 2, T0 + LEASE, 10) == []  # a lives
    assert await _claim(db, "b", at=T0 + LEASE * 2) == []  # her next waits for that answer
    [(inbox_id, held)] = await inbox.take_abandoned(db, "b")
    assert held == [welcome]
    assert await inbox.take_abandoned(db, "c") == []  # b holds it now
    assert not await inbox.finish_answered(db, inbox_id, "a")  # a, back, finds it taken over
    assert await inbox.finish_answered(db, inbox_id, "b")
    assert await _claim(db, "b", at=T0 + LEASE * 2) == [2]
    async with db.reading() as uow:
        assert await uow.session.scalar(select(InboxUpdate.answers)) is None


async def test_an_update_s_first_write_is_undone_when_its_end_is_not_kept(db, clock):
    await _keep(db, (1, 10))
    [claimed] = await _claimed(db, "a")

    async def handling():
        record_delivery_with_first_write(claimed.id, 1, "a", lambda: T0)
        await a_person(db, clock, "Olga")
        await discard_parked_write()  # the worker's handling failed before the update's end

    await asyncio.create_task(handling())
    async with db.reading() as uow:
        assert list(await uow.session.scalars(select(Person.first_name))) == []
    assert await _states(db) == {1: "waiting"}


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
        await db.end_update(UpdateEnd(first.id, 1, worker, T0))

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


async def test_an_update_s_first_write_is_seen_by_nobody_else_until_the_update_ends(
    committing_db, clock
):
    db = committing_db
    await _keep(db, (1, 10))
    [claimed] = await _claimed(db, "a")

    async def names_elsewhere() -> list[str]:
        """Read as another update or process would: outside this update's handling."""

        async def read() -> list[str]:
            async with db.reading() as uow:
                return list(await uow.session.scalars(select(Person.first_name)))

        return await asyncio.create_task(read(), context=contextvars.Context())

    async def handling() -> None:
        record_delivery_with_first_write(claimed.id, 1, "a", lambda: T0)
        await a_person(db, clock, "Olga")
        assert await names_elsewhere() == []
        if db.dialect == "postgresql":  # a read of the update's own runs on its connection
            assert await db.run_read(
                lambda session: list(session.scalars(select(Person.first_name)))
            ) == ["Olga"]  # fmt: skip
        await db.end_update(UpdateEnd(claimed.id, 1, "a", T0, lease_until=T0))

    await asyncio.create_task(handling())
    assert await names_elsewhere() == ["Olga"]
    async with db.reading() as uow:
        row = await uow.session.scalar(select(InboxUpdate))
    assert row.state == "done"
    assert row.finished_at is not None  # nothing was held to send


async def test_answers_telegram_never_takes_are_dropped_after_so_many_takeovers(db):
    await _keep(db, (1, 10), (2, 10))
    await _claim(db, "a")
    welcome = HeldCall("sendMessage", {"chat_id": "10", "text": "Welcome"})
    await _committed_with_answers(db, 1, "a", [welcome], T0)
    for takeover in range(2, inbox.MAX_ANSWER_ATTEMPTS + 1):  # handled at the first attempt
        [(inbox_id, held)] = await inbox.take_abandoned(db, f"sweep {takeover}", timedelta(0))
        assert held == [welcome]  # Telegram away again: its lease runs out unfinished
    assert await inbox.take_abandoned(db, "the last sweep", timedelta(0)) == []
    async with db.reading() as uow:
        row = await uow.session.get(InboxUpdate, inbox_id)
    assert row.finished_at is not None  # dropped, so that her next update goes ahead
    assert await _claim(db, "b", at=T0 + LEASE * 2) == [2]
