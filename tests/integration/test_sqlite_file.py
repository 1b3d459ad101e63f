"""An SQLite file's connections: every writer commits with the same durability, and the
inbox's light writes are transactions as a unit of work's are."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from core.db.engine import create_engine, create_sync_writer
from core.db.migrate import upgrade
from core.db.models import InboxUpdate
from core.db.uow import Database
from core.services import inbox

BOT = 7

# ``PRAGMA synchronous``'s answers.
NORMAL = 1


async def test_the_light_writer_commits_as_the_store_s_other_writers_do(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'parkshare.db'}"
    engine = create_engine(url)
    writer = create_sync_writer(url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            units_of_work = await connection.scalar(text("PRAGMA synchronous"))
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
        with writer.connect() as connection:
            light = connection.scalar(text("PRAGMA synchronous"))
        # WAL's NORMAL: every commit consistent, none waiting for the disk; SQLite's default,
        # FULL, waited at each of the inbox's ends.
        assert units_of_work == light == NORMAL
    finally:
        writer.dispose()
        await engine.dispose()


async def test_a_light_write_that_fails_is_undone_whole_and_raised_as_sqlalchemy_s(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'parkshare.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text(
            "CREATE TRIGGER refuse_second BEFORE INSERT ON inbox_update WHEN NEW.update_id = 2"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END"
        ))  # fmt: skip
    await engine.dispose()
    db = Database.from_url(url)
    try:
        # The store's own failure, as a unit of work would raise it: ``bot.transient`` reads it.
        with pytest.raises(IntegrityError, match="refused"):
            await inbox.keep(db, BOT, [(1, 10, "{}"), (2, 10, "{}")])
        # The first was undone with the second, and the writer was left with no transaction.
        assert await inbox.keep(db, BOT, [(1, 10, "{}"), (3, 11, "{}")]) == 2
        async with db.reading() as uow:
            kept = await uow.session.scalars(select(InboxUpdate.update_id).order_by("update_id"))
            assert list(kept) == [1, 3]
    finally:
        await db.close()


async def test_kept_updates_wait_for_the_disk_and_the_other_light_writes_do_not(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'parkshare.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    db = Database.from_url(url)
    try:
        pooled = db._sync_writer_of(db.bind).raw_connection()  # the writer's one connection
        traced: list[str] = []
        pooled.driver_connection.set_trace_callback(traced.append)
        pooled.close()
        # Telegram hears they were received once they are kept: a power loss must not undo it.
        await inbox.keep(db, BOT, [(1, 10, "{}")])
        assert traced[:2] == ["PRAGMA synchronous=FULL", "BEGIN IMMEDIATE"]
        traced.clear()
        await inbox.claim(db, "worker", 10)
        assert traced[:2] == ["PRAGMA synchronous=NORMAL", "BEGIN IMMEDIATE"]
    finally:
        await db.close()
