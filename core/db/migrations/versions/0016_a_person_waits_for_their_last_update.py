"""a person's next update waits until their last one is finished (its answers sent, their state
kept), not only until its first write: the claim reads each person's unfinished updates

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

WAITING = sa.text("state = 'waiting'")
UNFINISHED = sa.text("finished_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_inbox_update_waiting_by_sender", table_name="inbox_update")
    op.create_index(
        "ix_inbox_update_unfinished_by_sender", "inbox_update", ["sender", "update_id"],
        postgresql_where=UNFINISHED, sqlite_where=UNFINISHED,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_inbox_update_unfinished_by_sender", table_name="inbox_update")
    op.create_index(
        "ix_inbox_update_waiting_by_sender", "inbox_update", ["sender", "update_id"],
        postgresql_where=WAITING, sqlite_where=WAITING,
    )  # fmt: skip
