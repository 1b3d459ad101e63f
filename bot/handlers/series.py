"""A driver's weekly series from /bookings: every stay still to come, each with its own cancel
button (answered by /bookings' own, which shows that stay's policy first), and one button that
cancels all of those still ahead."""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler

from bot import owner_notices
from bot.booking_buttons import ManageBooking, ManageSeries
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import Translator
from bot.incoming import message_of
from bot.keyboards import Button, inline
from bot.series_view import series_text
from bot.waiting_drivers import tell_of_freed_spots
from core.errors import StaleBooking
from core.services import series
from core.services.bookings import CancellationTerms
from core.services.stays import Parties, Stay
from core.status import LIVE_BOOKING_STATUSES


@on_button(ManageSeries)
async def series_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ManageSeries
) -> None:
    if pressed.action == "cancel_yes":
        with contextlib.suppress(StaleBooking):
            await _cancel_rest(update, context, query, pressed)
            return
        # The stays or their terms changed since the question: it is asked again, as they are.
        pressed = ManageSeries("cancel", pressed.series_id)
    settings = context.settings
    async with context.db.reading() as uow:
        view, terms = await series.rest_terms(
            uow, context.clock, series_id=pressed.series_id, driver_id=context.person_id,
            free_hours=settings.free_cancellation_hours,
            late_percent=settings.late_cancellation_percent,
        )  # fmt: skip
    await query.answer()
    if pressed.action == "cancel" and terms is not None:
        shown = series.rest_fingerprint(view.ahead, terms)
        await query.edit_message_text(
            _listing(view, context.i18n) + "\n\n" + _cancel_question(view, terms, context.i18n),
            reply_markup=inline([
                [(context.i18n.gettext("Yes, cancel them"),
                  ManageSeries("cancel_yes", view.series.id, shown))],
                [(context.i18n.gettext("Keep them"), ManageSeries("keep", view.series.id))],
            ]),
        )  # fmt: skip
        return
    text, rows = _listing(view, context.i18n), _stay_rows(view, context.i18n)
    if pressed.action == "show":
        await message_of(update).reply_text(text, reply_markup=inline(rows) if rows else None)
    else:
        await query.edit_message_text(text, reply_markup=inline(rows) if rows else None)


def _listing(view: series.SeriesView, i18n: Translator) -> str:
    live = [b for b in view.bookings if b.status in LIVE_BOOKING_STATUSES]
    return series_text(view.spot, view.series.pattern, live, i18n)


def _stay_rows(view: series.SeriesView, i18n: Translator) -> list[list[Button]]:
    """A cancel button for each stay still ahead, two a row, and one for all of them."""
    _ = i18n.gettext
    zone = view.spot.timezone
    buttons: list[Button] = [
        (_("✖️ {moment}").format(moment=i18n.moment(stay.start_at, zone)),
         ManageBooking("cancel", stay.id, stay.version))
        for stay in view.ahead
    ]  # fmt: skip
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    # A pass's month is ended by notice on the pass (/passes), not stay by stay.
    if len(view.ahead) > 1 and view.series.pass_id is None:
        rows.append([
            (_("✖️ Cancel all {count} still ahead").format(count=len(view.ahead)),
             ManageSeries("cancel", view.series.id))
        ])  # fmt: skip
    return rows


def _cancel_question(view: series.SeriesView, terms: CancellationTerms, i18n: Translator) -> str:
    _ = i18n.gettext
    count = len(view.ahead)
    question = i18n.ngettext(
        "Cancel the {count} stay still ahead?", "Cancel the {count} stays still ahead?", count
    ).format(count=count)
    if not terms.refund.minor and terms.free:
        return question + " " + _("Nothing has been paid, so nothing is charged.")
    if terms.free:
        return (
            question
            + " "
            + _("You get back the full {refund}.").format(refund=i18n.money(terms.refund))
        )
    return (
        question
        + " "
        + _(
            "Each stay follows its own terms: you get back {refund}, and {kept} goes to the owner "
            "for the stays whose free cancellation has ended."
        ).format(refund=i18n.money(terms.refund), kept=i18n.money(terms.kept))
    )


async def _cancel_rest(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ManageSeries
) -> None:
    i18n = context.i18n
    settings = context.settings
    async with context.db.unit_of_work() as uow:
        cancelled = await series.cancel_rest(
            uow, context.clock, series_id=pressed.series_id, driver_id=context.person_id,
            free_hours=settings.free_cancellation_hours,
            late_percent=settings.late_cancellation_percent, shown=pressed.terms,
        )  # fmt: skip
    await query.answer()
    count = len(cancelled.cancelled)
    text = i18n.ngettext(
        "{count} stay of this weekly booking is cancelled.",
        "{count} stays of this weekly booking are cancelled.",
        count,
    ).format(count=count)
    if cancelled.terms.refund.minor:
        text += " " + i18n.gettext("{refund} will be refunded.").format(
            refund=i18n.money(cancelled.terms.refund)
        )
    await query.edit_message_text(text)
    await tell_of_freed_spots(context, cancelled.freed)
    first = cancelled.cancelled[0]
    parties = Parties(Stay(first), cancelled.view.spot, cancelled.owner, cancelled.driver)
    await owner_notices.series_cancelled_by_driver(
        context, cancelled.cancelled, cancelled.view.series.pattern, cancelled.terms.kept, parties
    )


def handlers() -> list[BaseHandler]:
    return [series_pressed]
