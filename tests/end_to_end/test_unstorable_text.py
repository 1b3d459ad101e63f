"""What PostgreSQL refuses to store (a NUL) is cleaned where updates enter the bot, so a
relayed message, a person's name and a dispute report work the same on both stores."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from core.db.models import Dispute, Person, RelayMessage
from core.db.uow import Database
from core.settings import load_settings
from sandbox.runner import SandboxRuntime
from tests.conftest import assert_ledger_sound
from tests.end_to_end.conftest import Sandbox, assert_speaks_telegrams_schema
from tests.end_to_end.test_trust import _paid
from tests.fakes import FrozenClock


@pytest.fixture
async def sandbox(database_factory, tmp_path) -> AsyncIterator[Sandbox]:
    """The sandbox on a fresh database of each kind, SQLite and PostgreSQL."""
    database = Database(await database_factory.new_engine())
    settings = load_settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/unused.db")
    runtime = SandboxRuntime(
        settings, port=0, database=database, city=None, demo_spots=0, clock=FrozenClock(),
        keep_log=True,
    )  # fmt: skip
    try:
        async with runtime:
            yield Sandbox(runtime)
            assert_speaks_telegrams_schema(runtime.world)
            await assert_ledger_sound(database)
    finally:
        await database.close()


async def test_a_name_with_a_nul_is_greeted_and_stored_without_it(sandbox):
    dana = sandbox.person("Da\x00na")
    await dana.send("/start")
    assert "Hi Dana!" in dana.last_message().text
    async with sandbox.database.reading() as uow:
        names = list(await uow.session.scalars(select(Person.first_name)))
    assert "Dana" in names


async def test_a_relayed_message_with_a_nul_reaches_the_owner_without_it(sandbox):
    owner, _spot, dana = await _paid(sandbox, when="tomorrow 10-12")
    await dana.send("/bookings")
    await dana.press("Message owner")
    await dana.send("Which\x00 level is it?")
    assert owner.last_message().text == "💬 Driver of booking #1\nWhich level is it?"
    async with sandbox.database.reading() as uow:
        (kept,) = await uow.session.scalars(select(RelayMessage))
    assert kept.text == "Which level is it?"


async def test_a_dispute_report_with_a_nul_reaches_the_managers(sandbox):
    _owner, _spot, dana = await _paid(sandbox)
    sandbox.clock.advance(hours=1, minutes=5)  # the stay has begun
    await sandbox.runtime.run_job("advance_bookings")
    await dana.send("/bookings")
    await dana.press("Report a problem")
    await dana.press("Can't get in")
    await dana.send("A red car\x00 is in my spot")
    await dana.press("Send report")
    assert "A manager is looking at booking #1" in dana.last_message().text
    card = sandbox.manager.messages(chat=sandbox.managers_group)[-1]
    assert "A red car is in my spot" in card.text
    async with sandbox.database.reading() as uow:
        (dispute,) = await uow.session.scalars(select(Dispute))
    assert "\x00" not in str(vars(dispute))
