"""/healthz answers at once even when every pooled connection is busy with updates: it asks
the store on a connection of its own."""

import asyncio

import httpx

from bot.app import build_application
from bot.web import build_web_app
from core.db.engine import read_only
from core.settings import load_settings


async def test_the_health_check_does_not_wait_for_the_pool(committing_db):
    settings = load_settings(_env_file=None, database_url="sqlite://")
    application = build_application(settings, token="1:health", database=committing_db)
    application.bot_data.database = committing_db
    engine = committing_db.bind
    pool = engine.sync_engine.pool
    # Read-only, as searches hold them: on SQLite nobody waits for the write lock.
    busy = read_only(engine)
    held = [await busy.connect() for _ in range(pool.size() + pool._max_overflow)]
    try:
        for connection in held:
            await connection.exec_driver_sql("SELECT 1")
        transport = httpx.ASGITransport(app=build_web_app(application))
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            answer = await asyncio.wait_for(client.get("/healthz"), 5)
        assert answer.json()["database"] is True
    finally:
        for connection in held:
            await connection.close()
