"""Billing a pass's next month: charged to the card saved with the first month when the
gateway keeps cards (Stripe, off session), else asked for in chat; a bank that wants the
driver to confirm (3-D Secure) gets them a payment page instead."""

from __future__ import annotations

import logging

from bot import pass_messages
from bot.context import ParkShareContext
from bot.i18n import translator
from bot.payment_messages import tell_of_payment
from core.ports import GatewayRefused, PayerNeeded, SavedCardCharge, SavedCardGateway
from core.services import booking_payments, gateway_events, passes

log = logging.getLogger(__name__)


async def bill_month(context: ParkShareContext, renewal: passes.Renewal) -> None:
    gateway = context.gateways.checkout
    card = passes.saved_card_of(renewal.monthly_pass)
    if card is None or not isinstance(gateway, SavedCardGateway):
        await pass_messages.renewed(context, renewal, charged=False)
        return
    first = renewal.booked.first
    payload = booking_payments.payload_for(first)
    try:
        reference, state = await gateway.charge_saved(
            SavedCardCharge(
                card=card, amount=renewal.booked.price, booking_id=first.id, payload=payload,
                description=renewal.month.spot.title, idempotency_key=f"{payload}:saved_card",
            )
        )  # fmt: skip
    except PayerNeeded:
        await pass_messages.renewed(context, renewal, charged=False, confirm=True)
        return
    except GatewayRefused:
        log.warning("the saved card of pass %s was not charged", renewal.monthly_pass.id)
        await pass_messages.renewed(context, renewal, charged=False)
        return
    async with context.db.unit_of_work() as uow:
        outcome = await gateway_events.saved_card_charged(
            uow, context.clock, gateway=gateway.name, payload=payload, reference=reference,
            state=state,
        )  # fmt: skip
    await pass_messages.renewed(context, renewal, charged=True)
    # Stripe's webhook may have recorded it first, and told the driver then.
    if outcome.payment is not None and not outcome.payment.duplicate:
        driver = renewal.driver
        await tell_of_payment(
            context, outcome.payment, driver.telegram_id, translator(driver.language)
        )
