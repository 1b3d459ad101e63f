"""the week's slots each spot's free time falls in, on the spot's row, so that a search passes
over a spot closed for a window without reading its free time (``core.free_time.week_slots``)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every bit until the roll-forward writes each spot's free time again, within a day.
    op.add_column(
        "spot", sa.Column("free_week_slots", sa.BigInteger(), nullable=False, server_default="-1")
    )


def downgrade() -> None:
    # Native on both stores: SQLite's batch copy of ``spot`` would drop its R*Tree's triggers.
    op.execute("ALTER TABLE spot DROP COLUMN free_week_slots")
