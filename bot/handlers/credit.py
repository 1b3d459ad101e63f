"""/credit: a person's score, their tier and what it allows, what moved the score, and how to
raise it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import ParkShareContext
from bot.credit_events import credit_event_line
from bot.i18n import N_
from bot.incoming import message_of
from core.credit import (
    GOOD_FROM,
    SCORE_RANGE,
    TRUSTED_FROM,
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
            lines.append(credit_event_line(event, i18n, about_someone=False))
    lines += ["", _(
        "How to raise it: finish your stays and leave on time, cancel early rather than late, "
        "and treat the other side well; good ratings count."
    )]  # fmt: skip
    await message_of(update).reply_text("\n".join(lines))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("credit", show_credit, filters=filters.ChatType.PRIVATE)]
