"""each spot's ratings' count and the sum of their stars on its row, written with each rating,
so that a search shows a spot's average without reading its ratings (and PostgreSQL's search
filters on it)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("rating_count", "rating_star_sum"):
        op.add_column(
            "spot", sa.Column(column, sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE spot SET "
        "rating_count = (SELECT count(*) FROM rating WHERE rating.spot_id = spot.id), "
        "rating_star_sum = (SELECT coalesce(sum(stars), 0) FROM rating "
        "WHERE rating.spot_id = spot.id) "
        "WHERE id IN (SELECT spot_id FROM rating)"
    )


def downgrade() -> None:
    # Native on both stores: SQLite's batch copy of ``spot`` would drop its R*Trees' triggers.
    op.execute("ALTER TABLE spot DROP COLUMN rating_star_sum")
    op.execute("ALTER TABLE spot DROP COLUMN rating_count")
