"""the spatial indexes hold approved spots only: a search reads no spot's row to learn whether
it may show it; a spot's ratings are indexed with their stars, which a search shows

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

APPROVED = "'approved'"
_PLACE_OF_NEW = (
    "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    "SELECT new.id, new.lat, new.lat, new.lon, new.lon"
)
SQLITE_UPGRADE = (
    "DROP TRIGGER spot_place_insert",
    "DROP TRIGGER spot_place_update",
    f"DELETE FROM spot_place WHERE id IN (SELECT id FROM spot WHERE status != {APPROVED})",
    f"CREATE TRIGGER spot_place_insert AFTER INSERT ON spot WHEN new.status = {APPROVED} "
    f"BEGIN {_PLACE_OF_NEW}; END",
    # A spot leaves the index when it stops being approved and comes back when it is again.
    "CREATE TRIGGER spot_place_update AFTER UPDATE OF status, lat, lon ON spot BEGIN "
    "DELETE FROM spot_place WHERE id = old.id; "
    f"{_PLACE_OF_NEW} WHERE new.status = {APPROVED}; END",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER spot_place_insert",
    "DROP TRIGGER spot_place_update",
    "CREATE TRIGGER spot_place_insert AFTER INSERT ON spot BEGIN "
    "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    "VALUES (new.id, new.lat, new.lat, new.lon, new.lon); END",
    "CREATE TRIGGER spot_place_update AFTER UPDATE OF lat, lon ON spot BEGIN "
    "UPDATE spot_place SET min_lat = new.lat, max_lat = new.lat, min_lon = new.lon, "
    "max_lon = new.lon WHERE id = new.id; END",
    "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    f"SELECT id, lat, lat, lon, lon FROM spot WHERE status != {APPROVED}",
)
POSTGRESQL_UPGRADE = (
    "DROP INDEX ix_spot_place",
    f"CREATE INDEX ix_spot_place ON spot USING gist (place) WHERE status = {APPROVED}",
)
POSTGRESQL_DOWNGRADE = (
    "DROP INDEX ix_spot_place",
    "CREATE INDEX ix_spot_place ON spot USING gist (place)",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)
    op.create_index("ix_rating_spot_stars", "rating", ["spot_id", "stars"])
    op.drop_index("ix_rating_spot_id", table_name="rating")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_index("ix_rating_spot_id", "rating", ["spot_id"])
    op.drop_index("ix_rating_spot_stars", table_name="rating")
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
