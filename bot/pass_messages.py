"""Monthly passes in words, and what each side hears month after month: the quote before a
pass is taken, a month billed, a reminder of an unpaid month, notice given, a pass ended or
lapsed. A side that blocked the bot must not stop the other side hearing."""

from __future__ import annotations

import contextlib
import html
from datetime import timedelta

from telegram.error import TelegramError

from bot.availability_view import describe_weekly
from bot.context import ParkShareContext
from bot.i18n import Translator, translator
from bot.keyboards import inline
from bot.payment_messages import offer_payment
from bot.series_view import stay_line
from bot.spot_buttons import TakePass
from bot.telegram_text import fit_html
from core.db.models import MonthlyPass, PassStatus, Person
from core.monthly import decode_band
from core.services import passes


def band_of(monthly_pass: MonthlyPass | passes.Quote, i18n: Translator) -> str:
    band = monthly_pass.band if isinstance(monthly_pass, passes.Quote) else decode_band(
        monthly_pass.band
    )  # fmt: skip
    return "; ".join(describe_weekly(band, i18n, overnight=True))


def offer_line(offered, i18n: Translator) -> str:
    """The spot card's line about its offer by the month."""
    return i18n.gettext("🗓 By the month: {band}, {price} a month").format(
        band=html.escape(
            "; ".join(describe_weekly(decode_band(offered.band), i18n, overnight=True))
        ),
        price=i18n.money(offered.monthly_price),
    )


def quote_text(quote: passes.Quote, i18n: Translator) -> str:
    _ = i18n.gettext
    month, spot = quote.month, quote.month.spot
    zone = spot.timezone
    lines = [
        _("🗓 Monthly pass at <b>{title}</b>: {band}").format(
            title=html.escape(spot.title), band=html.escape(band_of(quote, i18n))
        ),
        i18n.ngettext(
            "First month, {start} – {end}: {count} stay, {price}.",
            "First month, {start} – {end}: {count} stays, {price}.",
            len(month.bookable),
        ).format(
            start=i18n.moment(month.start, zone),
            end=i18n.moment(month.end, zone),
            count=len(month.bookable),
            price=i18n.money(month.price),
        ),
    ]
    if month.taken:
        lines.append(
            _("Already booked by others, and not charged:")
            + "\n"
            + "\n".join("• " + stay_line(s.start, s.end, zone, i18n) for s in month.taken)
        )
    ahead_days = passes.RENEW_AHEAD // timedelta(days=1)
    lines.append(
        i18n.ngettext(
            "It renews every month, billed {ahead} days before, until either side gives {days} "
            "day's notice.",
            "It renews every month, billed {ahead} days before, until either side gives {days} "
            "days' notice.",
            quote.offer.notice_days,
        ).format(ahead=ahead_days, days=quote.offer.notice_days)
    )
    return fit_html("\n".join(lines))


def quote_buttons(quote: passes.Quote, i18n: Translator):
    _ = i18n.gettext
    rows = []
    if quote.month.bookable:
        rows.append([
            (_("✅ Take the pass · {price}").format(price=i18n.money(quote.month.price)),
             TakePass("take", quote.month.spot.id))
        ])  # fmt: skip
    return inline(rows) if rows else None


async def _tell(context: ParkShareContext, person: Person, text: str) -> None:
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(person.telegram_id, fit_html(text))


async def renewed(
    context: ParkShareContext, renewal: passes.Renewal, *, charged: bool, confirm: bool = False
) -> None:
    """The next month billed: charged to the saved card (``charged``), or the driver asked to
    pay it in chat, or on a page when their bank wants them to confirm (``confirm``); the
    owner hears of it either way."""
    month, driver, owner = renewal.month, renewal.driver, renewal.owner
    spot, zone = month.spot, month.spot.timezone
    to_driver = translator(driver.language)
    values = {
        "title": html.escape(spot.title), "start": to_driver.moment(month.start, zone),
        "price": to_driver.money(month.price),
    }  # fmt: skip
    if charged:
        text = to_driver.gettext(
            "🗓 Your monthly pass at <b>{title}</b> renews on {start}: {price} for the month, "
            "charged to your saved card."
        ).format(**values)
    elif confirm:
        text = to_driver.gettext(
            "🗓 Your monthly pass at <b>{title}</b> renews on {start}: {price} for the month. "
            "Your bank asks you to confirm this payment: please pay on the secure page by then."
        ).format(**values)
    else:
        text = to_driver.gettext(
            "🗓 Your monthly pass at <b>{title}</b> renews on {start}: {price} for the month. "
            "Pay by then to keep it."
        ).format(**values)
    if month.taken:
        text += (
            "\n"
            + to_driver.gettext("Already booked by others, and not charged:")
            + "\n"
            + "\n".join("• " + stay_line(s.start, s.end, zone, to_driver) for s in month.taken)
        )
    await _tell(context, driver, text)
    if not charged:
        await offer_payment(
            context, renewal.booked.first.id, chat_id=driver.telegram_id, driver_id=driver.id,
            i18n=to_driver,
        )  # fmt: skip
    to_owner = translator(owner.language)
    to_owner_text = (
        to_owner.gettext(
            "🗓 The monthly pass at <b>{title}</b> renews on {start}; its month is charged to "
            "the driver's saved card."
        )
        if charged
        else to_owner.gettext(
            "🗓 The monthly pass at <b>{title}</b> renews on {start}; the driver is asked to pay "
            "by then."
        )
    )
    start = to_owner.moment(month.start, zone)
    await _tell(context, owner, to_owner_text.format(title=html.escape(spot.title), start=start))


async def remind(context: ParkShareContext, unpaid: passes.Unpaid) -> None:
    driver = unpaid.driver
    to_driver = translator(driver.language)
    await _tell(
        context, driver,
        to_driver.gettext(
            "⏰ Your monthly pass at <b>{title}</b> is not paid yet. Pay by {moment}, or its "
            "time goes back to the spot."
        ).format(
            title=html.escape(unpaid.spot.title),
            moment=to_driver.moment(unpaid.pay_by, unpaid.spot.timezone),
        ),
    )  # fmt: skip
    await offer_payment(
        context, unpaid.first.id, chat_id=driver.telegram_id, driver_id=driver.id,
        i18n=to_driver,
    )  # fmt: skip


async def closed(context: ParkShareContext, over: passes.PassOver) -> None:
    lapsed = over.monthly_pass.status == PassStatus.LAPSED
    for person in (over.driver, over.owner):
        i18n = translator(person.language)
        text = (
            i18n.gettext(
                "🗓 The monthly pass at <b>{title}</b> lapsed: its month was not paid, and its "
                "time is free again."
            )
            if lapsed
            else i18n.gettext("🗓 The monthly pass at <b>{title}</b> has ended.")
        )
        await _tell(context, person, text.format(title=html.escape(over.spot.title)))


def notice_text(notice: passes.Notice, i18n: Translator) -> str:
    return i18n.gettext(
        "🗓 Notice is given: the monthly pass at <b>{title}</b> ends on {moment}."
    ).format(
        title=html.escape(notice.spot.title),
        moment=i18n.moment(notice.ends_at, notice.spot.timezone),
    )


def called_off_text(notice: passes.Notice, i18n: Translator) -> str:
    """Notice, or a pass called off before its first month was paid."""
    if notice.monthly_pass.status == PassStatus.ACTIVE:
        return notice_text(notice, i18n)
    return i18n.gettext(
        "🗓 The monthly pass at <b>{title}</b> is called off before its first month was paid: "
        "its time is free again."
    ).format(title=html.escape(notice.spot.title))


async def tell_other_side_of_notice(
    context: ParkShareContext, notice: passes.Notice, given_by: int
) -> None:
    other = notice.owner if given_by == notice.driver.id else notice.driver
    await _tell(context, other, called_off_text(notice, translator(other.language)))


def pass_line(view: passes.PassView, i18n: Translator) -> str:
    """A pass as its holder or its spot's owner sees it in /passes."""
    monthly_pass, spot = view.monthly_pass, view.spot
    zone = spot.timezone
    line = i18n.gettext("🗓 <b>{title}</b>: {band}, {price} a month").format(
        title=html.escape(spot.title), band=html.escape(band_of(monthly_pass, i18n)),
        price=i18n.money(monthly_pass.monthly_price),
    )  # fmt: skip
    if monthly_pass.ends_at is not None:
        return (
            line
            + "\n"
            + i18n.gettext("Ends on {moment}.").format(
                moment=i18n.moment(monthly_pass.ends_at, zone)
            )
        )
    if view.paid_until is not None:
        return (
            line
            + "\n"
            + i18n.gettext("Paid until {moment}.").format(moment=i18n.moment(view.paid_until, zone))
        )
    return line + "\n" + i18n.gettext("Waiting for its first payment.")
