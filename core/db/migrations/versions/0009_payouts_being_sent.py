"""a payout handed to the gateway keeps its amount until the answer is recorded

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BEFORE = ("due", "done", "failed")
AFTER = ("due", "sending", "done", "failed")


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *values, name="transfer_status", native_enum=False, create_constraint=True, length=24
    )


def _change(values_before: tuple[str, ...], values_after: tuple[str, ...]) -> None:
    for table in ("payout", "refund"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "status", type_=_status(values_after), existing_type=_status(values_before),
                existing_nullable=False,
            )  # fmt: skip


def upgrade() -> None:
    _change(BEFORE, AFTER)


def downgrade() -> None:
    op.execute("UPDATE payout SET status = 'due' WHERE status = 'sending'")
    _change(AFTER, BEFORE)
