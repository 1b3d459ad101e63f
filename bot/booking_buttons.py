"""The buttons on a booking that more than one screen shows (the payment confirmation, the
invoice's fallback, /bookings): one codec each, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards import CallbackData


@dataclass(frozen=True)
class PayBooking(CallbackData):
    prefix = "pay"
    booking_id: int


@dataclass(frozen=True)
class ManageBooking(CallbackData):
    """A driver's button on one booking; ``version`` is the booking as the driver saw it."""

    prefix = "bm"
    choices = {"action": frozenset({"cancel", "cancel_yes", "keep", "extend"})}  # noqa: RUF012
    action: str
    booking_id: int
    version: int
