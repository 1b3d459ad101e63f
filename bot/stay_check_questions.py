"""The owner's questions after a stay began or ended without word from the driver: has the
driver arrived, is the spot free again."""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.booking_buttons import occupied_button, search_near_button
from bot.context import ParkShareContext
from bot.i18n import Translator, translator
from bot.keyboards import Button, CallbackData, inline
from core.services.parties import Parties
from core.services.stay_checks import Answer, Check, Notice


@dataclass(frozen=True)
class AnswerCheck(CallbackData):
    prefix = "sc"
    choices = {"answer": frozenset(Answer)}  # noqa: RUF012
    booking_id: int
    answer: str


def _question(check: Check, i18n: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = i18n.gettext
    booking, spot = check.parties.booking, check.parties.spot
    title = html.escape(spot.title)
    if check.kind == Notice.ARRIVAL_CHECK:
        text = _(
            "The stay of booking #{id} at “{title}” began at {start} and the driver hasn't "
            "checked in. Has the driver arrived?"
        ).format(id=booking.id, title=title, start=i18n.moment(booking.start_at, spot.timezone))
        answers = [(_("✅ Yes, they're here"), Answer.DRIVER_HERE),
                   (_("🚫 No one came"), Answer.DRIVER_ABSENT)]  # fmt: skip
    else:
        if check.driver_left:
            text = _(
                "The driver of booking #{id} says they've left “{title}”. Is the spot free again?"
            ).format(id=booking.id, title=title)
        else:
            text = _(
                "The stay of booking #{id} at “{title}” ended at {end}. Is the spot free again?"
            ).format(id=booking.id, title=title, end=i18n.moment(booking.end_at, spot.timezone))
        answers = [(_("✅ Yes, it's free"), Answer.SPOT_FREE),
                   (_("🚗 The car is still there"), Answer.CAR_STILL_THERE)]  # fmt: skip
    return text, inline([[(label, AnswerCheck(booking.id, answer)) for label, answer in answers]])


async def ask_owners(context: ParkShareContext, checks: list[Check]) -> None:
    for check in checks:
        owner = check.parties.owner
        text, markup = _question(check, translator(owner.language))
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(owner.telegram_id, text, reply_markup=markup)


async def warn_next_driver(context: ParkShareContext, next_stay: Parties) -> None:
    """The car of the stay before is still at the spot: its next driver hears before setting
    off, with what to do if it is still there when they arrive."""
    booking, spot, driver = next_stay.booking, next_stay.spot, next_stay.driver
    i18n = translator(driver.language)
    text = i18n.gettext(
        "⚠️ A heads-up for booking #{id} at “{title}” at {start}: the car of the stay before "
        "yours is still there. The owner and our managers know. If the spot is still taken when "
        "you arrive, press “Spot occupied”: we'll move you to a free spot nearby with what "
        "you've paid, or give it all back."
    ).format(id=booking.id, title=html.escape(spot.title),
             start=i18n.moment(booking.start_at, spot.timezone))  # fmt: skip
    buttons: list[list[Button]] = [
        [occupied_button(booking.id, i18n)],
        [search_near_button(booking.id, i18n)],
    ]
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(driver.telegram_id, text, reply_markup=inline(buttons))
