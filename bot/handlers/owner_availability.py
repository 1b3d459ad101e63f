"""An owner changes when a spot is free by just saying so: "tomorrow 9-17" opens that time,
"not available Friday" blocks it. With several spots the owner picks one; every change can be
undone with a button."""

from __future__ import annotations

import html
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler

from bot.availability_view import describe_weekly, describe_windows
from bot.button_width import fit_label
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.hours_readings import PickHoursReading, reading_buttons, reading_question, reading_text
from bot.i18n import Translator
from bot.incoming import message_of, text_of
from bot.keyboards import CallbackData, inline
from bot.waiting_drivers import tell_of_freed_spots
from core.availability_text import (
    AmbiguousHours,
    ParsedAvailability,
    parse_availability,
)
from core.db.models import Spot
from core.errors import DomainError
from core.services import listings, spots
from core.status import SpotStatus


@dataclass(frozen=True)
class PickSpotForHours(CallbackData):
    prefix = "avs"
    spot_id: int


@dataclass(frozen=True)
class UndoHours(CallbackData):
    prefix = "avu"
    spot_id: int


def _listed(owned: list[Spot]) -> list[Spot]:
    return [spot for spot in owned if spot.status in (SpotStatus.APPROVED, SpotStatus.PAUSED)]


async def try_hours(update: Update, context: ParkShareContext) -> bool:
    """Take text that reads as hours from an owner; False leaves it to others."""
    async with context.db.reading() as uow:
        owned = _listed(await spots.manageable(uow, context.person_id))
    if not owned:
        return False
    text = text_of(update)
    try:
        # An owner's spots are nearly always in one city; parse in the first one's zone.
        parse_availability(text, zone=ZoneInfo(owned[0].timezone), now=context.clock.now())
    except AmbiguousHours as error:
        context.user_data.pending_hours = text
        await message_of(update).reply_text(
            reading_question(error, text, owned[0].timezone, context.i18n),
            reply_markup=inline(reading_buttons(PickHoursReading, context.i18n)),
        )
        return True
    except DomainError:
        return False
    await _for_which_spot(update, context, owned, text)
    return True


async def _for_which_spot(
    update: Update, context: ParkShareContext, owned: list[Spot], text: str
) -> None:
    if len(owned) == 1:
        await _apply(update, context, owned[0].id, text)
    else:
        context.user_data.pending_hours = text
        await message_of(update).reply_text(
            context.i18n.gettext("Which spot is this for?"),
            reply_markup=inline(
                [[(fit_label(spot.title), PickSpotForHours(spot.id))] for spot in owned]
            ),
        )


@on_button(PickHoursReading)
async def reading_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PickHoursReading
) -> None:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        owned = _listed(await spots.manageable(uow, context.person_id))
    pending = context.user_data.pending_hours
    text = None
    if owned and pending is not None:
        text = reading_text(pending, pressed.kind, owned[0].timezone, context.clock.now())
    if text is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    context.user_data.pending_hours = None
    await _for_which_spot(update, context, owned, text)


@on_button(PickSpotForHours)
async def spot_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PickSpotForHours
) -> None:
    _ = context.i18n.gettext
    text = context.user_data.pending_hours
    if text is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    context.user_data.pending_hours = None
    await _apply(update, context, pressed.spot_id, text)


async def _apply(update: Update, context: ParkShareContext, spot_id: int, text: str) -> None:
    owner_id = context.person_id
    async with context.db.unit_of_work() as uow:
        added = await listings.add_hours(
            uow, context.clock, spot_id=spot_id, owner_id=owner_id, text=text
        )
    spot, parsed, change = added.spot, added.parsed, added.change
    context.user_data.last_hours_change = {
        "spot_id": change.spot_id, "rule_ids": change.rule_ids, "window_ids": change.window_ids,
    }  # fmt: skip
    await tell_of_freed_spots(context, added.freed)
    await message_of(update).reply_text(
        _describe_change(spot, parsed, context.i18n),
        reply_markup=inline([[(context.i18n.gettext("↩️ Undo"), UndoHours(spot.id))]]),
    )


def _describe_change(spot: Spot, parsed: ParsedAvailability, i18n: Translator) -> str:
    _ = i18n.gettext
    when = "; ".join(
        describe_weekly(parsed.weekly, i18n) + describe_windows(parsed.windows, spot.timezone, i18n)
    )
    template = (
        _("Spot “{title}” is now blocked: {when}.")
        if parsed.blocked
        else _("Spot “{title}” is now also free: {when}.")
    )
    return template.format(title=html.escape(spot.title), when=html.escape(when))


@on_button(UndoHours)
async def undo_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: UndoHours
) -> None:
    _ = context.i18n.gettext
    last = context.user_data.last_hours_change
    if last is None or last["spot_id"] != pressed.spot_id:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    async with context.db.unit_of_work() as uow:
        await spots.undo_availability(
            uow,
            owner_id=context.person_id,
            change=spots.AvailabilityChange(
                last["spot_id"], list(last["rule_ids"]), list(last["window_ids"])
            ),
        )
    context.user_data.last_hours_change = None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await message_of(update).reply_text(_("Undone: the spot's hours are as they were."))


def handlers() -> list[BaseHandler]:
    return [
        spot_picked,
        undo_pressed,
        reading_picked,
    ]
