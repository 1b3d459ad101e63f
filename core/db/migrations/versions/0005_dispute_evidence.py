"""dispute evidence, who a manager asked, open disputes by status

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("telegram_file_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["dispute.id"], name=op.f("fk_dispute_evidence_dispute_id_dispute")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_dispute_evidence_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_evidence")),
    )
    op.create_index(op.f("ix_dispute_evidence_dispute_id"), "dispute_evidence", ["dispute_id"])
    with op.batch_alter_table("dispute") as batch:
        batch.add_column(sa.Column("asked_person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_dispute_asked_person_id_person"), "person", ["asked_person_id"], ["id"]
        )
        batch.create_index(op.f("ix_dispute_status"), ["status"])


def downgrade() -> None:
    with op.batch_alter_table("dispute") as batch:
        batch.drop_index(op.f("ix_dispute_status"))
        batch.drop_constraint(op.f("fk_dispute_asked_person_id_person"), type_="foreignkey")
        batch.drop_column("asked_person_id")
    op.drop_table("dispute_evidence")
