"""Rating after a stay: 1-5 stars and an optional comment, once per side per booking. Drivers
rate the owner and the spot; owners rate the driver. Reached from the message at the end of a
stay and from /bookings."""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import IntEnum, auto

from telegram import CallbackQuery, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.booking_buttons import RateBooking
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.drafts import RatingDraft
from bot.flow import ask_first, conversation
from bot.i18n import N_
from bot.incoming import message_of, query_of
from bot.keyboards import CallbackData, inline
from bot.relay_chat import leave as leave_relay
from core.errors import BookingNotFound
from core.services import parties, ratings
from core.services.parties import Side


class RateState(IntEnum):
    STARS = auto()
    COMMENT = auto()


@dataclass(frozen=True)
class GiveStars(CallbackData):
    prefix = "rts"
    stars: int

    def is_valid(self) -> bool:
        return 1 <= self.stars <= 5


@dataclass(frozen=True)
class SkipComment(CallbackData):
    prefix = "rtc"


def stars(count: int) -> str:
    return "★" * count + "☆" * (5 - count)


@on_button(RateBooking, forged=ConversationHandler.END)
async def rate_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: RateBooking
) -> RateState | int:
    _ = context.i18n.gettext
    async with context.db.reading() as uow:
        side = await ratings.check_can_rate(
            uow, booking_id=pressed.booking_id, rater_id=context.person_id
        )
        found = await parties.of_booking(uow, pressed.booking_id)
    if side != pressed.side:
        raise BookingNotFound(str(pressed.booking_id))
    await query.answer()
    await leave_relay(update, context)
    context.user_data.rating_draft = RatingDraft(booking_id=pressed.booking_id)
    if side == Side.DRIVER:
        question = _("How was your stay at “{title}” (booking #{id})?")
    else:
        question = _("How was the driver of booking #{id} at “{title}”?")
    await ask_first(
        update,
        context,
        question.format(title=html.escape(found.spot.title), id=pressed.booking_id),
        reply_markup=inline([[(f"{n}⭐", GiveStars(n)) for n in range(1, 6)]]),
    )
    return RateState.STARS


@on_button(GiveStars, forged=RateState.STARS)
async def stars_given(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: GiveStars
) -> RateState | int:
    _ = context.i18n.gettext
    draft = context.user_data.rating_draft
    if draft is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    draft.stars = pressed.stars
    await query.edit_message_text(
        _("{stars} Add a comment if you like, or press Skip.").format(stars=stars(pressed.stars)),
        reply_markup=inline([[(_("Skip"), SkipComment())]]),
    )
    return RateState.COMMENT


async def comment_typed(update: Update, context: ParkShareContext) -> int:
    return await _save(update, context, message_of(update).text or "")


async def comment_skipped(update: Update, context: ParkShareContext) -> int:
    query = query_of(update)
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _save(update, context, "")


async def _save(update: Update, context: ParkShareContext, comment: str) -> int:
    draft = context.user_data.rating_draft
    context.user_data.rating_draft = None
    if draft is None or not draft.stars:
        return ConversationHandler.END
    async with context.db.unit_of_work() as uow:
        await ratings.rate(
            uow, context.clock, booking_id=draft.booking_id,
            rater_id=context.person_id, stars=draft.stars, comment=comment,
        )  # fmt: skip
    await message_of(update).reply_text(
        context.i18n.gettext("Thank you! You gave {stars} for booking #{id}.").format(
            stars=stars(draft.stars), id=draft.booking_id
        )
    )
    return ConversationHandler.END


def _forget(context: ParkShareContext) -> None:
    context.user_data.rating_draft = None


def build_rate_conversation() -> ConversationHandler:
    return conversation(
        name="rate",
        stopped=N_("Rating stopped. You can rate later from /bookings."),
        cancelled=N_("No rating given. You can rate later from /bookings."),
        forget=_forget,
        entry_points=[rate_pressed],
        states={
            RateState.STARS: [stars_given],
            RateState.COMMENT: [
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, comment_typed
                ),
                CallbackQueryHandler(comment_skipped, pattern=SkipComment.pattern()),
            ],
        },
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    return [build_rate_conversation()]
