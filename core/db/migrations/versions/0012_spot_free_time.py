"""each spot's free time, known before a search (see core.free_time)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from core import free_time
from core.availability import Interval, WeeklyRule
from core.db.free_time import FreeTimeType
from core.status import LIVE_BOOKING_STATUSES

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spot_free_time",
        sa.Column("spot_id", sa.Integer(), nullable=False),
        sa.Column("written_from", sa.BigInteger(), nullable=False),
        sa.Column("written_until", sa.BigInteger(), nullable=False),
        sa.Column("free", FreeTimeType(), nullable=False),
        sa.ForeignKeyConstraint(
            ["spot_id"], ["spot.id"], name="fk_spot_free_time_spot_id_spot", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("spot_id", name="pk_spot_free_time"),
    )
    op.create_index("ix_spot_free_time_written_until", "spot_free_time", ["written_until"])
    _write_every_spot()


def downgrade() -> None:
    op.drop_index("ix_spot_free_time_written_until", table_name="spot_free_time")
    op.drop_table("spot_free_time")


def _write_every_spot() -> None:
    """Existing spots get their free time here; new ones get it with every change."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    start, end = free_time.span_for(now)
    spots = bind.execute(sa.text("SELECT id, timezone FROM spot")).all()
    if not spots:
        return
    rules: dict[int, list[WeeklyRule]] = defaultdict(list)
    for spot_id, weekday, first, last in bind.execute(
        sa.text("SELECT spot_id, weekday, start_minute, end_minute FROM availability_rule")
    ):
        rules[spot_id].append(WeeklyRule(weekday, first, last))
    windows = sa.table(
        "availability_window",
        sa.column("spot_id"), sa.column("start_at", sa.DateTime(timezone=True)),
        sa.column("end_at", sa.DateTime(timezone=True)), sa.column("blocked", sa.Boolean()),
    )  # fmt: skip
    openings: dict[int, list[Interval]] = defaultdict(list)
    blocks: dict[int, list[Interval]] = defaultdict(list)
    for spot_id, first, last, blocked in bind.execute(sa.select(windows)):
        interval = Interval(_aware(first), _aware(last))
        (blocks if blocked else openings)[spot_id].append(interval)
    bookings = sa.table(
        "booking",
        sa.column("spot_id"), sa.column("status"),
        sa.column("start_at", sa.DateTime(timezone=True)),
        sa.column("end_at", sa.DateTime(timezone=True)),
    )  # fmt: skip
    held: dict[int, list[Interval]] = defaultdict(list)
    for spot_id, first, last in bind.execute(
        sa.select(bookings.c.spot_id, bookings.c.start_at, bookings.c.end_at).where(
            bookings.c.status.in_([str(status) for status in LIVE_BOOKING_STATUSES])
        )
    ):
        held[spot_id].append(Interval(_aware(first), _aware(last)))
    table = sa.table(
        "spot_free_time",
        sa.column("spot_id"), sa.column("written_from"), sa.column("written_until"),
        sa.column("free", FreeTimeType()),
    )  # fmt: skip
    op.bulk_insert(
        table,
        [
            {
                "spot_id": spot_id,
                "written_from": free_time.epoch_seconds(start),
                "written_until": free_time.epoch_seconds(end),
                "free": free_time.compute(
                    rules[spot_id], openings[spot_id], blocks[spot_id], held[spot_id],
                    ZoneInfo(zone), start, end,
                ),  # fmt: skip
            }
            for spot_id, zone in spots
        ],
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
