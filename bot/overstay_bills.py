"""What people hear about an overstay: the driver the tariff while the car is still there and
then the bill (a Telegram invoice), the owner their share once it is paid, and the managers a
bill nobody paid."""

from __future__ import annotations

import contextlib
import functools
import html
import logging
from datetime import timedelta

from telegram import LabeledPrice
from telegram.error import TelegramError

from bot.booking_buttons import left_button
from bot.context import ParkShareContext
from bot.dispute_card import tell
from bot.i18n import Translator, translator
from bot.keyboards import inline
from bot.managers_group import tell_managers
from bot.payment_messages import simulated_note
from bot.telegram_text import fit_html
from core.db.models import OverstayStatus
from core.money import Money
from core.ports import CollectOrder, GatewayRefused, LinkCollection
from core.services import overstays
from core.services.parties import Parties
from payments.telegram_invoice import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    TelegramAmountRefused,
    fit,
    to_telegram_amount,
)

log = logging.getLogger(__name__)


def tariff_text(context: ParkShareContext, hourly: Money, i18n: Translator) -> str:
    tariff = context.settings.overstay_tariff
    first, later = tariff.hourly_rates(hourly)
    minutes = int(tariff.grace.total_seconds() // 60)
    return i18n.ngettext(
        "Staying past the end costs {first} an hour for the first hour, then {later} an hour, "
        "for every started quarter-hour from the end, unless you're gone within {minutes} "
        "minute.",
        "Staying past the end costs {first} an hour for the first hour, then {later} an hour, "
        "for every started quarter-hour from the end, unless you're gone within {minutes} "
        "minutes.",
        minutes,
    ).format(first=i18n.money(first), later=i18n.money(later), minutes=minutes)


async def tell_driver_still_there(context: ParkShareContext, stay: Parties) -> None:
    """The owner reports the car still there: its driver hears what it costs, and how to stop
    the clock."""
    driver, spot, booking = stay.driver, stay.spot, stay.booking
    i18n = translator(driver.language)
    text = "\n".join(
        [
            i18n.gettext(
                "⏰ The owner says your car is still at “{title}”, and your stay ended at {end}."
            ).format(title=html.escape(spot.title), end=i18n.moment(booking.end_at, spot.timezone)),
            tariff_text(context, spot.hourly_price, i18n),
            i18n.gettext("Press “I've left” as you go: the clock stops then."),
        ]
    )
    await tell(
        context,
        driver.telegram_id,
        fit_html(text),
        inline([[left_button(booking.id, i18n)]]),
    )


async def send_bill(context: ParkShareContext, bill: overstays.Bill) -> None:
    """The driver's bill for the time past the end: taken from the overstay buffer of their
    card hold when it has room, else a Telegram invoice. (A bill a payment page would have to
    collect is left to the managers, when it goes unpaid.)"""
    driver, spot = bill.parties.driver, bill.parties.spot
    i18n = translator(driver.language)
    _ = i18n.gettext
    amount = bill.overstay.amount
    if bill.taken is not None:
        await tell(
            context,
            driver.telegram_id,
            fit_html(
                _(
                    "You left “{title}” {minutes} min after your stay ended. The overstay, "
                    "{amount}, is taken from the amount held on your card; the rest of the "
                    "hold is let go."
                ).format(
                    title=html.escape(spot.title),
                    minutes=bill.minutes,
                    amount=i18n.money(amount),
                )
            ),
        )
        await _tell_owner_paid(context, bill, bill.taken.owner_share)
        return
    if bill.overstay.status == OverstayStatus.UNPAID:
        await _to_the_managers(context, bill)
        return
    description = _(
        "{minutes} min past the end of booking #{id} at {spot}."
    ).format(minutes=bill.minutes, id=bill.parties.booking.id, spot=spot.title) + simulated_note(
        context, i18n
    )  # fmt: skip
    gateway = context.gateways.checkout
    try:
        collection = await gateway.collect(
            CollectOrder(
                booking_id=bill.parties.booking.id, amount=amount, description=description,
                payload=bill.payload, idempotency_key=f"{bill.payload}:collect", hold=False,
                return_url=f"https://t.me/{context.bot.username}", pay_by=None,
            )
        )  # fmt: skip
        total = to_telegram_amount(amount)
    except (GatewayRefused, TelegramAmountRefused):
        log.exception("the overstay bill %s could not be made", bill.payload)
        return
    if isinstance(collection, LinkCollection):  # bills_in_chat said otherwise
        log.error("overstay bill %s: the gateway has no invoice in chat", bill.payload)
        return
    await tell(
        context,
        driver.telegram_id,
        fit_html(
            _(
                "You left “{title}” {minutes} min after your stay ended. The overstay "
                "costs {amount}: please pay it here."
            ).format(title=html.escape(spot.title), minutes=bill.minutes, amount=i18n.money(amount))
        ),
    )
    with contextlib.suppress(TelegramError):
        await context.bot.send_invoice(
            chat_id=driver.telegram_id,
            title=fit(_("Overstay, booking #{id}").format(id=bill.parties.booking.id), TITLE_MAX),
            description=fit(description, DESCRIPTION_MAX),
            payload=bill.payload,
            currency=amount.currency,
            prices=[LabeledPrice(_("Overstay"), total)],
            provider_token=collection.provider_token,
        )


async def _to_the_managers(context: ParkShareContext, bill: overstays.Bill) -> None:
    """A bill this gateway cannot take in chat: the driver hears what they owe and that a
    manager will be in touch; the managers get the case."""
    driver = bill.parties.driver
    i18n = translator(driver.language)
    await tell(
        context,
        driver.telegram_id,
        fit_html(
            i18n.gettext(
                "You left “{title}” {minutes} min after your stay ended; the overstay comes to "
                "{amount}. A manager will write to you about paying it."
            ).format(
                title=html.escape(bill.parties.spot.title),
                minutes=bill.minutes,
                amount=i18n.money(bill.overstay.amount),
            )
        ),
    )
    booking_id, amount = bill.parties.booking.id, bill.overstay.amount
    await tell_managers(context, lambda managers: managers.gettext(
        "⚠️ Booking #{id}: an overstay of {amount} can't be billed in chat with this payment "
        "gateway and its card hold had no room for it. Its report is open."
    ).format(id=booking_id, amount=managers.money(amount)))  # fmt: skip


async def tell_of_payment(context: ParkShareContext, paid: overstays.Paid, chat_id: int) -> None:
    driver_i18n = translator(paid.bill.parties.driver.language)
    if not paid.kept:
        await tell(
            context,
            chat_id,
            driver_i18n.gettext(
                "This overstay bill was settled already: your payment goes back to you."
            ),
        )
        return
    if paid.duplicate:
        return
    amount = paid.bill.overstay.amount
    await tell(
        context,
        chat_id,
        driver_i18n.gettext("✅ Overstay paid: {amount}. Thank you.").format(
            amount=driver_i18n.money(amount)
        ),
    )
    await _tell_owner_paid(context, paid.bill, paid.owner_share)


async def _tell_owner_paid(context: ParkShareContext, bill: overstays.Bill, share: Money) -> None:
    owner = bill.parties.owner
    to_owner = translator(owner.language)
    await tell(
        context,
        owner.telegram_id,
        to_owner.gettext(
            "The driver of booking #{id} paid {amount} for staying on. Your share, {share}, "
            "is added to your payout."
        ).format(
            id=bill.parties.booking.id,
            amount=to_owner.money(bill.overstay.amount),
            share=to_owner.money(share),
        ),
    )


async def tell_unpaid(context: ParkShareContext) -> None:
    """Bills not paid in time go to the managers; their drivers have lost credit for it."""
    async with context.db.unit_of_work() as uow:
        bills = await overstays.unpaid(
            uow, context.clock,
            pay_within=timedelta(hours=context.settings.overstay_pay_within_hours),
        )  # fmt: skip
    for bill in bills:
        await tell_managers(context, functools.partial(_unpaid_line, bill))


def _unpaid_line(bill: overstays.Bill, managers: Translator) -> str:
    return managers.gettext(
        "⚠️ The overstay bill of booking #{id}, {amount}, was not paid in time. The driver "
        "(person #{driver}) lost credit for it; the booking's report is open."
    ).format(
        id=bill.parties.booking.id,
        amount=managers.money(bill.overstay.amount),
        driver=bill.parties.driver.id,
    )
