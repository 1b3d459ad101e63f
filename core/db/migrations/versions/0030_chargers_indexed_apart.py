"""PostgreSQL: the approved spots with a charger have a spatial index of their own, so that a
search for a charger is handed only spots that have one (at night most of the nearest spots
are closed, and most of the open ones have no charger). SQLite's spatial index already tells
a charger by its key (revision 0029)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05
"""

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_spot_place_ev_charger ON spot USING gist (place) "
            "WHERE status = 'approved' AND ev_charger IS TRUE"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_spot_place_ev_charger")
