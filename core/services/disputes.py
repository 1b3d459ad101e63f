"""Disputes about a booking: opened by a person, a manager, or a gateway's chargeback."""

from __future__ import annotations

from core.clock import Clock
from core.db.models import Dispute, DisputeStatus
from core.db.uow import UnitOfWork


async def open_dispute(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    kind: str,
    description: str = "",
    opened_by_id: int | None = None,
) -> Dispute:
    dispute = Dispute(
        booking_id=booking_id, opened_by_id=opened_by_id, kind=kind,
        description=description[:2000], status=DisputeStatus.OPEN, created_at=clock.now(),
    )  # fmt: skip
    uow.payments.add(dispute)
    await uow.payments.flush()
    return dispute
