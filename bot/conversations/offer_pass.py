"""An owner offers a spot by the month, from /myspots: which hours of the day (all day,
nights, weekdays, or typed like regular hours), the price a month, and the notice either side
gives. Or stops offering: passes already taken run on until notice."""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import IntEnum, auto
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.availability_view import describe_weekly
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.flow import ask_first, conversation
from bot.i18n import N_, Translator
from bot.incoming import message_of, text_of
from bot.keyboards import Button, CallbackData, inline
from bot.spot_buttons import OfferMonthly
from core.availability import MINUTES_PER_DAY, WeeklyRule
from core.availability_text import parse_availability
from core.errors import DomainError, InvalidPrice
from core.money import Money
from core.monthly import decode_band, encode_band
from core.price_text import parse_price
from core.services import passes, spots


class OfferState(IntEnum):
    BAND = auto()
    PRICE = auto()
    NOTICE = auto()


# Bands most owners offer, as weekly rules: all day; nights 19:00-08:00; weekdays 08:00-18:00.
BANDS: dict[str, tuple[WeeklyRule, ...]] = {
    "all": tuple(WeeklyRule(day, 0, MINUTES_PER_DAY) for day in range(7)),
    "nights": tuple(
        rule
        for day in range(7)
        for rule in (WeeklyRule(day, 0, 8 * 60), WeeklyRule(day, 19 * 60, MINUTES_PER_DAY))
    ),
    "weekdays": tuple(WeeklyRule(day, 8 * 60, 18 * 60) for day in range(5)),
}


@dataclass(frozen=True)
class PickBand(CallbackData):
    prefix = "pob"
    choices = {"band": frozenset(BANDS)}  # noqa: RUF012
    band: str


@dataclass(frozen=True)
class PickNotice(CallbackData):
    prefix = "pon"
    days: int


def band_text(band: tuple[WeeklyRule, ...], i18n: Translator) -> str:
    return "; ".join(describe_weekly(band, i18n, overnight=True))


@on_button(OfferMonthly, forged=ConversationHandler.END)
async def offer_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: OfferMonthly
) -> OfferState | int:
    i18n = context.i18n
    _ = i18n.gettext
    if pressed.action == "stop":
        async with context.db.unit_of_work() as uow:
            await passes.withdraw(
                uow, context.clock, owner_id=context.person_id, spot_id=pressed.spot_id
            )
        await query.answer()
        await query.edit_message_text(
            _("No new monthly passes at this spot. Passes already taken run on until notice.")
        )
        return ConversationHandler.END
    try:
        async with context.db.reading() as uow:
            spot = await spots.get_owned(uow, pressed.spot_id, context.person_id)
            standing = await passes.offer_of(uow, spot.id)
    except DomainError as error:
        await query.answer(explain(error, i18n), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data.editing_spot_id = spot.id
    text = _("Offer “{title}” by the month. Which hours of the day does a pass hold?").format(
        title=html.escape(spot.title)
    )
    rows: list[list[Button]] = [
        [(_("🌗 All day"), PickBand("all")), (_("🌙 Nights 19–08"), PickBand("nights"))],
        [(_("🏢 Weekdays 08–18"), PickBand("weekdays"))],
    ]
    if standing is not None:
        text = (
            i18n.ngettext(
                "Now: {band}, {price} a month, {days} day's notice.",
                "Now: {band}, {price} a month, {days} days' notice.",
                standing.notice_days,
            ).format(
                band=html.escape(band_text(decode_band(standing.band), i18n)),
                price=i18n.money(standing.monthly_price),
                days=standing.notice_days,
            )
            + "\n"
            + text
        )
        rows.append([(_("⏹ Stop offering"), OfferMonthly("stop", spot.id))])
    await ask_first(
        update, context, text + "\n" + _("Or type the hours, for example: Mon-Sat 07:00-20:00."),
        reply_markup=inline(rows),
    )  # fmt: skip
    return OfferState.BAND


@on_button(PickBand, forged=OfferState.BAND)
async def band_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PickBand
) -> OfferState:
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await _ask_price(update, context, BANDS[pressed.band])


async def band_typed(update: Update, context: ParkShareContext) -> OfferState:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        spot = await spots.get(uow, context.user_data.current_spot_edited())
    try:
        parsed = parse_availability(
            text_of(update), zone=ZoneInfo(spot.timezone), now=context.clock.now()
        )
    except DomainError:
        parsed = None
    if parsed is None or parsed.blocked or parsed.windows or not parsed.weekly:
        await message_of(update).reply_text(
            _("Please give hours that repeat every week, for example: Mon-Sat 07:00-20:00.")
        )
        return OfferState.BAND
    return await _ask_price(update, context, parsed.weekly)


async def _ask_price(
    update: Update, context: ParkShareContext, band: tuple[WeeklyRule, ...]
) -> OfferState:
    context.user_data.offering_band = encode_band(band)
    await message_of(update).reply_text(
        context.i18n.gettext("{band}. The price a month? For example: 120").format(
            band=html.escape(band_text(band, context.i18n))
        )
    )
    return OfferState.PRICE


async def price_typed(update: Update, context: ParkShareContext) -> OfferState:
    i18n = context.i18n
    _ = i18n.gettext
    async with context.db.reading() as uow:
        spot = await spots.get(uow, context.user_data.current_spot_edited())
    try:
        price = parse_price(text_of(update), default_currency=spot.currency)
        if price.currency != spot.currency:
            raise InvalidPrice(price.currency)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, i18n))
        return OfferState.PRICE
    context.user_data.offering_monthly_minor = price.minor
    await message_of(update).reply_text(
        _("How much notice does either side give to end a pass?"),
        reply_markup=inline([[
            (i18n.ngettext("{count} day", "{count} days", days).format(count=days),
             PickNotice(days))
            for days in passes.NOTICE_DAYS
        ]]),
    )  # fmt: skip
    return OfferState.NOTICE


@on_button(PickNotice, forged=OfferState.NOTICE)
async def notice_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PickNotice
) -> OfferState | int:
    i18n = context.i18n
    data = context.user_data
    if data.offering_band is None or data.offering_monthly_minor is None:
        await query.answer(i18n.gettext("This button is no longer valid."), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    band = decode_band(data.offering_band)
    async with context.db.unit_of_work() as uow:
        spot = await spots.get_owned(uow, data.current_spot_edited(), context.person_id)
        monthly = Money.optional(data.offering_monthly_minor, spot.currency)
        assert monthly is not None  # checked above
        offered = await passes.offer(
            uow, context.clock, owner_id=context.person_id, spot_id=spot.id, band=band,
            monthly=monthly, notice_days=pressed.days,
        )  # fmt: skip
    _forget(context)
    await message_of(update).reply_text(
        i18n.ngettext(
            "Saved. Drivers can now take “{title}” by the month: {band}, {price} a month, "
            "{days} day's notice.",
            "Saved. Drivers can now take “{title}” by the month: {band}, {price} a month, "
            "{days} days' notice.",
            offered.notice_days,
        ).format(
            title=html.escape(spot.title),
            band=html.escape(band_text(band, i18n)),
            price=i18n.money(offered.monthly_price),
            days=offered.notice_days,
        )
    )
    return ConversationHandler.END


def _forget(context: ParkShareContext) -> None:
    context.user_data.editing_spot_id = None
    context.user_data.offering_band = None
    context.user_data.offering_monthly_minor = None


def build_offer_pass_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        name="offer_pass",
        stopped=N_("Setting up the monthly offer stopped. Nothing was changed."),
        cancelled=N_("Nothing was changed."),
        forget=_forget,
        entry_points=[offer_pressed],
        states={
            OfferState.BAND: [MessageHandler(text, band_typed), band_picked],
            OfferState.PRICE: [MessageHandler(text, price_typed)],
            OfferState.NOTICE: [notice_picked],
        },
        fallbacks=[],
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [build_offer_pass_conversation()]
