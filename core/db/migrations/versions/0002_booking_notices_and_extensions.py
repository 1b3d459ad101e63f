"""booking notices, extensions and saved searches

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
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_saved_search_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
    )
    op.create_index("ix_saved_search_place", "saved_search", ["lat", "lon"])
    op.create_index(op.f("ix_saved_search_person_id"), "saved_search", ["person_id"])
    with op.batch_alter_table("booking") as batch_op:
        batch_op.add_column(sa.Column("extends_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_extends_id_booking"), "booking", ["extends_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("booking") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_booking_extends_id_booking"), type_="foreignkey")
        batch_op.drop_column("extends_id")
    op.drop_table("saved_search")
    op.drop_table("booking_notice")
