"""spots in the order of their places: what `parkshare db cluster` rewrites the spot table and
its free time by, on PostgreSQL (``core.db.place_order``)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# SQLite keeps rows in the order of their ids and cannot be told otherwise: nothing to do there.
POSTGRESQL_UPGRADE = (
    "CREATE INDEX ix_spot_place_order ON spot "
    '((ST_GeoHash(place::geometry, 8) COLLATE "C"))',
    'ALTER TABLE spot_free_time ADD COLUMN place_order text COLLATE "C"',
    "CREATE INDEX ix_spot_free_time_place_order ON spot_free_time (place_order)",
    # Room on each page for a rewritten row (a booking's free time, a spot's week's slots), so
    # that it stays beside its neighbours.
    "ALTER TABLE spot_free_time SET (fillfactor = 90)",
    "ALTER TABLE spot SET (fillfactor = 90)",
)
POSTGRESQL_DOWNGRADE = (
    "ALTER TABLE spot RESET (fillfactor)",
    "ALTER TABLE spot_free_time RESET (fillfactor)",
    "DROP INDEX ix_spot_free_time_place_order",
    "ALTER TABLE spot_free_time DROP COLUMN place_order",
    "DROP INDEX ix_spot_place_order",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWNGRADE:
            op.execute(statement)
