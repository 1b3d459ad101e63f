"""Asking a driver for the money and telling them it arrived: the Telegram invoice or the
gateway's payment page straight after a booking, and the confirmation with everything the
stay needs, the same whether Telegram's invoice or Stripe's page took the money."""

from __future__ import annotations

import contextlib
import html
import logging
from datetime import timedelta

from telegram import InlineKeyboardMarkup, LabeledPrice
from telegram.error import Forbidden, TelegramError

from bot import owner_notices
from bot.booking_buttons import ManageBooking, PayBooking, occupied_button, relay_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.i18n import N_, Translator
from bot.keyboards import inline
from bot.stay_text import window_text
from bot.telegram_text import fit_html
from core.db.models import Booking
from core.errors import InvalidCurrency
from core.geo import GeoPoint
from core.guidance import route_links
from core.ports import CollectOrder, GatewayRefused, LinkCollection
from core.services import booking_payments, bookings, gateway_events, passes, series, stays
from core.services.gateway_events import OutcomeKind
from core.services.parties import Side
from core.services.stays import Parties, PaymentDue
from payments.telegram_invoice import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    PriceOutsideTelegramLimits,
    TelegramAmountRefused,
    fit,
    to_telegram_amount,
)

log = logging.getLogger(__name__)


PAYMENTS_UNAVAILABLE = N_("Payments are unavailable for a moment. Please try again in a minute.")


async def offer_payment(
    context: ParkShareContext,
    booking_id: int,
    *,
    chat_id: int,
    driver_id: int,
    i18n: Translator,
    due: PaymentDue | None = None,
) -> None:
    """The invoice straight after the booking is made, as Telegram bots do; when the gateway
    cannot open one right now, a Pay button to try again instead. ``due``: what the use case
    that made the booking read for it."""
    try:
        await send_payment(
            context, booking_id, chat_id=chat_id, driver_id=driver_id, i18n=i18n, due=due
        )
    except Forbidden:
        return  # the driver blocked the bot: the booking lapses unpaid by itself
    except GatewayRefused:
        _ = i18n.gettext
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                chat_id, _(PAYMENTS_UNAVAILABLE),
                reply_markup=inline([[(_("💳 Pay"), PayBooking(booking_id))]]),
            )  # fmt: skip


async def send_payment(
    context: ParkShareContext,
    booking_id: int,
    *,
    chat_id: int,
    driver_id: int,
    i18n: Translator,
    due: PaymentDue | None = None,
) -> None:
    """The booking's Telegram invoice, or the link to the gateway's own payment page (Stripe
    Checkout is a web page, so it needs a button). Raises GatewayRefused when the gateway
    cannot take the payment now."""
    _ = i18n.gettext
    if due is None:
        async with context.db.reading() as uow:
            due = await stays.payment_due(uow, booking_id, driver_id)
    charge, opened, stay = due.charge, due.opened, due.stay
    if opened is not None and booking_payments.still_usable(opened, context.clock.now()):
        await _send_payment_link(context, chat_id, charge, opened.url, i18n)
        return
    if opened is not None and (hosted := context.gateways.stripe) is not None:
        # The page in its last minutes is closed at the gateway before a new one opens, so
        # nobody pays twice; one paid on meanwhile is reconciled, and that is the answer.
        for outcome in await gateway_events.close_checkouts(
            context.db, context.clock, hosted, [opened]
        ):
            if outcome.kind == OutcomeKind.PAID and outcome.payment is not None:
                await tell_of_payment(context, outcome.payment, chat_id, i18n)
                return
    gateway = context.gateways.checkout
    description = _("{spot}. The money is held until your stay is over.").format(
        spot=charge.spot_title
    ) + simulated_note(context, i18n)
    # A card hold also holds an hour of overstay at its first rate, taken only if used.
    buffer, _later = context.settings.overstay_tariff.hourly_rates(charge.hourly_price)
    try:
        collection = await gateway.collect(
            CollectOrder(
                booking_id=charge.booking_id, amount=charge.amount, description=description,
                payload=charge.payload, idempotency_key=due.page_key,
                hold=charge.holdable
                and charge.start_at - context.clock.now() < booking_payments.HOLD_LAPSES_AFTER,
                return_url=f"https://t.me/{context.bot.username}",
                pay_by=charge.pay_by(timedelta(minutes=context.settings.payment_window_minutes)),
                hold_extra=buffer,
                hold_extra_description=_(
                    "Held for an hour of overstay: taken only if you stay past the end"
                ),
                save_card=charge.monthly,
            )
        )  # fmt: skip
    except GatewayRefused:
        log.exception("the payment page for booking %s could not be opened", charge.booking_id)
        raise
    if isinstance(collection, LinkCollection):
        async with context.db.after_gateway() as uow:
            await booking_payments.open_checkout(
                uow, context.clock, booking_id=charge.booking_id, gateway=gateway.name,
                reference=collection.reference, url=collection.url,
                expires_at=None if collection.open_for is None
                else context.clock.now() + collection.open_for,
            )  # fmt: skip
        await _send_payment_link(context, chat_id, charge, collection.url, i18n)
        return
    try:
        total = to_telegram_amount(charge.amount)
    except TelegramAmountRefused as refusal:
        await context.bot.send_message(chat_id, invoice_refusal_text(refusal, i18n))
        return
    await context.bot.send_invoice(
        chat_id=chat_id,
        title=fit(_invoice_title(charge, stay.id, i18n), TITLE_MAX),
        description=fit(description, DESCRIPTION_MAX),
        payload=charge.payload,
        currency=charge.amount.currency,
        prices=[LabeledPrice(_("Parking"), total)],
        provider_token=collection.provider_token,
    )


def _invoice_title(charge: booking_payments.Charge, stay_id: int, i18n: Translator) -> str:
    if charge.monthly:
        return i18n.ngettext(
            "Monthly parking pass: {count} stay",
            "Monthly parking pass: {count} stays",
            charge.stays,
        ).format(count=charge.stays)
    if charge.stays > 1:
        return i18n.ngettext(
            "Weekly parking from #{id}: {count} stay",
            "Weekly parking from #{id}: {count} stays",
            charge.stays,
        ).format(id=stay_id, count=charge.stays)
    if stay_id != charge.booking_id:
        return i18n.gettext("Extension of booking #{id}").format(id=stay_id)
    return i18n.gettext("Parking booking #{id}").format(id=stay_id)


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
    context: ParkShareContext,
    chat_id: int,
    charge: booking_payments.Charge,
    url: str,
    i18n: Translator,
) -> None:
    _ = i18n.gettext
    price = i18n.money(charge.amount)
    await context.bot.send_message(
        chat_id,
        _("Booking #{id}: {price}. Pay on the secure page; the money is only held until "
          "your stay is over.").format(id=charge.booking_id, price=price)
        + simulated_note(context, i18n),
        reply_markup=inline([[(_("💳 Pay {price}").format(price=price), url)]]),
    )  # fmt: skip


def simulated_note(context: ParkShareContext, i18n: Translator | None = None) -> str:
    """Every payment message in the sandbox says that no real money moves."""
    if not context.gateways.checkout.simulated:
        return ""
    return (i18n or context.i18n).gettext(" (sandbox: no real money)")


async def tell_of_payment(
    context: ParkShareContext,
    outcome: booking_payments.PaymentOutcome,
    chat_id: int,
    i18n: Translator,
    parties: Parties | None = None,
    together: list[Booking] | None = None,
    monthly: bool = False,
) -> None:
    """The driver's confirmation (or what became of the payment), and the owner's notice: the
    same whether Telegram's invoice or Stripe's page took the money. ``together``: the stays
    the payment confirmed, when the use case read them. ``parties``: the stay and
    both sides, when the use case that recorded the payment read them."""
    if outcome.duplicate or outcome.result not in HOLDS_THE_SPOT:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                chat_id, payment_outcome_text(outcome, i18n) + simulated_note(context, i18n)
            )
        return
    head = None
    if outcome.result == booking_payments.PaymentResult.REINSTATED:
        head = payment_outcome_text(outcome, i18n)
    if together is None and outcome.booking.series_id is None:
        together, monthly = [outcome.booking], False
    if parties is None or together is None:
        # Read once for the driver's and owner's messages: a webhook's payment, or the stays
        # of a weekly series (or a pass's month) one payment confirmed.
        async with context.db.reading() as uow:
            if parties is None:
                parties = await stays.parties_of(uow, outcome.booking)
            if together is None:
                together = await series.paid_together(uow, outcome.booking)
                monthly = bool(await passes.stays_of_passes(uow, [outcome.booking.id]))
    if head is None and monthly:
        head = i18n.ngettext(
            "✅ Paid. Your monthly pass is on: its month's {count} stay is confirmed. /passes "
            "shows the pass, /bookings its stays.",
            "✅ Paid. Your monthly pass is on: its month's {count} stays are confirmed. /passes "
            "shows the pass, /bookings its stays.",
            len(together),
        ).format(count=len(together))
    elif head is None and len(together) > 1:
        head = i18n.gettext(
            "✅ Paid. Your {count} weekly stays are confirmed; the first is booking #{id}. "
            "/bookings lists them all."
        ).format(count=len(together), id=outcome.booking.id)
    text, keyboard = await confirmation(context, outcome.booking, i18n, head=head, parties=parties)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    await owner_notices.paid(context, outcome.booking, parties, together, monthly=monthly)


HOLDS_THE_SPOT = frozenset(
    {booking_payments.PaymentResult.CONFIRMED, booking_payments.PaymentResult.REINSTATED}
)


async def confirmation(
    context: ParkShareContext,
    booking: Booking,
    i18n: Translator,
    *,
    head: str | None = None,
    parties: Parties | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Everything the driver needs once paid: where, when, how to get in, the route, and how to
    reach the owner or cancel."""
    _ = i18n.gettext
    if parties is None:
        async with context.db.reading() as uow:
            parties = await stays.parties_of(uow, booking)
    stay, spot = parties.stay, parties.spot
    held_line = head is None
    if head is None:
        if booking.extends_id is not None:
            head = _("✅ Paid. Booking #{id} is extended.").format(id=stay.id)
        else:
            head = _("✅ Paid. Booking #{id} is confirmed.").format(id=stay.id)
    lines = [
        head + simulated_note(context, i18n),
        "",
        f"<b>{html.escape(spot.title)}</b>",
        html.escape(spot.address) if spot.address else None,
        window_text(stay, spot, i18n),
        "",
        _("<b>How to get in:</b> {access}").format(
            access=html.escape(spot.access_instructions)
            if spot.access_instructions
            else _("ask the owner with the button below.")
        ),
        _("The money is held until your stay is over.") if held_line else None,
    ]
    text = fit_html("\n".join(line for line in lines if line is not None))
    links = route_links(
        GeoPoint(spot.lat, spot.lon), name=spot.title, chinese=i18n.language == "zh_Hans"
    )
    rows: list[list] = [[(link.app, link.url) for link in links[:2]]]
    rows += [[(link.app, link.url) for link in links[2:4]]]
    rows += [[(link.app, link.url) for link in links[4:]]] if links[4:] else []
    rows.append([relay_button(stay.id, Side.DRIVER, i18n)])
    rows.append([occupied_button(stay.id, i18n)])
    if stay.booking.status in bookings.CANCELLABLE:
        rows.append([(_("✖️ Cancel"), ManageBooking("cancel", stay.id, stay.booking.version))])
    return text, inline(rows)


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
