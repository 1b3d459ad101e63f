"""Hosted payment pages of bookings that stopped waiting for payment are closed at once, not
left open until the gateway's own expiry (at least 30 minutes on Stripe)."""

from __future__ import annotations

from bot.context import ParkShareContext
from bot.web import tell_about_payment
from core.db.models import Checkout
from core.services import gateway_events


async def close_lapsed_payment_pages(context: ParkShareContext) -> None:
    """Stripe's page of a booking that expired or was cancelled is closed, so nobody pays for
    it late; one paid on meanwhile is reconciled and the driver told."""
    gateway = context.gateways.stripe
    if gateway is None:
        return
    for outcome in await gateway_events.expire_lapsed_checkouts(context.db, context.clock, gateway):
        await tell_about_payment(context.application, outcome)


async def close_payment_pages(context: ParkShareContext, lapsed: list[Checkout]) -> None:
    """The pages a use case left without a booking to pay for (a cancelled stay's), closed at
    once; the sweep above closes any it missed."""
    gateway = context.gateways.stripe
    if gateway is None or not lapsed:
        return
    for outcome in await gateway_events.close_checkouts(context.db, context.clock, gateway, lapsed):
        await tell_about_payment(context.application, outcome)
