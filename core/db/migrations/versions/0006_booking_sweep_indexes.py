"""bookings by status and start or end, and by the booking they extend

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_booking_status_start", "booking", ["status", "start_at"])
    op.create_index("ix_booking_status_end", "booking", ["status", "end_at"])
    op.create_index(op.f("ix_booking_extends_id"), "booking", ["extends_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_extends_id"), table_name="booking")
    op.drop_index("ix_booking_status_end", table_name="booking")
    op.drop_index("ix_booking_status_start", table_name="booking")
