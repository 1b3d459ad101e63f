"""held answers: the calls to the chat platform an update made after its first write, kept in
that write's transaction until they are made

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbox_update", sa.Column("answers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_update") as batch:  # SQLite rebuilds the table
        batch.drop_column("answers")
