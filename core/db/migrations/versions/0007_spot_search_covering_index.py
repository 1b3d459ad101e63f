"""search reads spots' places and timezones, and weekly rules, from indexes alone

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_spot_status_cell_place", "spot", ["status", "cell", "lat", "lon", "timezone"])
    op.drop_index("ix_spot_status_cell", table_name="spot")
    op.create_index(
        "ix_availability_rule_spot_day",
        "availability_rule",
        ["spot_id", "weekday", "start_minute", "end_minute"],
    )
    op.drop_index("ix_availability_rule_spot_id", table_name="availability_rule")


def downgrade() -> None:
    op.create_index("ix_availability_rule_spot_id", "availability_rule", ["spot_id"])
    op.drop_index("ix_availability_rule_spot_day", table_name="availability_rule")
    op.create_index("ix_spot_status_cell", "spot", ["status", "cell"])
    op.drop_index("ix_spot_status_cell_place", table_name="spot")
