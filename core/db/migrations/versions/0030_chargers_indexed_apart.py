"""the approved spots with a charger have a spatial index of their own on each store, so that
a search for a charger is handed only spots that have one: at night most of the nearest spots
are closed, and most of the open ones have no charger. On SQLite an R*Tree of the same entries
as ``spot_place`` (revision 0029's keys), on PostgreSQL a partial GiST index

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def _revision_0029() -> ModuleType:
    """Revision 0029, whose keys and places this index holds as they are."""
    path = Path(__file__).with_name("0029_spatial_index_keys_what_searches_ask.py")
    spec = importlib.util.spec_from_file_location("revision_0029", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_upgrade() -> tuple[str, ...]:
    keys = _revision_0029()
    approved = f"new.status = {keys.APPROVED} AND new.ev_charger"
    insert = "INSERT INTO spot_place_ev_charger (key, min_lat, max_lat, min_lon, max_lon) "
    removed = f"DELETE FROM spot_place_ev_charger WHERE key = {keys._key('old')}"
    return (
        "CREATE VIRTUAL TABLE spot_place_ev_charger "
        "USING rtree_i32(key, min_lat, max_lat, min_lon, max_lon)",
        # The charger is the key's lowest bit.
        f"{insert}SELECT * FROM spot_place WHERE key & 1",
        f"CREATE TRIGGER spot_place_ev_charger_insert AFTER INSERT ON spot WHEN {approved} "
        f"BEGIN {insert}{keys._place('new')}; END",
        "CREATE TRIGGER spot_place_ev_charger_update AFTER UPDATE OF status, lat, lon, "
        "free_week_slots, ev_charger, covered, max_vehicle_size ON spot BEGIN "
        f"{removed}; {insert}{keys._place('new')} WHERE {approved}; END",
        f"CREATE TRIGGER spot_place_ev_charger_delete AFTER DELETE ON spot BEGIN {removed}; END",
    )


SQLITE_DOWNGRADE = (
    "DROP TRIGGER spot_place_ev_charger_insert",
    "DROP TRIGGER spot_place_ev_charger_update",
    "DROP TRIGGER spot_place_ev_charger_delete",
    "DROP TABLE spot_place_ev_charger",
)
POSTGRESQL_UPGRADE = (
    "CREATE INDEX ix_spot_place_ev_charger ON spot USING gist (place) "
    "WHERE status = 'approved' AND ev_charger IS TRUE",
)
POSTGRESQL_DOWNGRADE = ("DROP INDEX ix_spot_place_ev_charger",)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_upgrade() if sqlite else POSTGRESQL_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
