"""what an owner asks of the drivers who book a spot: a credit tier at least, and a number of
completed stays

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("spot") as batch:
        batch.add_column(sa.Column("min_driver_tier", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("min_completed_stays", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("spot") as batch:
        batch.drop_column("min_completed_stays")
        batch.drop_column("min_driver_tier")
