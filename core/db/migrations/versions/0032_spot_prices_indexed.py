"""SQLite: a covering index of each spot's prices by its id, so that a search with a price limit
reads a spot's prices from a small index instead of a page of its large row, rarely cached.
PostgreSQL's search has the row in hand already

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE INDEX ix_spot_prices "
            "ON spot (id, currency, hourly_price_minor, daily_price_minor)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_spot_prices")
