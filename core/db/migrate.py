"""Run the Alembic migrations from code: `parkshare db upgrade` and the embedded first start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db.engine import create_engine
from core.db.uow import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(bind: AsyncEngine | AsyncConnection, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    if isinstance(bind, AsyncConnection):
        await bind.run_sync(run)
        return
    async with bind.begin() as connection:
        await connection.run_sync(run)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


class DatabaseNotMigrated(RuntimeError):
    pass


async def open_database(database_url: str) -> Database:
    """Open the store. The embedded SQLite database migrates itself; PostgreSQL is migrated
    deliberately with `parkshare db upgrade`, and the bot refuses to start on an old schema."""
    engine = create_engine(database_url)
    database = Database(engine)
    if database.dialect == "sqlite":
        await upgrade(engine)
    elif await current_revision(engine) != head_revision():
        await database.close()
        raise DatabaseNotMigrated("the database schema is not current: run `parkshare db upgrade`")
    return database
