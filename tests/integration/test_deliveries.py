"""A delivery is recorded with the first write made while handling it, in the same transaction:
handled again, its first write rolls back and says so; forgotten after a week."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db.models import Person
from core.db.uow import (
    AlreadyProcessed,
    UnitsOfWork,
    handlers_begin,
    record_delivery_with_first_write,
    units_of_work_so_far,
)
from core.services import deliveries
from tests.integration.builders import a_person


async def _handle(db, clock, update_id, name):
    """What handling one update does, in a task of its own as the bot runs each update: its
    first write, then another."""

    async def handling():
        record_delivery_with_first_write(7, update_id, clock.now())
        await a_person(db, clock, name)
        await a_person(db, clock, f"{name}, again")

    await asyncio.create_task(handling())


async def _names(db):
    async with db.reading() as uow:
        return sorted(await uow.session.scalars(select(Person.first_name)))


async def test_a_second_delivery_of_an_update_changes_nothing(db, clock):
    await _handle(db, clock, 1, "Dana")
    with pytest.raises(AlreadyProcessed):
        await _handle(db, clock, 1, "Dana")
    await _handle(db, clock, 2, "Sam")  # another update is handled as ever
    assert await _names(db) == ["Dana", "Dana, again", "Sam", "Sam, again"]


async def test_writes_outside_an_updates_handling_record_nothing(db, clock):
    await a_person(db, clock, "Olga")
    await a_person(db, clock, "Olga")
    assert await _names(db) == ["Olga", "Olga"]


async def test_deliveries_are_forgotten_after_a_week(db, clock):
    await _handle(db, clock, 1, "Dana")
    clock.current += deliveries.REMEMBERED_FOR + timedelta(minutes=1)
    async with db.unit_of_work() as uow:
        assert await deliveries.forget_old(uow, clock) == 1
    await _handle(db, clock, 1, "Sam")  # a reused id is a new update
    assert await _names(db) == ["Dana", "Dana, again", "Sam", "Sam, again"]


async def test_an_update_counts_the_units_of_work_its_handlers_run(db, clock):
    async def handling():
        record_delivery_with_first_write(7, 3, clock.now())
        await a_person(db, clock, "Registered before the handlers")
        handlers_begin()
        async with db.reading():
            pass
        await a_person(db, clock, "Dana")
        await a_person(db, clock, "Dana, again")
        async with db.after_gateway():
            pass
        return units_of_work_so_far()

    assert await asyncio.create_task(handling()) == UnitsOfWork(3, units=3, writes=2, after_write=1)
    assert units_of_work_so_far() is None  # outside an update, nothing is counted
