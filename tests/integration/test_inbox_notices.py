"""On PostgreSQL a worker in another process hears at once that updates wait: keeping them
sends a notice on the inbox's channel, which a listener on a connection of its own hears."""

import asyncio

import pytest

from core.db.inbox_notices import InboxListener
from core.db.uow import Database
from core.services import inbox

pytestmark = pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)


async def test_keeping_updates_is_heard_by_a_listener_elsewhere(database_factory):
    url = await database_factory.new_url()
    receiver = Database(await database_factory.new_engine_at(url))
    worker = Database.from_url(url)
    heard = asyncio.Event()
    listener = InboxListener(worker.bind.url, heard.set)
    await listener.start()
    try:
        await asyncio.wait_for(heard.wait(), 5)  # it looks once as it starts listening
        heard.clear()
        assert await inbox.keep(receiver, 7, [(1, 10, '{"update_id": 1}')]) == 1
        await asyncio.wait_for(heard.wait(), 5)
        heard.clear()
        assert await inbox.keep(receiver, 7, [(1, 10, '{"update_id": 1}')]) == 0
        await asyncio.sleep(0.3)
        assert not heard.is_set()  # an update kept already is not announced again
    finally:
        await listener.stop()
        await worker.close()
        await receiver.close()
