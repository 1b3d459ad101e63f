"""An SQLite file's connections: every writer commits with the same durability."""

from sqlalchemy import text

from core.db.engine import create_engine, create_sync_writer
from core.db.migrate import upgrade

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
