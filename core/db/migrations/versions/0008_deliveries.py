"""updates whose effects were committed, so a redelivery changes nothing twice

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("source", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "update_id", name=op.f("pk_delivery")),
    )
    op.create_index(op.f("ix_delivery_processed_at"), "delivery", ["processed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_processed_at"), table_name="delivery")
    op.drop_table("delivery")
