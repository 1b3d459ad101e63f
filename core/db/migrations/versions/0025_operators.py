"""operators: people who manage owners' spots for a share of their payouts; a booking may
have a payout to its operator beside its owner's

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operatorship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_operatorship_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["person.id"], name=op.f("fk_operatorship_operator_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operatorship")),
        sa.UniqueConstraint("code", name=op.f("uq_operatorship_code")),
    )
    op.create_index(op.f("ix_operatorship_owner_id"), "operatorship", ["owner_id"])
    op.create_index(op.f("ix_operatorship_operator_id"), "operatorship", ["operator_id"])
    with op.batch_alter_table("payout") as batch:
        batch.drop_constraint("uq_payout_booking_id", type_="unique")
        batch.create_unique_constraint("uq_payout_booking_id", ["booking_id", "owner_id"])


def downgrade() -> None:
    with op.batch_alter_table("payout") as batch:
        batch.drop_constraint("uq_payout_booking_id", type_="unique")
        batch.create_unique_constraint("uq_payout_booking_id", ["booking_id"])
    op.drop_table("operatorship")
