"""Timed work. The sweeps read what is due from the database, so nothing is lost when the
process restarts: a sweep after the restart finds what fell due while it was down."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import ParkShareContext
from bot.i18n import translator
from core.services import bookings, people

SWEEP_INTERVAL_S = 30


async def expire_overdue_bookings(context: ParkShareContext) -> None:
    settings = context.settings
    async with context.db.unit_of_work() as uow:
        expired = await bookings.expire_overdue(
            uow,
            context.clock,
            payment_window=timedelta(minutes=settings.payment_window_minutes),
            request_window=timedelta(minutes=settings.request_window_minutes),
        )
        drivers = {booking.id: await people.get(uow, booking.driver_id) for booking in expired}
    for booking in expired:
        driver = drivers[booking.id]
        text = (
            translator(driver.language)
            .gettext(
                "Booking #{id} expired before it was paid or accepted, so its time is free again."
            )
            .format(id=booking.id)
        )
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(driver.telegram_id, text)


def schedule(application: Application) -> None:
    application.job_queue.run_repeating(
        expire_overdue_bookings, interval=SWEEP_INTERVAL_S, first=5, name="expire_overdue"
    )
