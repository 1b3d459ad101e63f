"""refunds, payouts, checkouts, gateway events and payout accounts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _transfer_columns() -> list[sa.Column]:
    status = sa.Enum(
        "due", "done", "failed", name="transfer_status", native_enum=False,
        create_constraint=True, length=24,
    )  # fmt: skip
    return [
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "payout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        *_transfer_columns(),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], name=op.f("fk_payout_booking_id_booking")),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_payout_owner_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_payout_booking_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payout_idempotency_key")),
    )
    op.create_index(op.f("ix_payout_owner_id"), "payout", ["owner_id"])
    op.create_index(op.f("ix_payout_status"), "payout", ["status"])
    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        *_transfer_columns(),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], name=op.f("fk_refund_booking_id_booking")),
        sa.ForeignKeyConstraint(["driver_id"], ["person.id"], name=op.f("fk_refund_driver_id_person")),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name=op.f("fk_refund_payment_id_payment")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_refund_idempotency_key")),
    )
    op.create_index(op.f("ix_refund_booking_id"), "refund", ["booking_id"])
    op.create_index(op.f("ix_refund_payment_id"), "refund", ["payment_id"])
    op.create_index(op.f("ix_refund_status"), "refund", ["status"])
    op.create_table(
        "checkout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], name=op.f("fk_checkout_booking_id_booking")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout")),
        sa.UniqueConstraint("reference", name=op.f("uq_checkout_reference")),
    )
    op.create_index(op.f("ix_checkout_booking_id"), "checkout", ["booking_id"])
    op.create_index(op.f("ix_checkout_open"), "checkout", ["open"])
    op.create_table(
        "gateway_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_event")),
        sa.UniqueConstraint("gateway", "event_id", name=op.f("uq_gateway_event_gateway")),
    )
    with op.batch_alter_table("payment") as batch_op:
        batch_op.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("payout_account_id", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("payouts_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_column("payouts_enabled")
        batch_op.drop_column("payout_account_id")
    with op.batch_alter_table("payment") as batch_op:
        batch_op.drop_column("held")
    op.drop_table("gateway_event")
    op.drop_table("checkout")
    op.drop_table("refund")
    op.drop_table("payout")
