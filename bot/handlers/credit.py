"""/credit: a person's score, their tier and what it allows, what moved the score, and how to
raise it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import ParkShareContext
from bot.i18n import N_
from bot.incoming import message_of
from core.credit import (
    GOOD_FROM,
    SCORE_RANGE,
    TRUSTED_FROM,
    CreditEventKind,
    CreditTier,
    tier_of,
)
from core.services import people

TIERS = {
    CreditTier.TRUSTED: N_("🛡 trusted: you book instantly everywhere, and your spots pay a "
                           "lower commission"),
    CreditTier.GOOD: N_("good: you book instantly where the owner allows it"),
    CreditTier.WATCH: N_("on watch: owners approve each of your bookings first"),
}  # fmt: skip
EVENTS = {
    CreditEventKind.COMPLETED_STAY: N_("a completed stay"),
    CreditEventKind.ON_TIME_DEPARTURE: N_("left on time"),
    CreditEventKind.RATED_5: N_("rated 5 stars"),
    CreditEventKind.RATED_4: N_("rated 4 stars"),
    CreditEventKind.RATED_3: N_("rated 3 stars"),
    CreditEventKind.RATED_2: N_("rated 2 stars"),
    CreditEventKind.RATED_1: N_("rated 1 star"),
    CreditEventKind.DRIVER_CANCELLED: N_("a cancellation"),
    CreditEventKind.DRIVER_CANCELLED_LATE: N_("a late cancellation"),
    CreditEventKind.OWNER_CANCELLED: N_("a booking you called off"),
    CreditEventKind.OWNER_CANCELLED_LATE: N_("a booking you called off late"),
    CreditEventKind.NO_SHOW: N_("a no-show"),
    CreditEventKind.OVERSTAY: N_("an overstay"),
    CreditEventKind.DISPUTE_LOST: N_("a dispute decided against you"),
    CreditEventKind.MANAGER_PENALTY: N_("a manager's penalty"),
}


async def show_credit(update: Update, context: ParkShareContext) -> None:
    i18n = context.i18n
    _ = i18n.gettext
    async with context.db.reading() as uow:
        person = await people.get(uow, context.person_id)
        history = await people.credit_history(uow, person.id)
    tier = tier_of(person.credit_score)
    lines = [
        _("<b>Your credit: {score}</b> of {top}").format(
            score=person.credit_score, top=SCORE_RANGE[1]
        ),
        _("Tier: {tier}.").format(tier=_(TIERS[tier])),
    ]
    if tier != CreditTier.TRUSTED:
        goal = TRUSTED_FROM if tier == CreditTier.GOOD else GOOD_FROM
        lines.append(_("{points} more points to the next tier.").format(
            points=goal - person.credit_score))  # fmt: skip
    if history:
        lines += ["", _("What moved it lately:")]
        for event in history:
            what = _(EVENTS.get(CreditEventKind(event.kind), N_("a manager's penalty")))
            booking = f" (#{event.booking_id})" if event.booking_id else ""
            lines.append(f"{event.delta:+d} · {what}{booking}")
    lines += ["", _(
        "How to raise it: finish your stays and leave on time, cancel early rather than late, "
        "and treat the other side well; good ratings count."
    )]  # fmt: skip
    await message_of(update).reply_text("\n".join(lines))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("credit", show_credit, filters=filters.ChatType.PRIVATE)]
