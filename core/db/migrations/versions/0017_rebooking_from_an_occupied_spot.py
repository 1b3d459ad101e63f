"""a booking made because the driver's spot was occupied names the booking its money came from
(once: unique), and an occupied-spot dispute says by when its owner must answer

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.add_column(sa.Column("rebooked_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_rebooked_from_id_booking"), "booking",
            ["rebooked_from_id"], ["id"],
        )  # fmt: skip
        batch_op.create_unique_constraint(
            batch_op.f("uq_booking_rebooked_from_id"), ["rebooked_from_id"]
        )
    with op.batch_alter_table("dispute") as batch_op:
        batch_op.add_column(sa.Column("answer_by", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dispute") as batch_op:
        batch_op.drop_column("answer_by")
    with op.batch_alter_table("booking") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_booking_rebooked_from_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_booking_rebooked_from_id_booking"), type_="foreignkey"
        )
        batch_op.drop_column("rebooked_from_id")
