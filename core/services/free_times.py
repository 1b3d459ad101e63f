"""Rolling each spot's free time forward, so that it always reaches past the bookable horizon.

A change rewrites a spot's free time over the span it was written for; time passing is what
moves the span, once a day for each spot, in batches of a few thousand spots a transaction."""

from __future__ import annotations

from datetime import timedelta

from core import free_time
from core.clock import Clock
from core.db.uow import Database

# Spots rewritten in one transaction: their rows stay locked while it runs.
ROLL_BATCH = 2000
# A row is rolled forward once it reaches less than this past the horizon; it is written to
# ``free_time.WRITTEN_PAST_HORIZON`` past it, so each spot is rewritten about once a day.
ROLL_WHEN_WITHIN = timedelta(days=1)


async def roll_forward(db: Database, clock: Clock, *, batch: int = ROLL_BATCH) -> int:
    """Rewrite, as of now, the free time of every spot written until too close to the horizon
    (or not written at all); the number of spots rewritten."""
    now = clock.now()
    due_before = free_time.epoch_seconds(free_time.horizon(now) + ROLL_WHEN_WITHIN)
    rolled = 0
    while True:
        async with db.unit_of_work() as uow:
            # Two processes' sweeps would take the same batch and wait on each other's rows.
            await uow.one_at_a_time("roll_free_time_forward")
            due = await uow.free_times.due_to_roll(due_before, limit=batch)
            await uow.free_times.refresh(due, now)
        rolled += len(due)
        if len(due) < batch:
            return rolled
