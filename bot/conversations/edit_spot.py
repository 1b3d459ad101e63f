"""Changing a listed spot's prices, regular hours or photos from /myspots."""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import IntEnum, auto
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.errors import explain
from bot.flow import ask_first, conversation
from bot.hours_readings import PickHoursReading, reading_buttons, reading_question, reading_text
from bot.i18n import N_
from bot.incoming import message_of, text_of
from bot.keyboards import CallbackData, inline
from bot.spot_buttons import ManageSpot
from core.availability_text import AmbiguousHours, parse_availability
from core.errors import DomainError, InvalidPrice
from core.money import Money
from core.price_text import parse_price
from core.services import spots


class EditState(IntEnum):
    HOURLY = auto()
    DAILY = auto()
    HOURS = auto()
    PHOTOS = auto()


@dataclass(frozen=True)
class PhotosDone(CallbackData):
    prefix = "myph"
    spot_id: int


SKIP_WORDS = {"-", "skip", "no", "none", "нет", "пропустить", "无", "跳过", "没有"}


@on_button(ManageSpot, pattern=r"^my:(prices|hours|photos):", forged=ConversationHandler.END)
async def edit_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: ManageSpot
) -> EditState | int:
    _ = context.i18n.gettext
    try:
        async with context.db.reading() as uow:
            spot = await spots.get_owned(uow, pressed.spot_id, context.person_id)
    except DomainError as error:
        await query.answer(explain(error, context.i18n), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data.editing_spot_id = spot.id
    if pressed.action == "prices":
        question, state = _("New price per hour for “{title}”? For example: 3.50"), EditState.HOURLY
    elif pressed.action == "photos":
        context.user_data.editing_photo_ids = []
        question = context.i18n.ngettext(
            "Send up to {count} new photo of “{title}”; it replaces the old ones.",
            "Send up to {count} new photos of “{title}”; they replace the old ones.",
            spots.MAX_PHOTOS,
        ).replace("{count}", str(spots.MAX_PHOTOS))
        state = EditState.PHOTOS
    else:
        question = _("New regular hours for “{title}”? For example: Mon-Fri 08:00-18:00")
        state = EditState.HOURS
    await ask_first(update, context, question.format(title=html.escape(spot.title)))
    return state


async def hourly_typed(update: Update, context: ParkShareContext) -> EditState:
    async with context.db.reading() as uow:
        spot = await spots.get_owned(
            uow, context.user_data.current_spot_edited(), context.person_id
        )
    try:
        price = parse_price(text_of(update), default_currency=spot.currency)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return EditState.HOURLY
    context.user_data.editing_hourly_minor = price.minor
    await message_of(update).reply_text(
        context.i18n.gettext("And a price for a whole day? Send it, or “-” for none.")
    )
    return EditState.DAILY


async def daily_typed(update: Update, context: ParkShareContext) -> int | EditState:
    text = text_of(update).strip()
    spot_id, owner_id = context.user_data.current_spot_edited(), context.person_id
    try:
        async with context.db.unit_of_work() as uow:
            spot = await spots.get_owned(uow, spot_id, owner_id)
            daily = None
            if text.casefold() not in SKIP_WORDS:
                daily = parse_price(text, default_currency=spot.currency)
            hourly = Money.optional(context.user_data.editing_hourly_minor, spot.currency)
            if hourly is None:
                raise InvalidPrice("no hourly price typed")
            spot = await spots.change_prices(
                uow, spot_id=spot_id, owner_id=owner_id, hourly=hourly, daily=daily
            )
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return EditState.DAILY
    return await _done(update, context, spot.title)


async def hours_typed(update: Update, context: ParkShareContext) -> int | EditState:
    return await _replace_hours(update, context, text_of(update))


@on_button(PickHoursReading, forged=EditState.HOURS)
async def hours_reading_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PickHoursReading
) -> int | EditState:
    """The owner said which reading of hours such as "18-8" was meant; the hours are saved
    written out that way."""
    async with context.db.reading() as uow:
        spot = await spots.get_owned(
            uow, context.user_data.current_spot_edited(), context.person_id
        )
    pending, text = context.user_data.pending_hours, None
    if pending is not None:
        text = reading_text(pending, pressed.kind, spot.timezone, context.clock.now())
    if text is None:
        await query.answer(context.i18n.gettext("This button is no longer valid."), show_alert=True)
        return EditState.HOURS
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    context.user_data.pending_hours = None
    return await _replace_hours(update, context, text)


async def _replace_hours(update: Update, context: ParkShareContext, text: str) -> int | EditState:
    spot_id, owner_id = context.user_data.current_spot_edited(), context.person_id
    zone = ""
    try:
        async with context.db.unit_of_work() as uow:
            spot = await spots.get_owned(uow, spot_id, owner_id)
            zone = spot.timezone  # read now: a refusal below rolls back and expires the spot
            parsed = parse_availability(text, zone=ZoneInfo(zone), now=context.clock.now())
            await spots.replace_weekly_hours(uow, spot_id=spot_id, owner_id=owner_id, parsed=parsed)
    except AmbiguousHours as error:
        # Nothing is saved until the owner picks a reading with one of the two buttons.
        context.user_data.pending_hours = text
        await message_of(update).reply_text(
            reading_question(error, text, zone, context.i18n),
            reply_markup=inline(reading_buttons(PickHoursReading, context.i18n)),
        )
        return EditState.HOURS
    except DomainError as error:
        await message_of(update).reply_text(
            explain(error, context.i18n)
            + "\n"
            + context.i18n.gettext("For example: Mon-Fri 08:00-18:00, weekends all day.")
        )
        return EditState.HOURS
    return await _done(update, context, spot.title)


async def photo_sent(update: Update, context: ParkShareContext) -> int | EditState:
    _ = context.i18n.gettext
    photos = context.user_data.editing_photo_ids
    if len(photos) >= spots.MAX_PHOTOS:
        await message_of(update).reply_text(
            context.i18n.ngettext(
                "That's already {count} photo, the most a listing can have. Press Done to save it.",
                "That's already {count} photos, the most a listing can have. Press Done to save "
                "them.",
                spots.MAX_PHOTOS,
            ).format(count=spots.MAX_PHOTOS)
        )
        return EditState.PHOTOS
    photos.append(message_of(update).photo[-1].file_id)
    await message_of(update).reply_text(
        _("Photo {count} of up to {most} saved. Send another or press Done.").format(
            count=len(photos), most=spots.MAX_PHOTOS
        ),
        reply_markup=inline([[(_("Done"), PhotosDone(context.user_data.current_spot_edited()))]]),
    )
    return EditState.PHOTOS


@on_button(PhotosDone, forged=EditState.PHOTOS)
async def photos_done(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PhotosDone
) -> int | EditState:
    _ = context.i18n.gettext
    if pressed.spot_id != context.user_data.editing_spot_id:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return EditState.PHOTOS
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    async with context.db.unit_of_work() as uow:
        spot = await spots.replace_photos(
            uow, spot_id=pressed.spot_id, owner_id=context.person_id,
            file_ids=context.user_data.editing_photo_ids,
        )  # fmt: skip
    context.user_data.editing_photo_ids = []
    return await _done(update, context, spot.title)


async def _done(update: Update, context: ParkShareContext, title: str) -> int:
    context.user_data.editing_spot_id = None
    await message_of(update).reply_text(
        context.i18n.gettext("Saved. “{title}” is updated.").format(title=html.escape(title))
    )
    return ConversationHandler.END


def _forget(context: ParkShareContext) -> None:
    context.user_data.editing_spot_id = None
    context.user_data.editing_photo_ids = []
    context.user_data.pending_hours = None


def build_edit_spot_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        name="edit_spot",
        stopped=N_("Changing the spot stopped. Nothing was changed."),
        cancelled=N_("Nothing was changed."),
        forget=_forget,
        entry_points=[edit_pressed],
        states={
            EditState.HOURLY: [MessageHandler(text, hourly_typed)],
            EditState.DAILY: [MessageHandler(text, daily_typed)],
            EditState.HOURS: [
                MessageHandler(text, hours_typed),
                hours_reading_picked,
            ],
            EditState.PHOTOS: [
                MessageHandler(filters.PHOTO, photo_sent),
                photos_done,
            ],
        },
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [build_edit_spot_conversation()]
