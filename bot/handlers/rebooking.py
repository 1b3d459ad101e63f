"""A spot found occupied: the driver moves to another spot with one tap or takes their money
back, and the owner gives their side."""

from __future__ import annotations

import contextlib

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler

from bot import owner_notices
from bot.booking_buttons import MoveStay, OccupiedAnswer, RefundOccupied, relay_button
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.incoming import message_of
from bot.keyboards import inline
from bot.occupied import moved_text, refunded_text, tell_of_concession
from bot.spot_buttons import Navigate
from core.services import disputes, rebooking, stays
from core.services.disputes import Conceded
from core.services.parties import Side


@on_button(MoveStay)
async def move_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: MoveStay
) -> None:
    settings = context.settings
    async with context.db.unit_of_work() as uow:
        moved = await rebooking.move(
            uow, context.clock, booking_id=pressed.booking_id, driver_id=context.person_id,
            spot_id=pressed.spot_id, cover_percent=settings.occupied_subsidy_percent,
            commission_basis_points=settings.commission_basis_points,
            trusted_owner_commission_basis_points=settings.trusted_owner_commission_basis_points,
        )  # fmt: skip
        parties = await stays.parties_of(uow, moved.booking)
    i18n = context.i18n
    await query.answer()
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    await message_of(update).reply_text(
        moved_text(context, moved, i18n),
        reply_markup=inline(
            [
                [(i18n.gettext("🧭 Navigate"), Navigate(moved.spot.id))],
                [relay_button(moved.booking.id, Side.DRIVER, i18n)],
            ]
        ),
    )
    await owner_notices.paid(context, moved.booking, parties)


@on_button(RefundOccupied)
async def refund_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: RefundOccupied
) -> None:
    async with context.db.unit_of_work() as uow:
        refunded = await rebooking.refund_at_once(
            uow, context.clock, booking_id=pressed.booking_id, driver_id=context.person_id
        )
    await query.answer()
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    await message_of(update).reply_text(refunded_text(context, refunded, context.i18n))


@on_button(OccupiedAnswer)
async def owner_answered(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: OccupiedAnswer
) -> None:
    _ = context.i18n.gettext
    if pressed.answer == "taken":
        async with context.db.unit_of_work() as uow:
            conceded = await disputes.concede_occupied(
                uow, context.clock, dispute_id=pressed.dispute_id, owner_id=context.person_id,
                how=Conceded.SAID_SO,
            )  # fmt: skip
        await query.answer()
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await tell_of_concession(context, conceded)
        return
    async with context.db.unit_of_work() as uow:
        await disputes.answer(
            uow, context.clock, dispute_id=pressed.dispute_id, person_id=context.person_id,
            text=context.managers_i18n.gettext("The owner says the spot was free."),
        )  # fmt: skip
    await query.answer()
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    context.user_data.answering_dispute_id = pressed.dispute_id
    context.user_data.relay_booking_id = None
    await message_of(update).reply_text(
        _(
            "Thank you. A manager will decide. Tell them what you saw, or send a photo of the "
            "free spot: your next message goes to the manager only."
        )
    )


def handlers() -> list[BaseHandler]:
    return [move_pressed, refund_pressed, owner_answered]
