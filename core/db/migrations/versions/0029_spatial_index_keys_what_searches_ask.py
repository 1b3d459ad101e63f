"""SQLite's spatial index keys each spot by its id and what searches ask of every spot: the
outline of the week it may be free in, its charger, its roof and the largest vehicle it takes
(``core.db.spatial.place_key``), so that a search passes over a spot without reading a page
of it; and it holds places exactly, in ten-millionths of a degree, not as 32-bit floats
rounded outwards. PostgreSQL's scan has the spot's row in hand already and is left as it is

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04
"""

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

APPROVED = "'approved'"
# The layout of ``core.db.spatial`` as this revision wrote it, from the low bits: the charger,
# the roof, the vehicle size's rank, the outline (a bit for each group of the week's slots
# that holds any of the spot's ``free_week_slots``), then the spot's id.
SIZE_RANK = "CASE {row}.max_vehicle_size WHEN 'motorbike' THEN 0 WHEN 'small' THEN 1 " \
    "WHEN 'medium' THEN 2 WHEN 'large' THEN 3 ELSE 4 END"  # fmt: skip
OUTLINE_GROUPS = (
    # Each three-hour time of day on weekdays (UTC), the same on weekends,
    0x1010100000101, 0x2020200000202, 0x4040400000404, 0x8080800000808,
    0x10101000001010, 0x20202000002020, 0x40404000004040, 0x80808000008080,
    0x1010000, 0x2020000, 0x4040000, 0x8080000, 0x10100000, 0x20200000, 0x40400000, 0x80800000,
    # and each day.
    0xFF, 0xFF00, 0xFF0000, 0xFF000000, 0xFF00000000, 0xFF0000000000, 0xFF000000000000,
)  # fmt: skip
SPOT_SHIFT = 5 + len(OUTLINE_GROUPS)
MAX_SPOT_ID = (1 << 63 - SPOT_SHIFT) - 1
UNITS_PER_DEGREE = 10_000_000


def _key(row: str) -> str:
    """The key of ``row`` (``new``, ``old`` or ``spot``) in SQL. SQLite gives ``<<``, ``>>``,
    ``&`` and ``|`` one precedence, so every step has its parentheses."""
    outline = " | ".join(
        f"((({row}.free_week_slots & {group}) != 0) << {bit})"
        for bit, group in enumerate(OUTLINE_GROUPS)
    )
    size = SIZE_RANK.format(row=row)
    return (
        f"(({row}.id << {SPOT_SHIFT}) | (({outline}) << 5) | (({size}) << 2) "
        f"| ({row}.covered << 1) | {row}.ev_charger)"
    )


def _place(row: str) -> str:
    lat, lon = (f"CAST(round({row}.{axis} * {UNITS_PER_DEGREE}) AS INTEGER)" for axis in "lat lon".split())
    return f"SELECT {_key(row)}, {lat}, {lat}, {lon}, {lon}"


_INSERT = "INSERT INTO spot_place (key, min_lat, max_lat, min_lon, max_lon) "
_BEYOND_KEYS = (
    f"SELECT RAISE(ABORT, 'spot id past the spatial index''s keys') WHERE new.id > {MAX_SPOT_ID}"
)
SQLITE_UPGRADE = (
    "DROP TRIGGER spot_place_insert",
    "DROP TRIGGER spot_place_update",
    "DROP TRIGGER spot_place_delete",
    "DROP TABLE spot_place",
    "CREATE VIRTUAL TABLE spot_place USING rtree_i32(key, min_lat, max_lat, min_lon, max_lon)",
    f"{_INSERT}{_place('spot')} FROM spot WHERE spot.status = {APPROVED}",
    f"CREATE TRIGGER spot_place_insert AFTER INSERT ON spot WHEN new.status = {APPROVED} "
    f"BEGIN {_BEYOND_KEYS}; {_INSERT}{_place('new')}; END",
    # What the key holds changed, or whether the spot is approved: out, and in again if it is.
    "CREATE TRIGGER spot_place_update AFTER UPDATE OF status, lat, lon, free_week_slots, "
    "ev_charger, covered, max_vehicle_size ON spot BEGIN "
    f"DELETE FROM spot_place WHERE key = {_key('old')}; "
    f"{_BEYOND_KEYS} AND new.status = {APPROVED}; "
    f"{_INSERT}{_place('new')} WHERE new.status = {APPROVED}; END",
    "CREATE TRIGGER spot_place_delete AFTER DELETE ON spot BEGIN "
    f"DELETE FROM spot_place WHERE key = {_key('old')}; END",
)
# Revision 0014's index, keyed by the spot's id alone.
SQLITE_DOWNGRADE = (
    "DROP TRIGGER spot_place_insert",
    "DROP TRIGGER spot_place_update",
    "DROP TRIGGER spot_place_delete",
    "DROP TABLE spot_place",
    "CREATE VIRTUAL TABLE spot_place USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    f"SELECT id, lat, lat, lon, lon FROM spot WHERE status = {APPROVED}",
    f"CREATE TRIGGER spot_place_insert AFTER INSERT ON spot WHEN new.status = {APPROVED} "
    "BEGIN INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    "SELECT new.id, new.lat, new.lat, new.lon, new.lon; END",
    "CREATE TRIGGER spot_place_update AFTER UPDATE OF status, lat, lon ON spot BEGIN "
    "DELETE FROM spot_place WHERE id = old.id; "
    "INSERT INTO spot_place (id, min_lat, max_lat, min_lon, max_lon) "
    f"SELECT new.id, new.lat, new.lat, new.lon, new.lon WHERE new.status = {APPROVED}; END",
    "CREATE TRIGGER spot_place_delete AFTER DELETE ON spot BEGIN "
    "DELETE FROM spot_place WHERE id = old.id; END",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
