"""/bookings: a driver's bookings to come with what can be done next (pay, cancel with the
policy shown first, extend, navigate), their past stays, and the bookings at an owner's spots,
which the owner can call off at a cost to their credit."""

from __future__ import annotations

import contextlib
import html
from collections import Counter
from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import owner_notices, pass_messages
from bot.booking_buttons import (
    ExtendBooking,
    ManageBooking,
    OpenRelay,
    PayBooking,
    ReportProblem,
    extension_buttons,
    left_button,
    occupied_button,
    rate_button,
    relay_button,
    report_button,
    series_button,
)
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import N_, Translator, translator
from bot.incoming import chat_of, message_of
from bot.keyboards import Button, CallbackData, inline
from bot.payment_messages import offer_payment
from bot.payment_pages import close_payment_pages
from bot.spot_buttons import Navigate
from bot.stay_text import duration_text, window_text
from bot.waiting_drivers import tell_of_freed_spots
from core.db.models import Booking, Person, Spot
from core.money import Money
from core.services import bookings, disputes, passes, ratings, relay, spots, stays
from core.services.parties import Side
from core.services.stays import Stay
from core.status import LIVE_BOOKING_STATUSES, BookingStatus

STATUS_LABELS = {
    BookingStatus.REQUESTED: N_("waiting for the owner"),
    BookingStatus.AWAITING_PAYMENT: N_("waiting for payment"),
    BookingStatus.CONFIRMED: N_("confirmed"),
    BookingStatus.ACTIVE: N_("in progress"),
    BookingStatus.COMPLETED: N_("completed"),
    BookingStatus.CANCELLED: N_("cancelled"),
    BookingStatus.EXPIRED: N_("expired"),
    BookingStatus.DISPUTED: N_("under review by a manager"),
}


@dataclass(frozen=True)
class OwnerCancel(CallbackData):
    prefix = "oc"
    choices = {"action": frozenset({"ask", "yes", "keep"})}  # noqa: RUF012
    action: str
    booking_id: int
    version: int


def describe_stay(stay: Stay, spot: Spot, i18n: Translator) -> str:
    """One booking number for the stay and its extensions."""
    _ = i18n.gettext
    text = _("<b>{title}</b>\n{window}\n{price} · {status}").format(
        title=html.escape(spot.title),
        window=window_text(stay, spot, i18n),
        price=i18n.money(stay.price),
        status=_(STATUS_LABELS[stay.status]),
    )
    if stay.unpaid_extension is not None:
        extension = stay.unpaid_extension
        text += "\n" + _("⏩ +{duration} waiting for payment: {price}").format(
            duration=duration_text(extension.end_at - extension.start_at, i18n),
            price=i18n.money(extension.price),
        )
    return text


def driver_buttons(booking: Booking | Stay, i18n: Translator) -> InlineKeyboardMarkup | None:
    rows = _driver_rows(booking, i18n)
    return inline(rows) if rows else None


def _driver_rows(booking: Booking | Stay, i18n: Translator) -> list[list]:
    _ = i18n.gettext
    stay = booking if isinstance(booking, Stay) else Stay(booking)
    booking = stay.booking
    rows = _trust_row(booking, Side.DRIVER, i18n)
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        # A weekly series is paid with its first stay.
        rows.append([(_("💳 Pay"), PayBooking(booking.paid_with_id or booking.id))])
    if stay.unpaid_extension is not None:
        rows.append([(_("💳 Pay the extension"), PayBooking(stay.unpaid_extension.id))])
    if stay.status in bookings.EXTENDABLE and stay.unpaid_extension is None:
        last = stay.last
        rows.append(
            [
                (_("🧭 Navigate"), Navigate(booking.spot_id)),
                (_("⏩ Extend"), ManageBooking("extend", last.id, last.version)),
            ]
        )
    if stay.status == BookingStatus.ACTIVE:
        rows.append([left_button(booking.id, i18n)])
    if booking.status in bookings.CANCELLABLE:
        rows.append([(_("✖️ Cancel"), ManageBooking("cancel", booking.id, booking.version))])
    return rows


def _trust_row(booking: Booking, side: Side, i18n: Translator) -> list[list]:
    """Write to the other side, and report a problem, while the booking allows them."""
    row: list[Button] = []
    if booking.status in relay.OPEN_STATUSES:
        row.append(relay_button(booking.id, side, i18n))
    if booking.status in disputes.DISPUTABLE:
        row.append(report_button(booking.id, i18n))
    rows = [row] if row else []
    if side == Side.DRIVER and booking.status == BookingStatus.CONFIRMED:
        rows.append([occupied_button(booking.id, i18n)])
    return rows


def _owner_rows(booking: Booking, i18n: Translator) -> list[list]:
    _ = i18n.gettext
    rows: list[list[Button]] = []
    if booking.status in relay.OPEN_STATUSES:
        rows.append([(_("💬 Driver of #{id}").format(id=booking.id), OpenRelay(booking.id))])
    if booking.status in disputes.DISPUTABLE:
        rows.append([(_("⚠️ Problem with #{id}").format(id=booking.id),
                      ReportProblem(booking.id))])  # fmt: skip
    if booking.status in bookings.CANCELLABLE:
        rows.append([(_("✖️ Cancel #{id}").format(id=booking.id),
                      OwnerCancel("ask", booking.id, booking.version))])  # fmt: skip
    return rows


async def list_bookings(update: Update, context: ParkShareContext) -> None:
    _ = context.i18n.gettext
    i18n = context.i18n
    person_id = context.person_id
    async with context.db.reading() as uow:
        # Enough for the longest weekly series beside other bookings: a series is shown once.
        upcoming = await bookings.upcoming_of_driver(uow, context.clock, person_id, limit=60)
        past = await bookings.past_of_driver(uow, context.clock, person_id)
        at_my_spots = await bookings.at_owners_spots(uow, context.clock, person_id)
        stays_over = await bookings.completed_at_owners_spots(uow, person_id)
        to_rate_as_driver = await ratings.unrated(
            uow, person_id, [b.id for b, _spot in past if b.status == BookingStatus.COMPLETED]
        )
        to_rate_as_owner = await ratings.unrated(uow, person_id, [b.id for b, _s in stays_over])
        reportable = await disputes.still_reportable_after_stay(
            uow, context.clock, [b for b, _spot in past + stays_over]
        )
        upcoming_stays = await stays.stays_of(uow, upcoming)
        of_passes = await passes.stays_of_passes(uow, [b.id for b, _spot in upcoming])
        past_stays = await stays.stays_of(uow, past)
        owners_stays = await stays.stays_of(uow, at_my_spots)
    # An extension that lapsed is listed as past; its stay is shown once, with the live ones.
    shown = {stay.id for stay, _spot in upcoming_stays}
    past_stays = [(stay, spot) for stay, spot in past_stays if stay.id not in shown]
    reply = message_of(update).reply_text
    if not (upcoming or past or at_my_spots or stays_over):
        await reply(_("You have no bookings yet. Share your location to find a spot."))
        return
    live = [(stay, s) for stay, s in upcoming_stays if stay.status in LIVE_BOOKING_STATUSES]
    in_series = Counter(stay.booking.series_id for stay, _spot in live)
    shown_series: set[int] = set()
    for stay, spot in live:
        series_id = stay.booking.series_id
        if series_id is None:
            await reply(describe_stay(stay, spot, i18n), reply_markup=driver_buttons(stay, i18n))
            continue
        if series_id in shown_series:
            continue  # a weekly series shows its next stay, and its others behind a button
        shown_series.add(series_id)
        more = in_series[series_id] - 1
        text = describe_stay(stay, spot, i18n)
        if more and stay.id in of_passes:
            text += "\n" + i18n.ngettext(
                "🗓 and {count} more stay of this monthly pass",
                "🗓 and {count} more stays of this monthly pass",
                more,
            ).format(count=more)
        elif more:
            text += "\n" + i18n.ngettext(
                "🔁 and {count} more stay of this weekly booking",
                "🔁 and {count} more stays of this weekly booking",
                more,
            ).format(count=more)
        series_rows = [*_driver_rows(stay, i18n), [series_button(series_id, more, i18n)]]
        if stay.booking.status != BookingStatus.AWAITING_PAYMENT:
            # A later week paid week by week waits behind the stays paid already.
            unpaid = next(
                (s.booking for s, _ in live
                 if s.booking.series_id == series_id
                 and s.booking.status == BookingStatus.AWAITING_PAYMENT),
                None,
            )  # fmt: skip
            if unpaid is not None:
                moment = i18n.moment(unpaid.start_at, spot.timezone)
                series_rows.insert(0, [(
                    _("💳 Pay the stays from {moment}").format(moment=moment),
                    PayBooking(unpaid.paid_with_id or unpaid.id),
                )])  # fmt: skip
        await reply(text, reply_markup=inline(series_rows))
    if past_stays:
        lines = [_("<b>Past bookings</b>")]
        lines += [describe_stay(stay, spot, i18n) for stay, spot in past_stays]
        rows: list[list[Button]] = [[rate_button(b, Side.DRIVER, i18n)] for b in to_rate_as_driver]
        rows += _problem_after_stay_rows(past, reportable, i18n)
        await reply("\n\n".join(lines), reply_markup=inline(rows) if rows else None)
    if at_my_spots:
        lines = [_("<b>Bookings at your spots</b>")]
        lines += [describe_stay(stay, spot, i18n) for stay, spot in owners_stays]
        rows = [row for stay, _spot in owners_stays for row in _owner_rows(stay.booking, i18n)]
        await reply("\n\n".join(lines), reply_markup=inline(rows) if rows else None)
    after_stay = _problem_after_stay_rows(stays_over, reportable, i18n)
    if to_rate_as_owner or after_stay:
        await reply(
            _("How were the drivers of your latest stays?"),
            reply_markup=inline(
                [*([rate_button(b, Side.OWNER, i18n)] for b in to_rate_as_owner), *after_stay]
            ),
        )


def _problem_after_stay_rows(
    stays: list[tuple[Booking, Spot]], reportable: set[int], i18n: Translator
) -> list[list[Button]]:
    """A stay that has just ended can still be reported while the owner's share waits."""
    _ = i18n.gettext
    return [
        [(_("⚠️ Problem with #{id}").format(id=booking.id), ReportProblem(booking.id))]
        for booking, _spot in stays
        if booking.id in reportable
    ]


@on_button(OwnerCancel)
async def owner_cancel_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: OwnerCancel
) -> None:
    """An owner calls off a booking at their spot: asked first, with what it costs them."""
    i18n = context.i18n
    _ = i18n.gettext
    owner_id = context.person_id
    if pressed.action == "yes":
        async with context.db.unit_of_work() as uow:
            cancelled = await stays.cancel_as_owner(
                uow, context.clock, booking_id=pressed.booking_id, owner_id=owner_id,
                expected_version=pressed.version,
            )  # fmt: skip
        booking, parties = cancelled.booking, cancelled.parties
        await query.answer()
        await query.edit_message_text(
            _("Booking #{id} is cancelled. The driver has been told.").format(id=booking.id)
        )
        await tell_of_freed_spots(context, cancelled.freed)
        await close_payment_pages(context, cancelled.lapsed_checkouts)
        await _tell_driver_owner_cancelled(
            context, booking, parties.spot, parties.driver, cancelled.refund
        )
        return
    async with context.db.reading() as uow:
        booking = await bookings.get(uow, pressed.booking_id)
        spot = await spots.get(uow, booking.spot_id)
        stay = await stays.stay_of(uow, booking)
    if spot.owner_id != owner_id:
        await query.answer(_("That booking doesn't exist."), show_alert=True)
        return
    await query.answer()
    if pressed.action == "keep":
        await query.edit_message_text(_("Booking #{id} stays as it is.").format(id=booking.id))
        return
    penalty = bookings.owner_cancellation_penalty(booking, context.clock.now())
    await message_of(update).reply_text(
        describe_stay(stay, spot, i18n) + "\n\n" + i18n.ngettext(
            "Cancel this booking? The driver gets back everything they paid, and your credit "
            "score drops by {points} point.",
            "Cancel this booking? The driver gets back everything they paid, and your credit "
            "score drops by {points} points.",
            penalty,
        ).format(points=penalty),
        reply_markup=inline([
            [(_("Yes, cancel"), OwnerCancel("yes", booking.id, booking.version))],
            [(_("Keep it"), OwnerCancel("keep", booking.id, booking.version))],
        ]),
    )  # fmt: skip


async def _tell_driver_owner_cancelled(
    context: ParkShareContext, booking: Booking, spot: Spot, driver: Person, refund: Money
) -> None:
    to_driver = translator(driver.language)
    text = to_driver.gettext("The owner had to cancel booking #{id} at “{title}”.").format(
        id=booking.id, title=html.escape(spot.title)
    )
    if refund.minor:
        text += " " + to_driver.gettext("You get the full {amount} back.").format(
            amount=to_driver.money(refund)
        )
    text += " " + to_driver.gettext("Share your location to find another spot nearby.")
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(driver.telegram_id, text)


@on_button(ManageBooking)
async def booking_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ManageBooking
) -> None:
    i18n = context.i18n
    _ = i18n.gettext
    settings = context.settings
    driver_id = context.person_id
    if pressed.action == "cancel_yes":
        async with context.db.unit_of_work() as uow:
            cancelled = await stays.cancel_as_driver(
                uow, context.clock, booking_id=pressed.booking_id, driver_id=driver_id,
                expected_version=pressed.version, free_hours=settings.free_cancellation_hours,
                late_percent=settings.late_cancellation_percent,
            )  # fmt: skip
        booking = cancelled.booking
        await query.answer()
        await tell_of_freed_spots(context, cancelled.freed)
        text = _("Booking #{id} is cancelled.").format(id=booking.id)
        if cancelled.refund.minor:
            text += " " + _("{refund} will be refunded.").format(
                refund=i18n.money(cancelled.refund)
            )
        if cancelled.pass_ended is not None:
            text += "\n" + pass_messages.called_off_text(cancelled.pass_ended, i18n)
        await query.edit_message_text(text)
        await close_payment_pages(context, cancelled.lapsed_checkouts)
        if cancelled.pass_ended is not None:
            await pass_messages.tell_other_side_of_notice(
                context, cancelled.pass_ended, given_by=driver_id
            )
        else:
            await owner_notices.cancelled_by_driver(
                context, booking, cancelled.kept, cancelled.parties
            )
        return
    async with context.db.reading() as uow:
        booking = await bookings.get(uow, pressed.booking_id)
        spot = await spots.get(uow, booking.spot_id)
        stay = await stays.stay_of(uow, booking)
        # Read with the rest, for the policy shown before a cancellation is confirmed.
        terms = await bookings.stay_cancellation_terms(
            uow, booking, context.clock.now(), free_hours=settings.free_cancellation_hours,
            late_percent=settings.late_cancellation_percent,
        )  # fmt: skip
        going = (
            _Going(
                await bookings.unpaid_batch_size(uow, booking),
                await passes.unpaid_month_of(uow, booking),
            )
            if pressed.action == "cancel"
            else None
        )
    if booking.driver_id != driver_id:
        await query.answer(_("That booking doesn't exist."), show_alert=True)
        return
    await query.answer()
    if pressed.action == "keep" or booking.version != pressed.version:
        await query.edit_message_text(
            describe_stay(stay, spot, i18n), reply_markup=driver_buttons(stay, i18n)
        )
    elif pressed.action == "extend":
        await query.edit_message_reply_markup(extension_buttons(booking, i18n))
    elif going is not None:
        await _confirm_cancel(query, context, booking, stay, spot, terms, going)


@dataclass(frozen=True, slots=True)
class _Going:
    """What a cancellation takes with the stay: the stays sharing its unpaid payment, and the
    pass whose unpaid month they are."""

    stays: int
    pass_month: passes.UnpaidMonth | None


def _going_text(going: _Going, spot: Spot, i18n: Translator) -> str:
    month = going.pass_month
    if month is not None and month.paid_until is not None:
        return i18n.ngettext(
            "It is the next month of your monthly pass, not paid yet: its {count} stay is "
            "cancelled, and the pass ends on {moment}.",
            "It is the next month of your monthly pass, not paid yet: all its {count} stays "
            "are cancelled, and the pass ends on {moment}.",
            month.stays,
        ).format(count=month.stays, moment=i18n.moment(month.paid_until, spot.timezone))
    if month is not None:
        return i18n.ngettext(
            "It is the first month of your monthly pass, not paid yet: its {count} stay is "
            "cancelled, and the pass with it.",
            "It is the first month of your monthly pass, not paid yet: all its {count} stays "
            "are cancelled, and the pass with them.",
            month.stays,
        ).format(count=month.stays)
    if going.stays > 1:
        return i18n.ngettext(
            "{count} other stay waiting for the same payment is cancelled with it.",
            "The {count} other stays waiting for the same payment are cancelled with it.",
            going.stays - 1,
        ).format(count=going.stays - 1)
    return ""


async def _confirm_cancel(
    query, context: ParkShareContext, booking: Booking, stay: Stay, spot: Spot,
    terms: bookings.CancellationTerms, going: _Going,
) -> None:  # fmt: skip
    """The policy before the decision: what comes back and what is kept."""
    i18n = context.i18n
    _ = i18n.gettext
    settings = context.settings
    if booking.status != BookingStatus.CONFIRMED:
        policy = " ".join(
            filter(
                None,
                [
                    _("Nothing has been paid, so nothing is charged."),
                    _going_text(going, spot, i18n),
                ],
            )
        )
    elif terms.free:
        policy = _("You get back the full {refund}.").format(refund=i18n.money(terms.refund))
    elif terms.policy.free_until is not None:
        policy = _(
            "Free cancellation ended at {moment}: you get back {refund}, and {kept} goes to "
            "the owner."
        ).format(
            moment=i18n.moment(terms.policy.free_until, spot.timezone),
            refund=i18n.money(terms.refund),
            kept=i18n.money(terms.kept),
        )
    else:
        policy = _(
            "This booking was made less than {hours} h before its start, so it has no free "
            "cancellation: you get back {refund}, and {kept} ({percent} %) goes to the owner."
        ).format(
            hours=settings.free_cancellation_hours,
            refund=i18n.money(terms.refund),
            kept=i18n.money(terms.kept),
            percent=terms.policy.late_percent,
        )
    await query.edit_message_text(
        describe_stay(stay, spot, i18n) + "\n\n" + _("Cancel this booking?") + " " + policy,
        reply_markup=inline(
            [
                [(_("Yes, cancel"), ManageBooking("cancel_yes", booking.id, booking.version))],
                [(_("Keep it"), ManageBooking("keep", booking.id, booking.version))],
            ]
        ),
    )


@on_button(ExtendBooking)
async def extension_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ExtendBooking
) -> None:
    i18n = context.i18n
    _ = i18n.gettext
    async with context.db.unit_of_work() as uow:
        extended = await stays.extend(
            uow, context.clock, booking_id=pressed.booking_id,
            driver_id=context.person_id, minutes=pressed.minutes,
            commission_basis_points=context.settings.commission_basis_points,
            trusted_owner_commission_basis_points=(
                context.settings.trusted_owner_commission_basis_points
            ),
        )  # fmt: skip
    extension, stay, spot = extended.extension, extended.stay, extended.spot
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await message_of(update).reply_text(
        _("Booking #{id}: {duration} more, until {end}, for {price}. Pay now to keep the spot.")
        .format(
            id=stay.id, duration=duration_text(extension.end_at - extension.start_at, i18n),
            end=i18n.moment(extension.end_at, spot.timezone),
            price=i18n.money(extension.price),
        )
    )  # fmt: skip
    await offer_payment(
        context, extension.id, chat_id=chat_of(update).id,
        driver_id=context.person_id, i18n=i18n, due=extended.payment,
    )  # fmt: skip


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("bookings", list_bookings, filters=filters.ChatType.PRIVATE),
        booking_pressed,
        owner_cancel_pressed,
        extension_pressed,
    ]
