"""Booking from a spot card: confirm the window and price (or type another time), then the
booking holds the window until it is paid, or goes to the owner as a request."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, auto
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import owner_notices
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.drafts import BookingDraft
from bot.errors import explain
from bot.flow import ask_first, conversation, end_flow, stale_button
from bot.group_membership import groups_of_at_spot
from bot.hours_readings import reading_buttons, reading_question, reading_text
from bot.i18n import N_
from bot.incoming import chat_of, message_of, sender_of, text_of
from bot.keyboards import CallbackData, inline
from bot.overstay_bills import tariff_text
from bot.owner_notices import notify_owner_of_request
from bot.pattern_words import repeats
from bot.payment_messages import offer_payment
from bot.series_view import plan_text
from bot.spot_buttons import BookSeriesAt, BookSpot, OpenSpot
from bot.telegram_text import fit_html
from core.availability_text import OVERNIGHT, SAME_DAY, AmbiguousHours, parse_window
from core.db.models import Spot
from core.errors import (
    AvailabilityNotUnderstood,
    DomainError,
    WindowInPast,
    WindowTaken,
    WindowTooFarAhead,
    WindowUnavailable,
)
from core.geo import GeoPoint
from core.money import Money
from core.pricing import price_of
from core.recurrence import NotAPattern, parse_pattern
from core.services import bookings, series, spots, stays
from core.services.search import SearchFilters, nearest_free
from core.status import BookingStatus
from core.window import DEFAULT_WINDOW, Window, window_for

# Said when the person cancels the flow.
CANCELLED = N_("Booking cancelled. Nothing was reserved.")


# Asked when the driver wants the same time every week.
PATTERN_QUESTION = N_(
    "Which days and hours, and for how long? For example: Mon-Fri 8-18 for two weeks, every "
    "Saturday 9-13 until 31.01."
)


# The patterns offered as buttons (bot.pattern_words), in its order.
REPEAT_CHOICES = ("repeat_weekdays", "repeat_day")


class BookState(IntEnum):
    CONFIRM = auto()
    CUSTOM_WINDOW = auto()
    PATTERN = auto()
    SERIES = auto()


@dataclass(frozen=True)
class BookingStep(CallbackData):
    prefix = "bk"
    choices = {  # noqa: RUF012
        # OVERNIGHT and SAME_DAY: which reading of a window such as "today 18-8" was meant.
        "action": frozenset({
            "confirm", "other_time", "cancel", OVERNIGHT, SAME_DAY,
            "weekly", "series_book", "series_book_weekly", "series_elsewhere",
            *REPEAT_CHOICES,
        })
    }  # fmt: skip
    action: str


@on_button(BookSpot, forged=ConversationHandler.END)
async def book_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: BookSpot
) -> BookState | int:
    async with context.db.reading() as uow:
        spot = (await spots.card(uow, pressed.spot_id)).spot
    await query.answer()
    search = context.user_data.search
    if search is not None:
        start, end = datetime.fromisoformat(search.start_at), datetime.fromisoformat(search.end_at)
    else:
        default = window_for(DEFAULT_WINDOW, context.clock.now(), spot.timezone)
        start, end = default.start, default.end
    context.user_data.booking_draft = BookingDraft(
        spot_id=spot.id, start_at=start.isoformat(), end_at=end.isoformat()
    )
    return await _ask_confirmation(update, context, spot=spot)


def _terms(price: Money, policy: bookings.CancellationPolicy) -> str:
    """What the driver agrees to, as one comparable value."""
    free_until = policy.free_until.isoformat() if policy.free_until else "none"
    return f"{price.minor} {price.currency} free until {free_until}, {policy.late_percent} %"


def _policy(context: ParkShareContext, start: datetime) -> bookings.CancellationPolicy:
    settings = context.settings
    return bookings.cancellation_policy(
        start, context.clock.now(), free_hours=settings.free_cancellation_hours,
        late_percent=settings.late_cancellation_percent,
    )  # fmt: skip


async def _ask_confirmation(
    update: Update, context: ParkShareContext, *, changed: bool = False, spot: Spot | None = None
) -> BookState:
    """The offer for the draft's window at ``spot`` (read here when the caller has not)."""
    i18n = context.i18n
    _ = i18n.gettext
    draft = context.user_data.current_booking()
    if spot is None:
        async with context.db.reading() as uow:
            spot = (await spots.card(uow, draft.spot_id)).spot
    start, end = datetime.fromisoformat(draft.start_at), datetime.fromisoformat(draft.end_at)
    price = price_of(spot, Window(start, end))
    settings = context.settings
    policy = _policy(context, start)
    draft.offered_terms = _terms(price, policy)
    if policy.free_until is not None:
        terms = _("Free cancellation until {moment}; later, {percent} % is kept.").format(
            moment=i18n.moment(policy.free_until, spot.timezone), percent=policy.late_percent
        )
    else:
        terms = _(
            "No free cancellation: this starts in less than {hours} h, so {kept} "
            "({percent} %) is kept if you cancel."
        ).format(
            hours=settings.free_cancellation_hours, kept=i18n.money(policy.kept_of(price)),
            percent=policy.late_percent,
        )  # fmt: skip
    offer = _("Book <b>{title}</b>\n{start} – {end}\nPrice: {price}").format(
        title=html.escape(spot.title), start=i18n.moment(start, spot.timezone),
        end=i18n.moment(end, spot.timezone), price=i18n.money(price),
    )  # fmt: skip
    if changed:
        offer = _("The terms changed since I showed them. Here they are now:") + "\n" + offer
    terms += "\n" + tariff_text(context, spot.hourly_price, i18n)
    await ask_first(
        update, context, offer + "\n\n" + terms,
        reply_markup=inline(
            [
                [(_("✅ Confirm"), BookingStep("confirm"))],
                [(_("🕒 Another time"), BookingStep("other_time"))],
                [(_("🔁 Every week"), BookingStep("weekly"))],
                [(_("Cancel"), BookingStep("cancel"))],
            ]
        ),
    )  # fmt: skip
    return BookState.CONFIRM


@on_button(BookingStep, forged=BookState.CONFIRM)
async def step_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, step: BookingStep
) -> BookState | int:
    _ = context.i18n.gettext
    draft = context.user_data.booking_draft
    if step.action in (OVERNIGHT, SAME_DAY):
        return await _reading_picked(update, context, query, step.action)
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if step.action == "cancel" or draft is None:
        return await end_flow(update, context, forget=_forget, said=CANCELLED)
    if step.action == "other_time":
        await message_of(update).reply_text(
            _("When do you need it? For example: today 14-18, tomorrow 9-17, today until 20:00.")
        )
        return BookState.CUSTOM_WINDOW
    if step.action == "weekly":
        patterns = await _repeats(context, draft)
        await message_of(update).reply_text(
            _(PATTERN_QUESTION),
            reply_markup=inline([
                [("🔁 " + pattern, BookingStep(choice))]
                for choice, pattern in zip(REPEAT_CHOICES, patterns, strict=False)
            ]) if patterns else None,
        )  # fmt: skip
        return BookState.PATTERN
    if step.action in REPEAT_CHOICES:
        patterns = await _repeats(context, draft)
        index = REPEAT_CHOICES.index(step.action)
        if index >= len(patterns):
            return BookState.PATTERN
        async with context.db.reading() as uow:
            spot = await spots.get(uow, draft.spot_id)
        return await _pattern_given(update, context, patterns[index], spot) or BookState.PATTERN
    if step.action in ("series_book", "series_book_weekly"):
        return await _book_series(update, context, week_by_week=step.action == "series_book_weekly")
    if step.action == "series_elsewhere":
        return await _series_elsewhere(update, context)
    return await _confirm(update, context)


async def _reading_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, kind: str
) -> BookState:
    draft = context.user_data.booking_draft
    text = spot = None
    if draft is not None and draft.pending_window:
        async with context.db.reading() as uow:
            spot = await spots.get(uow, draft.spot_id)
        now = context.clock.now()
        text = reading_text(
            draft.pending_window, kind, spot.timezone, now, parse=parse_pattern
        ) or reading_text(draft.pending_window, kind, spot.timezone, now)
    if draft is None or text is None:
        await query.answer(context.i18n.gettext("This button is no longer valid."), show_alert=True)
        return BookState.CUSTOM_WINDOW
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    draft.pending_window = ""
    return await _window_given(update, context, text, spot)


async def window_typed(update: Update, context: ParkShareContext) -> BookState:
    return await _window_given(update, context, text_of(update))


async def _window_given(
    update: Update, context: ParkShareContext, text: str, spot: Spot | None = None
) -> BookState:
    _ = context.i18n.gettext
    draft = context.user_data.current_booking()
    if spot is None:
        async with context.db.reading() as uow:
            spot = await spots.get(uow, draft.spot_id)
    # "Mon-Fri 8-18 for 2 weeks" typed where one window was asked: the driver means a series.
    if (weekly := await _pattern_given(update, context, text, spot)) is not None:
        return weekly
    try:
        window = parse_window(text, zone=ZoneInfo(spot.timezone), now=context.clock.now())
    except AmbiguousHours as error:
        # "today 18-8": overnight or the same evening is asked, never guessed.
        draft.pending_window = text
        await message_of(update).reply_text(
            reading_question(error, text, spot.timezone, context.i18n),
            reply_markup=inline(reading_buttons(BookingStep, context.i18n)),
        )
        return BookState.CUSTOM_WINDOW
    except DomainError as error:
        await message_of(update).reply_text(
            explain(error, context.i18n)
            if isinstance(error, WindowInPast | WindowTooFarAhead)
            else _(
                "Please give one stretch of time, for example: today 14-18, tomorrow 9-17, "
                "today until 20:00."
            )
        )
        return BookState.CUSTOM_WINDOW
    draft.start_at, draft.end_at = window.start.isoformat(), window.end.isoformat()
    return await _ask_confirmation(update, context, spot=spot)


async def _repeats(context: ParkShareContext, draft: BookingDraft) -> list[str]:
    """The patterns offered for the stay being booked, in the driver's words."""
    async with context.db.reading() as uow:
        spot = await spots.get(uow, draft.spot_id)
    return repeats(
        datetime.fromisoformat(draft.start_at), datetime.fromisoformat(draft.end_at),
        spot.timezone, context.i18n.language,
    )  # fmt: skip


async def pattern_typed(update: Update, context: ParkShareContext) -> BookState:
    _ = context.i18n.gettext
    draft = context.user_data.current_booking()
    async with context.db.reading() as uow:
        spot = await spots.get(uow, draft.spot_id)
    weekly = await _pattern_given(update, context, text_of(update), spot)
    if weekly is None:
        await message_of(update).reply_text(
            _("Please say for how long, too.") + " " + _(PATTERN_QUESTION)
        )
        return BookState.PATTERN
    return weekly


async def _pattern_given(
    update: Update, context: ParkShareContext, text: str, spot: Spot
) -> BookState | None:
    """The offer of a weekly pattern at ``spot``; None when ``text`` says no length, so is
    not a pattern."""
    _ = context.i18n.gettext
    draft = context.user_data.current_booking()
    try:
        async with context.db.reading() as uow:
            plan = await series.plan(
                uow, context.clock, spot_id=spot.id, driver_id=context.person_id, text=text
            )
    except NotAPattern:
        return None
    except AmbiguousHours as error:
        draft.pending_window = text
        await message_of(update).reply_text(
            reading_question(error, text, spot.timezone, context.i18n),
            reply_markup=inline(reading_buttons(BookingStep, context.i18n)),
        )
        return BookState.PATTERN
    except AvailabilityNotUnderstood:
        await message_of(update).reply_text(
            _("I couldn't read that as days and hours.") + " " + _(PATTERN_QUESTION)
        )
        return BookState.PATTERN
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return BookState.PATTERN
    draft.spot_id, draft.pattern = spot.id, plan.pattern.text
    return await _offer_series(update, context, plan)


def _series_terms(plan: series.Plan) -> str:
    """What the driver agrees to for a pattern, as one comparable value."""
    price = plan.price
    starts = ",".join(o.window.start.isoformat() for o in plan.free)
    return f"{price.minor} {price.currency} {starts}"


async def _offer_series(
    update: Update, context: ParkShareContext, plan: series.Plan, *, changed: bool = False
) -> BookState:
    i18n = context.i18n
    _ = i18n.gettext
    settings = context.settings
    draft = context.user_data.current_booking()
    draft.offered_terms = _series_terms(plan)
    text = plan_text(plan, i18n)
    if changed:
        text = _("The terms changed since I showed them. Here they are now:") + "\n" + text
    free, taken = plan.free, plan.taken
    rows: list[list] = []
    if free:
        text += "\n\n" + _(
            "Paid at once. Each stay can be cancelled on its own: free until {hours} h before "
            "it starts, later {percent} % of its price is kept."
        ).format(hours=settings.free_cancellation_hours,
                 percent=settings.late_cancellation_percent)  # fmt: skip
        label = (
            i18n.ngettext("✅ Book the {count} free · {price}",
                          "✅ Book the {count} free · {price}", len(free))
            if taken
            else i18n.ngettext("✅ Book {count} stay · {price}", "✅ Book all {count} · {price}",
                          len(free))
        )  # fmt: skip
        rows.append([(label.format(count=len(free), price=i18n.money(plan.price)),
                      BookingStep("series_book"))])  # fmt: skip
        if plan.weeks > 1:
            weekly = _("📅 Pay week by week · {price} now").format(
                price=i18n.money(plan.first_week_price())
            )
            rows.append([(weekly, BookingStep("series_book_weekly"))])
    if taken:
        rows.append([(_("🔎 Spots free for all"), BookingStep("series_elsewhere"))])
    rows.append([(_("Cancel"), BookingStep("cancel"))])
    await message_of(update).reply_text(fit_html(text), reply_markup=inline(rows))
    return BookState.SERIES


async def _book_series(
    update: Update, context: ParkShareContext, *, week_by_week: bool = False
) -> BookState | int:
    draft = context.user_data.booking_draft
    if draft is None or not draft.pattern:
        return await end_flow(update, context, forget=_forget, said=CANCELLED)
    settings = context.settings
    member_of = await groups_of_at_spot(context, draft.spot_id, sender_of(update).id)
    try:
        async with context.db.unit_of_work() as uow:
            fresh = await series.plan(
                uow, context.clock, spot_id=draft.spot_id, driver_id=context.person_id,
                text=draft.pattern,
            )  # fmt: skip
            if _series_terms(fresh) != draft.offered_terms or not fresh.free:
                raise _TermsChanged
            booked = await series.book(
                uow, context.clock, driver_id=context.person_id, spot_id=draft.spot_id,
                pattern=draft.pattern, windows=[o.window for o in fresh.free],
                commission_basis_points=settings.commission_basis_points,
                trusted_owner_commission_basis_points=(
                    settings.trusted_owner_commission_basis_points
                ),
                week_by_week=week_by_week, member_of=member_of,
            )  # fmt: skip
            parties = await stays.parties_of(uow, booked.first)
            due = await stays.payment_due(uow, booked.first.id, context.person_id)
    except (_TermsChanged, WindowTaken):
        # Read again: what the rolled-back transaction read is gone with it.
        async with context.db.reading() as uow:
            fresh = await series.plan(
                uow, context.clock, spot_id=draft.spot_id, driver_id=context.person_id,
                text=draft.pattern,
            )  # fmt: skip
        return await _offer_series(update, context, fresh, changed=True)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return BookState.SERIES
    context.user_data.booking_draft = None
    i18n = context.i18n
    minutes = settings.payment_window_minutes
    if week_by_week:
        held = i18n.ngettext(
            "Your {count} weekly stays are held for {minutes} minute. Pay {price} now for the "
            "first week; each later week is asked for a few days before it starts.",
            "Your {count} weekly stays are held for {minutes} minutes. Pay {price} now for the "
            "first week; each later week is asked for a few days before it starts.",
            minutes,
        ).format(count=len(booked.bookings), minutes=minutes, price=i18n.money(due.charge.amount))
    else:
        held = i18n.ngettext(
            "Your {count} weekly stays are held for {minutes} minute. Pay {price} now to "
            "confirm them all.",
            "Your {count} weekly stays are held for {minutes} minutes. Pay {price} now to "
            "confirm them all.",
            minutes,
        ).format(count=len(booked.bookings), minutes=minutes, price=i18n.money(booked.price))
    await message_of(update).reply_text(held)
    await offer_payment(
        context, booked.first.id, chat_id=chat_of(update).id,
        driver_id=context.person_id, i18n=i18n, due=due,
    )  # fmt: skip
    await owner_notices.series_booked(context, booked.bookings, draft.pattern, parties)
    return ConversationHandler.END


async def _series_elsewhere(update: Update, context: ParkShareContext) -> BookState | int:
    """The nearest spots free for every stay of the pattern, each a button that offers it
    there."""
    i18n = context.i18n
    _ = i18n.gettext
    draft = context.user_data.booking_draft
    if draft is None or not draft.pattern:
        return await end_flow(update, context, forget=_forget, said=CANCELLED)
    async with context.db.reading() as uow:
        plan = await series.plan(
            uow, context.clock, spot_id=draft.spot_id, driver_id=context.person_id,
            text=draft.pattern,
        )  # fmt: skip
    found = await series.elsewhere(
        context.db, context.clock, plan, driver_id=context.person_id, most=3
    )
    if not found:
        await message_of(update).reply_text(_("No spot nearby is free for all of these times."))
        return await _offer_series(update, context, plan)
    await message_of(update).reply_text(
        _("Spots nearby free for all of these times:"),
        reply_markup=inline([
            [(f"{hit.title} · {i18n.distance(hit.distance_m)}", BookSeriesAt(hit.spot_id))]
            for hit in found
        ]),
    )  # fmt: skip
    return BookState.SERIES


@on_button(BookSeriesAt, forged=ConversationHandler.END)
async def series_elsewhere_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: BookSeriesAt
) -> BookState | int:
    draft = context.user_data.booking_draft
    if draft is None or not draft.pattern:
        await query.answer(context.i18n.gettext("This button is no longer valid."), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    async with context.db.reading() as uow:
        spot = (await spots.card(uow, pressed.spot_id)).spot
    return await _pattern_given(update, context, draft.pattern, spot) or BookState.PATTERN


class _TermsChanged(Exception):
    """The booking would cost or cancel otherwise than the offer the driver confirmed."""


async def _confirm(update: Update, context: ParkShareContext) -> BookState | int:
    _ = context.i18n.gettext
    draft = context.user_data.current_booking()
    start = datetime.fromisoformat(draft.start_at)
    # Telegram says which of the spot's neighbourhood groups the driver is in.
    member_of = await groups_of_at_spot(context, draft.spot_id, sender_of(update).id)
    try:
        async with context.db.unit_of_work() as uow:
            booked = await stays.book(
                uow,
                context.clock,
                driver_id=context.person_id,
                spot_id=draft.spot_id,
                start=start,
                end=datetime.fromisoformat(draft.end_at),
                commission_basis_points=context.settings.commission_basis_points,
                trusted_owner_commission_basis_points=(
                    context.settings.trusted_owner_commission_basis_points
                ),
                member_of=member_of,
            )
            # Decided on the booking as it would be written, so a change of price a moment
            # ago is caught too; raising undoes it.
            charged = booked.booking.price
            if _terms(charged, _policy(context, start)) != draft.offered_terms:
                raise _TermsChanged
    except _TermsChanged:
        return await _ask_confirmation(update, context, changed=True)
    except WindowTaken as error:
        await _offer_next_free(update, context, error)
        return ConversationHandler.END
    except WindowUnavailable as error:
        # The owner changed the hours since the offer: this time can no longer be booked.
        await message_of(update).reply_text(
            explain(error, context.i18n),
            reply_markup=inline(
                [
                    [(_("🕒 Another time"), BookingStep("other_time"))],
                    [(_("Cancel"), BookingStep("cancel"))],
                ]
            ),
        )
        return BookState.CONFIRM
    context.user_data.booking_draft = None
    await _tell_driver(update, context, booked)
    return ConversationHandler.END


async def _tell_driver(update: Update, context: ParkShareContext, booked: stays.Booked) -> None:
    booking = booked.booking
    if booking.status == BookingStatus.AWAITING_PAYMENT:
        # The invoice follows at once, as Telegram bots do: no extra "Pay" step.
        minutes = context.settings.payment_window_minutes
        await message_of(update).reply_text(
            context.i18n.ngettext(
                "Booking #{id} holds this time for {minutes} minute. Pay now to confirm it; "
                "the money is held until your stay is over.",
                "Booking #{id} holds this time for {minutes} minutes. Pay now to confirm it; "
                "the money is held until your stay is over.",
                minutes,
            ).format(id=booking.id, minutes=minutes)
        )
        await offer_payment(
            context, booking.id, chat_id=chat_of(update).id,
            driver_id=context.person_id, i18n=context.i18n, due=booked.payment,
        )  # fmt: skip
        await owner_notices.booked(context, booking, booked.parties)
        return
    await notify_owner_of_request(context, booking, booked.parties)
    minutes = context.settings.request_window_minutes
    await message_of(update).reply_text(
        context.i18n.ngettext(
            "Request #{id} is sent to the owner, who has {minutes} minute to accept. "
            "I'll tell you here.",
            "Request #{id} is sent to the owner, who has {minutes} minutes to accept. "
            "I'll tell you here.",
            minutes,
        ).format(id=booking.id, minutes=minutes)
    )


async def _offer_next_free(update: Update, context: ParkShareContext, error: WindowTaken) -> None:
    """Someone else took the window a moment ago: offer the nearest spot still free."""
    draft = context.user_data.current_booking()
    context.user_data.booking_draft = None
    start, end = datetime.fromisoformat(draft.start_at), datetime.fromisoformat(draft.end_at)
    async with context.db.reading() as uow:
        spot = await spots.get(uow, draft.spot_id)
    result = await nearest_free(
            context.db, point=GeoPoint(spot.lat, spot.lon), start=start, end=end,
            now=context.clock.now(), k=2, filters=SearchFilters(),
        )  # fmt: skip
    alternatives = [hit for hit in result.hits if hit.spot_id != spot.id]
    text = explain(error, context.i18n)
    if not alternatives:
        await message_of(update).reply_text(text)
        return
    hit = alternatives[0]
    await message_of(update).reply_text(
        text + "\n" + context.i18n.gettext("The nearest spot still free for that time:"),
        reply_markup=inline([[(f"{hit.title} · {hit.distance_m} m", OpenSpot(hit.spot_id))]]),
    )


def _forget(context: ParkShareContext) -> None:
    context.user_data.booking_draft = None


def build_book_conversation() -> ConversationHandler:
    return conversation(
        name="book",
        stopped=N_("Booking stopped. Nothing was reserved."),
        cancelled=CANCELLED,
        forget=_forget,
        entry_points=[book_pressed, series_elsewhere_pressed],
        states={
            BookState.CONFIRM: [step_pressed],
            BookState.CUSTOM_WINDOW: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, window_typed),
                step_pressed,
            ],
            BookState.PATTERN: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, pattern_typed),
                step_pressed,
            ],
            BookState.SERIES: [step_pressed],
        },
        fallbacks=[
            CallbackQueryHandler(stale_button, pattern=BookingStep.pattern()),
            CallbackQueryHandler(stale_button, pattern=BookSeriesAt.pattern()),
        ],
        # Pressing Book on another card starts over with that spot.
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [build_book_conversation()]
