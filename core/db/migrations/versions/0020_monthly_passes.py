"""monthly passes: an owner's offer of a spot by the month, and drivers' passes, each month a
series of stays; a booking may wait for payment until a set moment

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pass_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("monthly_minor", sa.Integer(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["spot_id"], ["spot.id"], name=op.f("fk_pass_offer_spot_id_spot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pass_offer")),
        sa.UniqueConstraint("spot_id", name=op.f("uq_pass_offer_spot_id")),
    )
    status = sa.Enum(
        "active", "ended", "lapsed", name="pass_status", native_enum=False,
        create_constraint=True, length=24,
    )  # fmt: skip
    op.create_table(
        "monthly_pass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("monthly_minor", sa.Integer(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("card_customer_ref", sa.String(length=255), nullable=True),
        sa.Column("card_method_ref", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["spot_id"], ["spot.id"], name=op.f("fk_monthly_pass_spot_id_spot")
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["person.id"], name=op.f("fk_monthly_pass_driver_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_pass")),
    )
    op.create_index(op.f("ix_monthly_pass_spot_id"), "monthly_pass", ["spot_id"])
    op.create_index(op.f("ix_monthly_pass_driver_id"), "monthly_pass", ["driver_id"])
    op.create_index(op.f("ix_monthly_pass_status"), "monthly_pass", ["status"])
    with op.batch_alter_table("booking_series") as batch_op:
        batch_op.add_column(sa.Column("pass_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("period_start_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("period_end_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_series_pass_id_monthly_pass"), "monthly_pass",
            ["pass_id"], ["id"],
        )  # fmt: skip
        batch_op.create_index(batch_op.f("ix_booking_series_pass_id"), ["pass_id"])
    with op.batch_alter_table("booking") as batch_op:
        batch_op.add_column(sa.Column("pay_by", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.drop_column("pay_by")
    with op.batch_alter_table("booking_series") as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_series_pass_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_booking_series_pass_id_monthly_pass"), type_="foreignkey"
        )
        batch_op.drop_column("period_end_at")
        batch_op.drop_column("period_start_at")
        batch_op.drop_column("pass_id")
    op.drop_index(op.f("ix_monthly_pass_status"), table_name="monthly_pass")
    op.drop_index(op.f("ix_monthly_pass_driver_id"), table_name="monthly_pass")
    op.drop_index(op.f("ix_monthly_pass_spot_id"), table_name="monthly_pass")
    op.drop_table("monthly_pass")
    op.drop_table("pass_offer")
