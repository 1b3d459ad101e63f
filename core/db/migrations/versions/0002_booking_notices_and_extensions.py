"""booking notices and extensions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_booking_notice_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_notice")),
        sa.UniqueConstraint("booking_id", "kind", name=op.f("uq_booking_notice_booking_id")),
    )
    with op.batch_alter_table("booking") as batch_op:
        batch_op.add_column(sa.Column("extends_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_extends_id_booking"), "booking", ["extends_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_booking_extends_id_booking"), type_="foreignkey")
        batch_op.drop_column("extends_id")
    op.drop_table("booking_notice")
