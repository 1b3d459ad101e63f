"""How the bot opens its store at start."""

import pytest
from sqlalchemy import inspect

from core.db.migrate import DatabaseNotMigrated, open_database
from core.settings import load_settings


async def table_names(database):
    async with database.bind.connect() as connection:
        return await connection.run_sync(lambda sync: inspect(sync).get_table_names())


async def test_an_empty_embedded_database_is_migrated_on_first_start(tmp_path):
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    database = await open_database(settings.database_url)
    try:
        assert {"person", "spot", "booking", "ledger_entry"} <= set(await table_names(database))
    finally:
        await database.close()


@pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)
async def test_the_bot_refuses_an_unmigrated_postgres_database(database_factory):
    settings = load_settings(database_url=await database_factory.new_url())
    with pytest.raises(DatabaseNotMigrated, match="parkshare db upgrade"):
        await open_database(settings.database_url)


def test_settings_are_read_from_a_dotenv_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("PARKSHARE_COMMISSION_PERCENT=12.5\nPARKSHARE_MANAGER_IDS=7,8\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.commission_basis_points == 1250
    assert settings.manager_ids == frozenset({7, 8})
