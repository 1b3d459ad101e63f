"""Timed work. The sweeps read what is due from the database, so nothing is lost when the
process restarts: a sweep after the restart finds what fell due while it was down."""

from __future__ import annotations

import contextlib
import html
import logging
from datetime import timedelta

from telegram import ReplyKeyboardRemove
from telegram.error import TelegramError
from telegram.ext import Application

from bot import (
    occupied,
    owner_notices,
    pass_billing,
    pass_messages,
    person_state,
    series_billing,
)
from bot.booking_buttons import (
    check_in_button,
    extension_buttons,
    occupied_button,
    rate_button,
)
from bot.context import ParkShareContext
from bot.edge import ParkShareApplication
from bot.i18n import translator
from bot.keyboards import inline
from bot.overstay_bills import tariff_text
from bot.overstay_bills import tell_unpaid as tell_unpaid_overstays
from bot.payment_pages import close_lapsed_payment_pages
from bot.person_state import PersonStates
from bot.spot_buttons import Navigate
from bot.stay_check_questions import ask_owners
from bot.telegram_text import fit_html
from bot.transfers import move_money
from bot.waiting_drivers import tell_waiting_drivers
from bot.web import tell_about_payment
from core.db.models import Person
from core.money import Money
from core.services import (
    bookings,
    free_times,
    gateway_events,
    inbox,
    operators,
    passes,
    people,
    series,
    stay_checks,
    stays,
)
from core.services.parties import Side

log = logging.getLogger(__name__)
SWEEP_INTERVAL_S = 30
# Passes and weekly series move by days: billed days ahead, reminded days ahead.
PASSES_INTERVAL_S = 300
# How often updates whose worker stopped halfway are looked for: their senders' next updates
# wait for them.
ABANDONED_LOOK_S = 5


async def expire_overdue_bookings(context: ParkShareContext) -> None:
    settings = context.settings
    async with context.db.unit_of_work() as uow:
        expired = await bookings.expire_overdue(
            uow,
            context.clock,
            payment_window=timedelta(minutes=settings.payment_window_minutes),
            request_window=timedelta(minutes=settings.request_window_minutes),
        )
        drivers = {booking.id: await people.get(uow, booking.driver_id) for booking in expired}
        of_passes = await passes.stays_of_passes(uow, [booking.id for booking in expired])
    await close_lapsed_payment_pages(context)
    await tell_waiting_drivers(context, [booking.spot_id for booking in expired])
    # A pass's unpaid month is told as the pass lapsing (``keep_passes``).
    expired = [booking for booking in expired if booking.id not in of_passes]
    await owner_notices.lapsed_unpaid(context, expired)
    told_series: set[int] = set()
    for booking in expired:
        if booking.paid_with_id is not None or booking.series_id in told_series:
            continue  # a weekly series lapses as one: told with its first stay
        if booking.series_id is not None:
            told_series.add(booking.series_id)
        driver = drivers[booking.id]
        to_driver = translator(driver.language)
        text = (
            to_driver.gettext(
                "The weekly booking from #{id} expired before it was paid, so its times are "
                "free again."
            )
            if booking.series_id is not None
            else to_driver.gettext(
                "Booking #{id} expired before it was paid or accepted, so its time is free again."
            )
        ).format(id=booking.id)
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(driver.telegram_id, text)


async def keep_passes(context: ParkShareContext) -> None:
    """Monthly passes month after month: the next month billed ahead, reminders of unpaid
    months, and passes over or lapsed closed, each side told."""
    async with context.db.unit_of_work() as uow:
        renewals = await passes.renew_due(
            uow, context.clock, commission_basis_points=context.settings.commission_basis_points,
            trusted_owner_commission_basis_points=(
                context.settings.trusted_owner_commission_basis_points
            ),
        )  # fmt: skip
    for renewal in renewals:
        await pass_billing.bill_month(context, renewal)
    async with context.db.unit_of_work() as uow:
        reminders = await passes.reminders_due(uow, context.clock)
    for unpaid in reminders:
        await pass_messages.remind(context, unpaid)
    async with context.db.unit_of_work() as uow:
        closed = await passes.close_finished(uow, context.clock)
    for over in closed:
        await pass_messages.closed(context, over)


async def bill_series_weeks(context: ParkShareContext) -> None:
    """Weekly series paid week by week: each later week asked for before it is due."""
    async with context.db.unit_of_work() as uow:
        due = await series.weeks_to_bill(uow, context.clock)
    for week in due:
        await series_billing.bill_week(context, week)


async def advance_bookings(context: ParkShareContext) -> None:
    """Stays start and end on time; reminders go out once each."""
    async with context.db.unit_of_work() as uow:
        notices = await bookings.advance(uow, context.clock)
        checks = await stay_checks.due(uow, context.clock)
        people_of = {}
        stay_of = {}
        to_operator = {}
        for notice in notices:
            people_of[notice.booking.id] = (
                await people.get(uow, notice.booking.driver_id),
                await people.get(uow, notice.spot.owner_id),
            )
            if notice.kind == bookings.NoticeKind.ENDED:
                # A stay that was extended ends with its last part, and is told of as a whole.
                stay_of[notice.booking.id] = await stays.stay_of(uow, notice.booking)
                to_operator[notice.booking.id] = await operators.share_of_booking(
                    uow, notice.booking.id, notice.booking.currency
                )
    for notice in notices:
        driver, owner = people_of[notice.booking.id]
        stay = stay_of.get(notice.booking.id)
        cut = to_operator.get(notice.booking.id)
        for person, text, markup in _notice_messages(context, notice, stay, driver, owner, cut):
            with contextlib.suppress(TelegramError):
                # The access text and the name are the owner's words, of any length.
                await context.bot.send_message(
                    person.telegram_id, fit_html(text), reply_markup=markup
                )
    await ask_owners(context, checks)


def _notice_messages(
    context: ParkShareContext,
    notice: bookings.Notice,
    stay: stays.Stay | None,
    driver: Person,
    owner: Person,
    to_operator: Money | None = None,
):
    booking, spot = notice.booking, notice.spot
    title = html.escape(spot.title)
    to_driver, to_owner = translator(driver.language), translator(owner.language)
    _ = to_driver.gettext
    if notice.kind == bookings.NoticeKind.STARTS_SOON:
        text = _("Your stay at “{title}” starts at {start}.").format(
            title=title, start=to_driver.moment(booking.start_at, spot.timezone)
        )
        if spot.access_instructions:
            text += "\n" + _("How to get in: {access}").format(
                access=html.escape(spot.access_instructions)
            )
        yield (
            driver,
            text,
            inline(
                [
                    [(_("🧭 Navigate"), Navigate(spot.id)), check_in_button(booking.id, to_driver)],
                    [occupied_button(booking.id, to_driver)],
                ]
            ),
        )
        yield (
            owner,
            to_owner.gettext("A driver arrives at “{title}” at {start}.").format(
                title=title, start=to_owner.moment(booking.start_at, spot.timezone)
            ),
            None,
        )
    elif notice.kind == bookings.NoticeKind.ENDS_SOON:
        text = _("Your stay at “{title}” ends at {end}. Need more time?").format(
            title=title, end=to_driver.moment(booking.end_at, spot.timezone)
        )
        if not notice.free_for:
            text += "\n" + _("The spot is booked right after you: please leave on time.")
        text += "\n" + tariff_text(context, spot.hourly_price, to_driver)
        yield (
            driver,
            text,
            extension_buttons(booking, to_driver, or_leaving=True, minutes=notice.free_for),
        )
    else:
        assert stay is not None  # read for every "ended" notice
        yield (
            driver,
            _("Your stay at “{title}” has ended. Thank you for parking with us!").format(
                title=title
            ),
            inline([[rate_button(stay.id, Side.DRIVER, to_driver)]]),
        )
        share = stay.owner_share
        if to_operator is not None and to_operator.minor > 0:
            ended = to_owner.gettext(
                "The stay at “{title}” has ended. Your share, {share}, is on its way to you, "
                "after {cut} to your operator; see /earnings."
            ).format(title=title, share=to_owner.money(share - to_operator),
                     cut=to_owner.money(to_operator))  # fmt: skip
        else:
            ended = to_owner.gettext(
                "The stay at “{title}” has ended. Your share, {share}, is on its way to you; "
                "see /earnings."
            ).format(title=title, share=to_owner.money(share))
        yield owner, ended, inline([[rate_button(stay.id, Side.OWNER, to_owner)]])


MONEY_INTERVAL_S = 60
RECONCILE_INTERVAL_S = 300
# A payment page with no word from the gateway for this long is asked about directly.
QUIET_CHECKOUT = timedelta(minutes=10)


async def reconcile_payments(context: ParkShareContext) -> None:
    """Bookings paid on Stripe's page whose webhook never came are found and confirmed."""
    gateway = context.gateways.stripe
    if gateway is None:
        return
    for outcome in await gateway_events.reconcile_quiet_checkouts(
        context.db, context.clock, gateway, quiet_for=QUIET_CHECKOUT
    ):
        await tell_about_payment(context.application, outcome)


async def forget_finished_updates(context: ParkShareContext) -> None:
    await inbox.forget_old(context.db)


async def send_abandoned_answers(context: ParkShareContext) -> None:
    """An update whose worker stopped after its commit and before it had sent the answers it
    held: they go out from here, once."""
    application = context.application
    assert isinstance(application, ParkShareApplication)  # ``bot.app.build_application``'s
    worker = application.worker
    # Held under a name of its own, so that the worker's finishing can tell it apart; one at a
    # time, under the worker's lease: sending one update's answers fits in it.
    sweep = f"{worker.name}/sweep"
    while taken := await inbox.take_abandoned(context.db, sweep, worker.lease, limit=1):
        [(inbox_id, held)] = taken
        log.warning("inbox update %s lost its worker; its answers go out from here", inbox_id)
        if not await worker.send_held(context.db, inbox_id, held, holder=sweep):
            return  # Telegram or the store away: the next look tries again


async def end_quiet_flows(context: ParkShareContext) -> None:
    """A flow left quiet for its time-out ends, and its person hears so when it says."""
    flows = PersonStates(context.application).flows
    for name, chat_id, language in await person_state.end_quiet_flows(
        context.db, context.clock.now()
    ):
        flow = flows.get(name)
        if flow is None or flow.timed_out is None:
            continue
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                chat_id, flow.timed_out(translator(language)), reply_markup=ReplyKeyboardRemove()
            )


async def roll_free_time_forward(context: ParkShareContext) -> None:
    """Each spot's free time keeps reaching past the bookable horizon."""
    await free_times.roll_forward(context.db, context.clock)


def schedule(application: Application) -> None:
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot is installed without its job-queue extra")
    queue.run_repeating(move_money, interval=MONEY_INTERVAL_S, first=10, name="move_money")
    queue.run_repeating(
        reconcile_payments, interval=RECONCILE_INTERVAL_S, first=60, name="reconcile_payments"
    )
    queue.run_repeating(
        expire_overdue_bookings, interval=SWEEP_INTERVAL_S, first=5, name="expire_overdue"
    )
    queue.run_repeating(
        advance_bookings, interval=SWEEP_INTERVAL_S, first=3, name="advance_bookings"
    )
    queue.run_repeating(
        forget_finished_updates, interval=3600, first=120, name="forget_finished_updates"
    )
    queue.run_repeating(end_quiet_flows, interval=60, first=60, name="end_quiet_flows")
    queue.run_repeating(keep_passes, interval=PASSES_INTERVAL_S, first=40, name="keep_passes")
    queue.run_repeating(
        bill_series_weeks, interval=PASSES_INTERVAL_S, first=45, name="bill_series_weeks"
    )
    queue.run_repeating(
        occupied.settle_unanswered, interval=SWEEP_INTERVAL_S, first=20,
        name="settle_unanswered_occupied_reports",
    )  # fmt: skip
    queue.run_repeating(
        tell_unpaid_overstays, interval=600, first=120, name="tell_unpaid_overstays"
    )
    queue.run_repeating(
        send_abandoned_answers, interval=ABANDONED_LOOK_S, first=ABANDONED_LOOK_S,
        name="send_abandoned_answers",
    )  # fmt: skip
    queue.run_repeating(
        roll_free_time_forward, interval=3600, first=30, name="roll_free_time_forward"
    )
