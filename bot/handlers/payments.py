"""Paying in chat with a Telegram invoice: the Pay button, the last check before money moves
(answered within Telegram's 10 seconds), and recording the payment once. The invoice itself and
the confirmation are bot.payment_messages', shared with booking and the payment webhooks."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, MessageHandler, PreCheckoutQueryHandler, filters

from bot.booking_buttons import PayBooking
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.incoming import chat_of, message_of
from bot.overstay_bills import tell_of_payment as tell_overstay_paid
from bot.payment_messages import PAYMENTS_UNAVAILABLE, send_payment, tell_of_payment
from core.errors import DomainError, PaymentMismatch
from core.ports import GatewayRefused
from core.services import booking_payments, overstays, stays
from payments.telegram_invoice import TelegramAmountRefused, from_telegram_amount


@on_button(PayBooking)
async def pay_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PayBooking
) -> None:
    """Pay from /bookings or after a refusal: the invoice again, for when it has scrolled away."""
    _ = context.i18n.gettext
    try:
        await send_payment(
            context, pressed.booking_id, chat_id=chat_of(update).id,
            driver_id=context.person_id, i18n=context.i18n,
        )  # fmt: skip
    except GatewayRefused:
        await query.answer(_(PAYMENTS_UNAVAILABLE), show_alert=True)
        return
    await query.answer()


async def pre_checkout(update: Update, context: ParkShareContext) -> None:
    query = update.pre_checkout_query
    assert query is not None  # registered with PreCheckoutQueryHandler
    try:
        amount = from_telegram_amount(query.total_amount, query.currency)
    except TelegramAmountRefused:
        # A currency Telegram's table lacks, or an amount Money cannot hold: no booking's price.
        mismatch = PaymentMismatch(query.invoice_payload)
        await query.answer(ok=False, error_message=explain(mismatch, context.i18n))
        return
    check = (
        overstays.check_payable
        if overstays.is_overstay_payload(query.invoice_payload)
        else booking_payments.check_payable
    )
    try:
        async with context.db.reading() as uow:
            await check(uow, payload=query.invoice_payload, driver_id=context.person_id,
                        amount=amount)  # fmt: skip
    except DomainError as error:
        await query.answer(ok=False, error_message=explain(error, context.i18n))
        return
    await query.answer(ok=True)


async def payment_received(update: Update, context: ParkShareContext) -> None:
    paid = message_of(update).successful_payment
    assert paid is not None  # registered for filters.SUCCESSFUL_PAYMENT
    if overstays.is_overstay_payload(paid.invoice_payload):
        async with context.db.unit_of_work() as uow:
            overstay_paid = await overstays.record_payment(
                uow, context.clock, gateway=context.gateways.checkout.name,
                payload=paid.invoice_payload, driver_id=context.person_id,
                amount=from_telegram_amount(paid.total_amount, paid.currency),
                external_id=paid.telegram_payment_charge_id,
                provider_charge_id=paid.provider_payment_charge_id,
            )  # fmt: skip
        await tell_overstay_paid(context, overstay_paid, chat_of(update).id)
        return
    async with context.db.unit_of_work() as uow:
        paid_for = await stays.record_payment(
            uow,
            context.clock,
            gateway=context.gateways.checkout.name,
            payload=paid.invoice_payload,
            driver_id=context.person_id,
            amount=from_telegram_amount(paid.total_amount, paid.currency),
            external_id=paid.telegram_payment_charge_id,
            provider_charge_id=paid.provider_payment_charge_id,
        )
    await tell_of_payment(
        context, paid_for.outcome, chat_of(update).id, context.i18n, paid_for.parties,
        paid_for.together, monthly=paid_for.monthly,
    )  # fmt: skip


def handlers() -> list[BaseHandler]:
    return [
        pay_pressed,
        PreCheckoutQueryHandler(pre_checkout),
        MessageHandler(filters.SUCCESSFUL_PAYMENT, payment_received),
    ]
