"""weekly patterns booked together: a series of bookings, each paid by the payment of the first
of those paid together

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["spot_id"], ["spot.id"], name=op.f("fk_booking_series_spot_id_spot")
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["person.id"], name=op.f("fk_booking_series_driver_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_series")),
    )
    op.create_index(
        op.f("ix_booking_series_driver_id"), "booking_series", ["driver_id"], unique=False
    )
    with op.batch_alter_table("booking") as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("paid_with_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_series_id_booking_series"), "booking_series",
            ["series_id"], ["id"],
        )  # fmt: skip
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_paid_with_id_booking"), "booking", ["paid_with_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_booking_series_id"), ["series_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_paid_with_id"), ["paid_with_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_paid_with_id"))
        batch_op.drop_index(batch_op.f("ix_booking_series_id"))
        batch_op.drop_constraint(batch_op.f("fk_booking_paid_with_id_booking"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_booking_series_id_booking_series"), type_="foreignkey"
        )
        batch_op.drop_column("paid_with_id")
        batch_op.drop_column("series_id")
    op.drop_index(op.f("ix_booking_series_driver_id"), table_name="booking_series")
    op.drop_table("booking_series")
