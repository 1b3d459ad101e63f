"""nearest-first search from the stores' own spatial indexes: an R*Tree on SQLite, PostGIS on
PostgreSQL; the home-made grid goes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The R*Tree holds each spot as a box of one point; triggers keep it in step with ``spot`` in
# the transaction that writes the spot.
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE spot_place USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    "SELECT id, lat, lat, lon, lon FROM spot",
    "CREATE TRIGGER spot_place_insert AFTER INSERT ON spot BEGIN "
    "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    "VALUES (new.id, new.lat, new.lat, new.lon, new.lon); END",
    "CREATE TRIGGER spot_place_update AFTER UPDATE OF lat, lon ON spot BEGIN "
    "UPDATE spot_place SET min_lat = new.lat, max_lat = new.lat, min_lon = new.lon, "
    "max_lon = new.lon WHERE id = new.id; END",
    "CREATE TRIGGER spot_place_delete AFTER DELETE ON spot BEGIN "
    "DELETE FROM spot_place WHERE id = old.id; END",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER spot_place_delete",
    "DROP TRIGGER spot_place_update",
    "DROP TRIGGER spot_place_insert",
    "DROP TABLE spot_place",
)
# geography, not geometry: geometry's ``<->`` in degrees of 4326 ranks a degree of longitude
# like a degree of latitude, while at Berlin's latitude it is 0.6 of one.
POSTGRESQL_UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS postgis",
    "ALTER TABLE spot ADD COLUMN place geography(Point, 4326) GENERATED ALWAYS AS "
    "(ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED",
    "CREATE INDEX ix_spot_place ON spot USING gist (place)",
)
POSTGRESQL_DOWNGRADE = (
    "DROP INDEX ix_spot_place",
    "ALTER TABLE spot DROP COLUMN place",
)
# The grid's cell of a place (see the former core.grid): 0.002-degree cells, a million a row.
CELL_OF_PLACE = (
    "CAST((lat + 90.0) / 0.002 AS BIGINT) * 1000000 + CAST((lon + 180.0) / 0.002 AS BIGINT)"
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_index("ix_spot_status_cell_place", table_name="spot")
    # Native DROP COLUMN: a batch copy of the table would cost a million-spot store minutes.
    op.execute("ALTER TABLE spot DROP COLUMN cell")
    op.create_index("ix_spot_status", "spot", ["status"])
    for statement in SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
    op.drop_index("ix_spot_status", table_name="spot")
    op.execute("ALTER TABLE spot ADD COLUMN cell BIGINT NOT NULL DEFAULT 0")
    op.execute(f"UPDATE spot SET cell = {CELL_OF_PLACE}")
    if not sqlite:
        op.execute("ALTER TABLE spot ALTER COLUMN cell DROP DEFAULT")
    op.create_index(
        "ix_spot_status_cell_place", "spot", ["status", "cell", "lat", "lon", "timezone"]
    )
