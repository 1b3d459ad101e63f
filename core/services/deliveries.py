"""How long a delivered update is remembered: Telegram redelivers within minutes, and may
reuse an update id after a week with no updates at all."""

from __future__ import annotations

from datetime import timedelta

from core.clock import Clock
from core.db.uow import UnitOfWork

REMEMBERED_FOR = timedelta(days=7)


async def forget_old(uow: UnitOfWork, clock: Clock) -> int:
    return await uow.deliveries.forget_before(clock.now() - REMEMBERED_FOR)
