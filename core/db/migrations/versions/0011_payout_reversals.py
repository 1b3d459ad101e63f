"""payouts taken back from an owner's account when a refund is decided after they left

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = sa.Enum(
        "due", "sending", "done", "failed", name="transfer_status", native_enum=False,
        create_constraint=True, length=24,
    )  # fmt: skip
    op.create_table(
        "payout_reversal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payout_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_payout_reversal_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_payout_reversal_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["payout_id"], ["payout.id"], name=op.f("fk_payout_reversal_payout_id_payout")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_reversal")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_payout_reversal_idempotency_key")
        ),
    )
    op.create_index(op.f("ix_payout_reversal_owner_id"), "payout_reversal", ["owner_id"])
    op.create_index(op.f("ix_payout_reversal_payout_id"), "payout_reversal", ["payout_id"])
    op.create_index(op.f("ix_payout_reversal_status"), "payout_reversal", ["status"])


def downgrade() -> None:
    op.drop_table("payout_reversal")
