"""overstays: a car still there after its stay, billed by the quarter-hour once it has gone, and
a card hold's buffer for it

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = sa.Enum(
        "open", "due", "paid", "waived", "unpaid", name="overstay_status", native_enum=False,
        create_constraint=True, length=24,
    )  # fmt: skip
    op.create_table(
        "overstay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_overstay_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overstay")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_overstay_booking_id")),
    )
    op.create_index(op.f("ix_overstay_status"), "overstay", ["status"])
    with op.batch_alter_table("payment") as batch_op:
        batch_op.add_column(sa.Column("authorized_minor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment") as batch_op:
        batch_op.drop_column("authorized_minor")
    op.drop_index(op.f("ix_overstay_status"), table_name="overstay")
    op.drop_table("overstay")
