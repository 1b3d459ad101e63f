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
    _by_sender("ix_inbox_update_unfinished_by_sender", UNFINISHED)


def downgrade() -> None:
    op.drop_index("ix_inbox_update_unfinished_by_sender", table_name="inbox_update")
    _by_sender("ix_inbox_update_waiting_by_sender", WAITING)


def _by_sender(name: str, predicate: sa.TextClause) -> None:
    op.create_index(
        name, "inbox_update", ["sender", "update_id"],
        postgresql_where=predicate, sqlite_where=predicate,
    )  # fmt: skip
