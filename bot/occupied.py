"""A spot found occupied, as its driver and its owner hear it: the driver is offered the nearest
spots free for the rest of the stay, paid with what they already paid (or everything back at
once); the owner is asked for their side, and concedes by saying nothing in time."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Message

from bot.booking_buttons import MoveStay, OccupiedAnswer, RefundOccupied
from bot.button_width import fit_label
from bot.context import ParkShareContext
from bot.dispute_card import tell
from bot.i18n import Translator, translator
from bot.keyboards import Button, inline
from bot.managers_group import tell_managers
from bot.payment_messages import simulated_note
from bot.telegram_text import fit_html
from core.errors import NotAsked, RebookingNotOpen
from core.geo import GeoPoint
from core.money import Money
from core.services import disputes, rebooking
from core.services.disputes import Case, Concession
from core.services.search import SearchFilters, SpotHit, nearest_free

# Spots offered to move to: enough to choose from on a phone's screen.
OFFERED = 5


async def moves_for(context: ParkShareContext, booking_id: int) -> Moves | None:
    """Before a report of the spot occupied is written: the nearest spots free for what is left
    of the stay that its money (and the platform's cover) pays for. None when the stay has
    nothing left to move (over, or its money already back)."""
    try:
        async with context.db.reading() as uow:
            allowed = await rebooking.before_report(
                uow, context.clock, booking_id=booking_id, driver_id=context.person_id,
                cover_percent=context.settings.occupied_subsidy_percent,
            )  # fmt: skip
    except RebookingNotOpen:
        return None
    spot = allowed.spot
    found = await nearest_free(
        context.db, point=GeoPoint(spot.lat, spot.lon), start=allowed.start, end=allowed.end,
        now=context.clock.now(), k=OFFERED + 1, filters=SearchFilters(max_price=allowed.most),
        max_radius_m=rebooking.MOVE_WITHIN_M,
    )  # fmt: skip
    hits = [hit for hit in found.hits if hit.owner_id != context.person_id][:OFFERED]
    return Moves(allowed, hits)


@dataclass(frozen=True, slots=True)
class Moves:
    allowed: rebooking.Budget
    hits: list[SpotHit]


async def offer_moves(
    context: ParkShareContext, message: Message, moves: Moves, refunded: Money | None
) -> None:
    """One tap to each spot found; or, when none was (``refunded``), what went back."""
    i18n = context.i18n
    _ = i18n.gettext
    allowed = moves.allowed
    until = i18n.moment(allowed.end, allowed.spot.timezone)
    if refunded is not None:
        await message.reply_text(
            _(
                "Sorry, no other spot is free nearby until {until}. What you paid for the time "
                "left, {amount}, is on its way back to you now. A manager has your report."
            ).format(until=until, amount=i18n.money(refunded))
            + simulated_note(context)
        )
        return
    await message.reply_text(
        _(
            "We're sorry about that. These spots are free until {until}, and your payment moves "
            "to the one you pick: nothing more to pay. Tap one to park there now."
        ).format(until=until),
        reply_markup=_moves_keyboard(allowed.booking.id, moves.hits, allowed.held, i18n),
    )


def _moves_keyboard(
    booking_id: int, hits: list[SpotHit], held: Money, i18n: Translator
) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    rows: list[list[Button]] = []
    for hit in hits:
        extra = _(" · back {amount}").format(amount=i18n.money(held - hit.price)) if (
            hit.price.minor < held.minor
        ) else ""  # fmt: skip
        label = fit_label(f"➡️ {hit.title}", keep=f" · {i18n.distance(hit.distance_m)}{extra}")
        rows.append([(label, MoveStay(booking_id, hit.spot_id))])
    rows.append([(_("💸 Refund me instead"), RefundOccupied(booking_id))])
    return inline(rows)


def moved_text(context: ParkShareContext, moved: rebooking.Moved, i18n: Translator) -> str:
    _ = i18n.gettext
    spot, booking = moved.spot, moved.booking
    lines = [
        _("✅ Moved. Booking #{id} is confirmed, paid with your earlier payment.").format(
            id=booking.id
        )
        + simulated_note(context, i18n),
        "",
        f"<b>{html.escape(spot.title)}</b>",
        html.escape(spot.address) if spot.address else None,
        _("{start} – {end}").format(
            start=i18n.moment(booking.start_at, spot.timezone),
            end=i18n.moment(booking.end_at, spot.timezone),
        ),
        _("<b>How to get in:</b> {access}").format(access=html.escape(spot.access_instructions))
        if spot.access_instructions
        else None,
        _("ParkShare covers the {amount} this spot costs more.").format(
            amount=i18n.money(moved.covered)
        )
        if moved.covered.minor
        else None,
        _("{amount} of what you paid is on its way back to you.").format(
            amount=i18n.money(moved.refunded)
        )
        if moved.refunded.minor
        else None,
    ]
    return fit_html("\n".join(line for line in lines if line is not None))


def refunded_text(context: ParkShareContext, amount: Money, i18n: Translator) -> str:
    return i18n.gettext(
        "Done: what you paid for the time left, {amount}, is on its way back to you. A manager "
        "has your report."
    ).format(amount=i18n.money(amount)) + simulated_note(context, i18n)


async def ask_owner(context: ParkShareContext, case: Case, answer_within: timedelta) -> None:
    """The owner hears of the report at once, with two buttons for their side."""
    owner, booking, spot = case.parties.owner, case.parties.booking, case.parties.spot
    i18n = translator(owner.language)
    _ = i18n.gettext
    minutes = int(answer_within.total_seconds() // 60)
    text = i18n.ngettext(
        "⚠️ The driver of booking #{id} at “{title}” reports that someone else is in the spot. "
        "Is that so? If we don't hear from you within {minutes} minute, the report counts as "
        "right.",
        "⚠️ The driver of booking #{id} at “{title}” reports that someone else is in the spot. "
        "Is that so? If we don't hear from you within {minutes} minutes, the report counts as "
        "right.",
        minutes,
    ).format(id=booking.id, title=html.escape(spot.title), minutes=minutes)
    keyboard = inline(
        [
            [(_("😔 Yes, it was taken"), OccupiedAnswer(case.dispute.id, "taken"))],
            [(_("✋ No, the spot was free"), OccupiedAnswer(case.dispute.id, "free"))],
        ]
    )
    await tell(context, owner.telegram_id, fit_html(text), keyboard)


async def tell_of_concession(context: ParkShareContext, conceded: Concession) -> None:
    """The owner conceded, or let the time run out: they hear what it means, and the
    managers' group hears the report is settled."""
    owner, booking = conceded.case.parties.owner, conceded.case.parties.booking
    i18n = translator(owner.language)
    if conceded.how == disputes.Conceded.SAID_NOTHING:
        text = i18n.gettext(
            "We didn't hear from you about booking #{id}, so the report that your spot was "
            "occupied counts as right. It weighs on your credit as a late cancellation."
        )
    else:
        text = i18n.gettext(
            "Thank you for telling us. The report on booking #{id} is settled: it weighs on "
            "your credit as a late cancellation. Please keep the spot free for your bookings."
        )
    await tell(context, owner.telegram_id, text.format(id=booking.id))
    dispute_id = conceded.case.dispute.id
    if conceded.how == disputes.Conceded.SAID_SO:
        await tell_managers(context, lambda managers: managers.gettext(
            "✅ Dispute #{id} settled without a ruling: the owner conceded that the spot was "
            "occupied."
        ).format(id=dispute_id))  # fmt: skip
    else:
        await tell_managers(context, lambda managers: managers.gettext(
            "✅ Dispute #{id} settled without a ruling: the owner did not answer in time."
        ).format(id=dispute_id))  # fmt: skip


async def settle_unanswered(context: ParkShareContext) -> None:
    """Reports of an occupied spot whose owner said nothing in time: the owner concedes."""
    async with context.db.reading() as uow:
        overdue = await disputes.occupied_reports_unanswered(uow, context.clock)
    for dispute_id in overdue:
        try:
            async with context.db.unit_of_work() as uow:
                conceded = await disputes.concede_occupied(
                    uow, context.clock, dispute_id=dispute_id, owner_id=None,
                    how=disputes.Conceded.SAID_NOTHING,
                )  # fmt: skip
        except NotAsked:
            continue  # answered, or taken by a manager, meanwhile
        await tell_of_concession(context, conceded)
