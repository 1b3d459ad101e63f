"""Alembic environment: runs on the connection handed over by ``core.db.migrate``, or on
``sqlalchemy.url`` when the ``alembic`` command is used directly (e.g. to autogenerate)."""

import asyncio

from alembic import context
from sqlalchemy import Connection

from core.db.engine import create_engine
from core.db.models import Base
from core.db.spatial import kept_by_models

target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=kept_by_models,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_url(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no database to migrate: set sqlalchemy.url")
    asyncio.run(run_from_url(url))
