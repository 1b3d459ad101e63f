"""A later week of a weekly series paid week by week, asked for in chat a few days before it
is due; unpaid by then, its stays lapse like any booking left unpaid."""

from __future__ import annotations

import contextlib
import html

from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import translator
from bot.payment_messages import offer_payment
from core.services.series import WeekDue


async def bill_week(context: ParkShareContext, week: WeekDue) -> None:
    driver, spot = week.driver, week.spot
    i18n = translator(driver.language)
    assert week.first.pay_by is not None  # a later week waits until then
    text = i18n.ngettext(
        "🔁 Next week of your weekly booking at <b>{title}</b>: {count} stay from {start}, "
        "{price}. Pay by {moment} to keep it.",
        "🔁 Next week of your weekly booking at <b>{title}</b>: {count} stays from {start}, "
        "{price}. Pay by {moment} to keep them.",
        len(week.stays),
    ).format(
        title=html.escape(spot.title), count=len(week.stays),
        start=i18n.moment(week.first.start_at, spot.timezone), price=i18n.money(week.price),
        moment=i18n.moment(week.first.pay_by, spot.timezone),
    )  # fmt: skip
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(driver.telegram_id, text)
    await offer_payment(
        context, week.first.id, chat_id=driver.telegram_id, driver_id=driver.id, i18n=i18n
    )
