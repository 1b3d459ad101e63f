"""Money leaving the platform: due refunds and payouts handed to their gateway, the outcome
recorded, and the people told. Gateway calls happen outside any database transaction and carry
idempotency keys, so a crash between the call and its record moves money once."""

from __future__ import annotations

import contextlib
import html
import logging

from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import translator
from core.db.models import Payment, Payout, Person, Refund, TransferStatus
from core.money import Money
from core.services import booking_payments, people, settlement
from payments.gateway import (
    GatewayRefused,
    PaymentGateway,
    PayoutAccountMissing,
    PayoutOrder,
    RefundOrder,
)

log = logging.getLogger(__name__)


def _note(gateway: PaymentGateway, language: str) -> str:
    return translator(language).gettext(" (sandbox: no real money)") if gateway.simulated else ""


async def move_money(context: ParkShareContext) -> None:
    async with context.db.reading() as uow:
        holds = await booking_payments.holds_to_capture(uow, context.clock)
    for payment, _booking in holds:
        await _capture(context, payment)
    async with context.db.reading() as uow:
        due = await settlement.due_transfers(uow, context.clock)
        payments = {
            refund.id: await uow.payments.get(Payment, refund.payment_id) for refund in due.refunds
        }
    for refund in due.refunds:
        await _refund(context, refund, payments[refund.id])
    for payout in due.payouts:
        await _pay_out(context, payout)


async def _capture(context: ParkShareContext, payment: Payment) -> None:
    """Take a card hold: the stay is over, or the hold would lapse before it is."""
    try:
        gateway = context.gateways.of_payment(payment.gateway)
        await gateway.capture(
            payment.external_id, Money(payment.amount_minor, payment.currency),
            f"payment:{payment.id}:capture",
        )  # fmt: skip
    except GatewayRefused as error:
        # Tried again on the next sweep; the payout waits for it.
        log.warning("capturing payment %s refused: %s", payment.id, error)
        return
    async with context.db.unit_of_work() as uow:
        await booking_payments.payment_captured(uow, payment.external_id)


async def _refund(context: ParkShareContext, refund: Refund, payment: Payment) -> None:
    amount = Money(refund.amount_minor, refund.currency)
    try:
        gateway = context.gateways.of_payment(payment.gateway)
        reference = await gateway.refund(
            RefundOrder(
                amount=amount, idempotency_key=refund.idempotency_key,
                payment_reference=payment.external_id,
                provider_charge_id=payment.provider_charge_id,
            )
        )  # fmt: skip
    except GatewayRefused as error:
        await _refused(context, Refund, refund.id, str(error))
        return
    async with context.db.unit_of_work() as uow:
        await settlement.refund_sent(uow, context.clock, refund.id, reference)
        driver = await people.get(uow, refund.driver_id)
    i18n = translator(driver.language)
    text = i18n.gettext("Refunded {amount} for booking #{id}. Banks take a few days to show it.")
    await _tell(context, driver, text.format(amount=i18n.money(amount), id=refund.booking_id)
                + _note(gateway, driver.language))  # fmt: skip


async def _pay_out(context: ParkShareContext, payout: Payout) -> None:
    gateway = context.gateways.payouts
    if gateway is None:
        return  # no payout gateway configured: the money waits, shown in /earnings and /report
    async with context.db.reading() as uow:
        if await uow.payments.has_held_payment(payout.booking_id):
            return  # the money is still only held on the driver's card
        owner = await people.get(uow, payout.owner_id)
    destination = owner.payout_account_id if owner.payouts_enabled else None
    if destination is None and not gateway.simulated:
        return  # waits for the owner to connect an account (the sandbox needs none)
    async with context.db.unit_of_work() as uow:
        sending = await settlement.payout_to_send(uow, payout.id)
    if sending is None:
        return  # a dispute opened on the stay meanwhile
    payout = sending
    amount = Money(payout.amount_minor, payout.currency)
    try:
        reference = await gateway.pay_out(
            PayoutOrder(
                owner_id=payout.owner_id, amount=amount,
                idempotency_key=payout.idempotency_key, destination=destination,
            )
        )  # fmt: skip
    except PayoutAccountMissing:
        # No account to send to after all: the payout waits for one; not a failure.
        async with context.db.unit_of_work() as uow:
            await settlement.payout_not_sent(uow, payout.id)
        return
    except GatewayRefused as error:
        await _refused(context, Payout, payout.id, str(error))
        return
    async with context.db.unit_of_work() as uow:
        await settlement.payout_sent(uow, context.clock, payout.id, reference)
        owner = await people.get(uow, payout.owner_id)
    i18n = translator(owner.language)
    text = i18n.gettext("Paid out {amount} to you for the stay of booking #{id}.")
    await _tell(context, owner, text.format(amount=i18n.money(amount), id=payout.booking_id)
                + _note(gateway, owner.language))  # fmt: skip


async def _refused(
    context: ParkShareContext, kind: type[Refund] | type[Payout], row_id: int, error: str
) -> None:
    log.warning("%s %s refused by the gateway: %s", kind.__name__, row_id, error)
    async with context.db.unit_of_work() as uow:
        row = await settlement.transfer_refused(uow, kind, row_id, error)
    if row.status != TransferStatus.FAILED or context.settings.manager_chat_id is None:
        return
    i18n = translator("en")
    what = i18n.gettext("Refund") if kind is Refund else i18n.gettext("Payout")
    text = i18n.gettext(
        "⚠️ Payment problem: {what} of {amount} for booking #{id} failed {attempts} times "
        "({error}). It needs a manager."
    ).format(
        what=what, amount=i18n.money(Money(row.amount_minor, row.currency)),
        id=row.booking_id, attempts=row.attempts, error=html.escape(error[:200]),
    )  # fmt: skip
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(context.settings.manager_chat_id, text)


async def _tell(context: ParkShareContext, person: Person, text: str) -> None:
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(person.telegram_id, text)
