"""The migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db.models import Base
from core.db.spatial import kept_by_models


async def test_the_migrated_schema_matches_the_models(shared_engine):
    def differences(connection):
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_name": kept_by_models}
        )
        return compare_metadata(context, Base.metadata)

    async with shared_engine.connect() as connection:
        assert await connection.run_sync(differences) == []
