"""a card hold's own lapse time, and payments whose hold lapsed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BEFORE = ("succeeded", "refund_due", "refunded")
AFTER = ("succeeded", "refund_due", "refunded", "lapsed")


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name="payment_status", native_enum=False, create_constraint=True, length=24
    )


def upgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.add_column(sa.Column("capture_before", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column(
            "status", type_=_status(AFTER), existing_type=_status(BEFORE), existing_nullable=False
        )


def downgrade() -> None:
    op.execute("UPDATE payment SET status = 'succeeded' WHERE status = 'lapsed'")
    with op.batch_alter_table("payment") as batch:
        batch.alter_column(
            "status", type_=_status(BEFORE), existing_type=_status(AFTER), existing_nullable=False
        )
        batch.drop_column("capture_before")
