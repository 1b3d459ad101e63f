"""What the owner hears about bookings at their spots, at once: booked, paid, extended,
cancelled by the driver, lapsed unpaid. Each notice gives the stay's window in the spot's
timezone and the driver's credit tier, never who the driver is. An owner who blocked the bot
must not break the driver's action, so a refused send is only logged."""

from __future__ import annotations

import contextlib
import html
import logging

from telegram.error import TelegramError

from bot.availability_view import describe_weekly
from bot.booking_buttons import AnswerRequest
from bot.context import ParkShareContext
from bot.i18n import N_, Translator, translator
from bot.keyboards import inline
from bot.series_view import series_text
from bot.stay_text import duration_text, window_text
from bot.telegram_text import fit_html
from core.availability import WeeklyRule
from core.credit import CreditTier, tier_of
from core.db.models import Booking, Person, Spot
from core.money import Money
from core.services import series, stays
from core.services.stays import Parties, Stay

log = logging.getLogger(__name__)

TIER_LABELS = {
    CreditTier.TRUSTED: N_("trusted driver"),
    CreditTier.GOOD: N_("driver in good standing"),
    CreditTier.WATCH: N_("new or watched driver"),
}


def tier_text(driver: Person, i18n: Translator) -> str:
    return i18n.gettext("Driver: {tier}").format(
        tier=i18n.gettext(TIER_LABELS[tier_of(driver.credit_score)])
    )


async def _send(
    context: ParkShareContext,
    booking: Booking,
    compose,
    parties: Parties | None = None,
    *,
    with_window: bool = True,
) -> None:
    """Reads the stay (unless the use case gave its ``parties``), lets ``compose(stay, spot,
    driver, i18n)`` write the owner's text in the owner's language, and sends it; a failure to
    reach the owner stays the owner's side."""
    if parties is None:
        async with context.db.reading() as uow:
            parties = await stays.parties_of(uow, booking)
    stay, spot, owner, driver = parties.stay, parties.spot, parties.owner, parties.driver
    i18n = translator(owner.language)
    text = compose(stay, spot, driver, i18n)
    lines = [text, f"<b>{html.escape(spot.title)}</b>", window_text(stay, spot, i18n)]
    body = "\n".join([*(lines if with_window else [text]), tier_text(driver, i18n)])
    try:
        await context.bot.send_message(owner.telegram_id, fit_html(body))
    except TelegramError:
        log.warning("owner of spot %s was not told about booking %s", spot.id, booking.id)


async def booked(
    context: ParkShareContext, booking: Booking, parties: Parties | None = None
) -> None:
    def compose(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
        return i18n.ngettext(
            "🆕 New booking #{id}. The driver has {minutes} minute to pay.",
            "🆕 New booking #{id}. The driver has {minutes} minutes to pay.",
            context.settings.payment_window_minutes,
        ).format(id=stay.id, minutes=context.settings.payment_window_minutes)

    await _send(context, booking, compose, parties)


async def series_booked(
    context: ParkShareContext, made: list[Booking], pattern: str, parties: Parties
) -> None:
    """Every stay of a weekly series in one notice, not one a stay."""

    def compose(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
        minutes = context.settings.payment_window_minutes
        head = i18n.ngettext(
            "🆕 New weekly booking: {count} stays. The driver has {minutes} minute to pay.",
            "🆕 New weekly booking: {count} stays. The driver has {minutes} minutes to pay.",
            minutes,
        ).format(count=len(made), minutes=minutes)
        if any(b.pay_by is not None for b in made):
            hours = int(series.WEEK_DUE_BEFORE.total_seconds() // 3600)
            head += " " + i18n.ngettext(
                "It is paid week by week: a later week not paid {hours} hour before it begins "
                "is free again.",
                "It is paid week by week: a later week not paid {hours} hours before it begins "
                "is free again.",
                hours,
            ).format(hours=hours)
        return head + "\n" + series_text(spot, pattern, made, i18n)

    await _send(context, made[0], compose, parties, with_window=False)


async def pass_taken(
    context: ParkShareContext,
    first: Booking,
    band: tuple[WeeklyRule, ...],
    monthly: Money,
    parties: Parties,
) -> None:
    """A monthly pass taken at the owner's spot, waiting for its first payment."""

    def compose(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
        minutes = context.settings.payment_window_minutes
        return i18n.ngettext(
            "🗓 New monthly pass: {band}, {price} a month. The driver has {minutes} minute to "
            "pay for the first month.",
            "🗓 New monthly pass: {band}, {price} a month. The driver has {minutes} minutes to "
            "pay for the first month.",
            minutes,
        ).format(
            band=html.escape("; ".join(describe_weekly(band, i18n, overnight=True))),
            price=i18n.money(monthly), minutes=minutes,
        )  # fmt: skip

    await _send(context, first, compose, parties)


async def paid(
    context: ParkShareContext,
    booking: Booking,
    parties: Parties | None = None,
    together: list[Booking] | None = None,
    *,
    monthly: bool = False,
) -> None:
    """A booking paid; an extension paid is told as ``extended``. ``together``: every stay of
    a weekly series (or of a pass's month, ``monthly``) the payment was for."""
    if booking.extends_id is not None:
        await extended(context, booking, parties)
        return
    if together and (len(together) > 1 or monthly):
        total = sum((b.price for b in together[1:]), together[0].price)

        def compose_series(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
            if monthly:
                return i18n.gettext(
                    "✅ A month of the monthly pass is paid: {price}. Each stay's money is held "
                    "until that stay is over."
                ).format(price=i18n.money(total))
            return i18n.ngettext(
                "✅ The weekly booking from #{id} is paid: {price} for {count} stay. Each "
                "stay's money is held until that stay is over.",
                "✅ The weekly booking from #{id} is paid: {price} for {count} stays. Each "
                "stay's money is held until that stay is over.",
                len(together),
            ).format(id=stay.id, price=i18n.money(total), count=len(together))

        await _send(context, booking, compose_series, parties)
        return

    def compose(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
        return i18n.gettext(
            "✅ Booking #{id} is paid: {price}. The money is held until the stay is over."
        ).format(id=stay.id, price=i18n.money(booking.price))

    await _send(context, booking, compose, parties)


async def extended(
    context: ParkShareContext, extension: Booking, parties: Parties | None = None
) -> None:
    def compose(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
        return i18n.gettext(
            "⏩ Booking #{id} is extended by {duration}, until {end}, and paid: {price}."
        ).format(
            id=stay.id, duration=duration_text(extension.end_at - extension.start_at, i18n),
            end=i18n.moment(extension.end_at, spot.timezone),
            price=i18n.money(extension.price),
        )  # fmt: skip

    await _send(context, extension, compose, parties)


async def cancelled_by_driver(
    context: ParkShareContext, booking: Booking, kept: Money, parties: Parties | None = None
) -> None:
    def compose(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
        text = i18n.gettext("✖️ The driver cancelled booking #{id}. Its time is free again.")
        if kept.minor:
            text += " " + i18n.gettext(
                "It was cancelled late, so {kept} of the price goes to you."
            ).format(kept=i18n.money(kept))
        return text.format(id=stay.id)

    await _send(context, booking, compose, parties)


async def series_cancelled_by_driver(
    context: ParkShareContext,
    cancelled: list[Booking],
    pattern: str,
    kept: Money,
    parties: Parties,
) -> None:
    """Stays of a weekly series the driver cancelled together, in one notice."""

    def compose(stay: Stay, spot: Spot, driver: Person, i18n: Translator) -> str:
        text = i18n.ngettext(
            "✖️ The driver cancelled {count} stay of a weekly booking. Its time is free again.",
            "✖️ The driver cancelled {count} stays of a weekly booking. Their time is free again.",
            len(cancelled),
        ).format(count=len(cancelled))
        if kept.minor:
            text += " " + i18n.gettext(
                "Some were cancelled late, so {kept} of their price goes to you."
            ).format(kept=i18n.money(kept))
        return text + "\n" + series_text(spot, pattern, cancelled, i18n)

    await _send(context, cancelled[0], compose, parties, with_window=False)


async def lapsed_unpaid(context: ParkShareContext, expired: list[Booking]) -> None:
    """Bookings and requests that expired unpaid; an unpaid extension the owner never heard of
    lapses silently."""
    for booking in expired:
        if booking.extends_id is not None or booking.paid_with_id is not None:
            continue  # a weekly series lapses as one: told with its first stay
        weekly = booking.series_id is not None

        def compose(
            stay: Stay, spot: Spot, driver: Person, i18n: Translator, weekly: bool = weekly
        ) -> str:
            if weekly:
                return i18n.gettext(
                    "⌛ The weekly booking from #{id} lapsed before it was paid, so its times "
                    "are free again."
                ).format(id=stay.id)
            return i18n.gettext(
                "⌛ Booking #{id} lapsed before it was confirmed, so its time is free again."
            ).format(id=stay.id)

        await _send(context, booking, compose)


async def notify_owner_of_request(
    context: ParkShareContext, booking: Booking, parties: Parties
) -> None:
    """To the owner, and to the operator who manages their spots: the first answer counts."""
    for person in (parties.owner, parties.operator):
        if person is not None:
            await _ask_to_answer(context, booking, parties, person)


async def _ask_to_answer(
    context: ParkShareContext, booking: Booking, parties: Parties, person: Person
) -> None:
    spot, driver = parties.spot, parties.driver
    i18n = translator(person.language)
    _ = i18n.gettext
    text = (
        _(
            "🔔 Request #{id} for <b>{title}</b>\n{start} – {end}\nYou earn {price} before our "
            "commission."
        )
        if person.id == spot.owner_id
        else _(
            "🔔 Request #{id} for <b>{title}</b>, a spot you manage\n{start} – {end}\nThe booking "
            "comes to {price}."
        )
    )
    text = text.format(
        id=booking.id, title=html.escape(spot.title),
        start=i18n.moment(booking.start_at, spot.timezone),
        end=i18n.moment(booking.end_at, spot.timezone),
        price=i18n.money(booking.price),
    ) + "\n" + tier_text(driver, i18n)  # fmt: skip
    keyboard = inline(
        [
            [
                (_("✅ Accept"), AnswerRequest(booking.id, "accept")),
                (_("❌ Decline"), AnswerRequest(booking.id, "decline")),
            ]
        ]
    )
    # Someone who blocked the bot cannot answer; the request then expires by itself.
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(person.telegram_id, text, reply_markup=keyboard)
