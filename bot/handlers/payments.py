"""Paying in chat with a Telegram invoice: the invoice, the last check before money moves
(answered within Telegram's 10 seconds), and recording the payment once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram import LabeledPrice, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from bot.context import ParkShareContext
from bot.errors import explain
from bot.i18n import Translator
from bot.keyboards import CallbackData, inline, unpack_pressed
from core.errors import DomainError, InvalidCurrency, PaymentMismatch
from core.ports import CollectOrder, GatewayRefused, LinkCollection
from core.services import booking_payments
from payments.telegram_invoice import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    PriceOutsideTelegramLimits,
    TelegramAmountRefused,
    fit,
    from_telegram_amount,
    to_telegram_amount,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PayBooking(CallbackData):
    prefix = "pay"
    booking_id: int


async def pay_pressed(update: Update, context: ParkShareContext) -> None:
    query = update.callback_query
    _ = context.i18n.gettext
    pressed = await unpack_pressed(query, PayBooking, context.i18n)
    if pressed is None:
        return
    async with context.db.reading() as uow:
        charge = await booking_payments.charge_for(
            uow, booking_id=pressed.booking_id, driver_id=context.user_data.person_id
        )
    gateway = context.gateways.checkout
    description = _("{spot}. The money is held until your stay is over.").format(
        spot=charge.spot_title
    ) + simulated_note(context)
    async with context.db.reading() as uow:
        opened = await booking_payments.open_checkout_of(uow, charge.booking_id)
    if opened is not None:
        await query.answer()
        await _send_payment_link(update, context, charge, opened.url)
        return
    try:
        collection = await gateway.collect(
            CollectOrder(
                booking_id=charge.booking_id, amount=charge.amount, description=description,
                payload=charge.payload, idempotency_key=f"{charge.payload}:collect",
                hold=charge.start_at - context.clock.now() < booking_payments.HOLD_LAPSES_AFTER,
                return_url=f"https://t.me/{context.bot.username}",
                pay_by=charge.pay_by(timedelta(minutes=context.settings.payment_window_minutes)),
            )
        )  # fmt: skip
    except GatewayRefused:
        log.exception("the payment page for booking %s could not be opened", charge.booking_id)
        await query.answer(
            _("Payments are unavailable for a moment. Please try again in a minute."),
            show_alert=True,
        )
        return
    await query.answer()
    if isinstance(collection, LinkCollection):
        async with context.db.unit_of_work() as uow:
            await booking_payments.open_checkout(
                uow, context.clock, booking_id=charge.booking_id, gateway=gateway.name,
                reference=collection.reference, url=collection.url,
            )  # fmt: skip
        await _send_payment_link(update, context, charge, collection.url)
        return
    try:
        total = to_telegram_amount(charge.amount)
    except TelegramAmountRefused as refusal:
        await update.effective_message.reply_text(invoice_refusal_text(refusal, context.i18n))
        return
    await context.bot.send_invoice(
        chat_id=update.effective_chat.id,
        title=fit(_("Parking booking #{id}").format(id=charge.booking_id), TITLE_MAX),
        description=fit(description, DESCRIPTION_MAX),
        payload=charge.payload,
        currency=charge.amount.currency,
        prices=[LabeledPrice(_("Parking"), total)],
        provider_token=collection.provider_token,
    )


def invoice_refusal_text(refusal: TelegramAmountRefused, i18n: Translator) -> str:
    """Why Telegram cannot take this price, said before an invoice it would refuse is sent."""
    if isinstance(refusal, PriceOutsideTelegramLimits):
        return i18n.gettext(
            "Telegram takes payments in {currency} only from {lowest} to {highest}, so "
            "{price} can't be paid here."
        ).format(
            currency=refusal.price.currency,
            lowest=i18n.money(refusal.lowest),
            highest=i18n.money(refusal.highest),
            price=i18n.money(refusal.price),
        )
    return explain(InvalidCurrency(str(refusal)), i18n)


async def _send_payment_link(
    update: Update, context: ParkShareContext, charge: booking_payments.Charge, url: str
) -> None:
    _ = context.i18n.gettext
    price = context.i18n.money(charge.amount)
    await update.effective_message.reply_text(
        _("Booking #{id}: {price}. Pay on the secure page; the money is only held until "
          "your stay is over.").format(id=charge.booking_id, price=price)
        + simulated_note(context),
        reply_markup=inline([[(_("💳 Pay {price}").format(price=price), url)]]),
    )  # fmt: skip


def simulated_note(context: ParkShareContext) -> str:
    """Every payment message in the sandbox says that no real money moves."""
    if not context.gateways.checkout.simulated:
        return ""
    return context.i18n.gettext(" (sandbox: no real money)")


async def pre_checkout(update: Update, context: ParkShareContext) -> None:
    query = update.pre_checkout_query
    try:
        amount = from_telegram_amount(query.total_amount, query.currency)
    except TelegramAmountRefused:
        # A currency Telegram's table lacks, or an amount Money cannot hold: no booking's price.
        mismatch = PaymentMismatch(query.invoice_payload)
        await query.answer(ok=False, error_message=explain(mismatch, context.i18n))
        return
    try:
        async with context.db.reading() as uow:
            await booking_payments.check_payable(
                uow,
                payload=query.invoice_payload,
                driver_id=context.user_data.person_id,
                amount=amount,
            )
    except DomainError as error:
        await query.answer(ok=False, error_message=explain(error, context.i18n))
        return
    await query.answer(ok=True)


async def payment_received(update: Update, context: ParkShareContext) -> None:
    paid = update.effective_message.successful_payment
    async with context.db.unit_of_work() as uow:
        outcome = await booking_payments.record_payment(
            uow,
            context.clock,
            gateway=context.gateways.checkout.name,
            payload=paid.invoice_payload,
            driver_id=context.user_data.person_id,
            amount=from_telegram_amount(paid.total_amount, paid.currency),
            external_id=paid.telegram_payment_charge_id,
            provider_charge_id=paid.provider_payment_charge_id,
        )
    await update.effective_message.reply_text(
        payment_outcome_text(outcome, context.i18n) + simulated_note(context)
    )


def payment_outcome_text(outcome: booking_payments.PaymentOutcome, i18n: Translator) -> str:
    _ = i18n.gettext
    result = booking_payments.PaymentResult
    if outcome.duplicate:
        text = _("This payment was already received. Booking #{id} stays as it was.")
    elif outcome.result == result.REINSTATED:
        text = _(
            "Your payment arrived just after booking #{id} had lapsed. The time was still free, "
            "so the booking is yours again: confirmed. We hold the money until your stay is over."
        )
    elif outcome.result == result.REFUNDED_LAPSED:
        text = _(
            "Your payment arrived after booking #{id} had lapsed. It will be refunded in full."
        )
    elif outcome.result == result.REFUNDED_CANCELLED:
        text = _(
            "Booking #{id} was cancelled before your payment arrived. It will be refunded in full."
        )
    elif outcome.result == result.REFUNDED_NOT_OWED:
        text = _("Booking #{id} did not need this payment. It will be refunded in full.")
    else:
        text = _("Paid. Booking #{id} is confirmed. We hold the money until your stay is over.")
    return text.format(id=outcome.booking.id)


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(pay_pressed, pattern=PayBooking.pattern()),
        PreCheckoutQueryHandler(pre_checkout),
        MessageHandler(filters.SUCCESSFUL_PAYMENT, payment_received),
    ]
