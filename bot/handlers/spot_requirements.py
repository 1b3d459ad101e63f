"""/myspots → "Who can book": what an owner asks of the drivers who book their spot (a credit
tier, stays completed on ParkShare) and whether each booking waits for their yes."""

from __future__ import annotations

import html
from dataclasses import replace

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.i18n import N_, Translator
from bot.keyboards import Button, inline
from bot.requirement_text import TIER_ASKED
from bot.spot_buttons import ManageSpot, SetRequirements
from core.credit import CreditTier
from core.db.models import Spot
from core.requirements import STAYS_ASKABLE, TIERS_ASKABLE
from core.services import spots

# The tier asked, as a button.
TIER_SHORT = {
    CreditTier.GOOD: N_("Good standing or trusted"),
    CreditTier.TRUSTED: N_("Trusted only"),
}


def requirements_text(spot: Spot, i18n: Translator) -> str:
    _ = i18n.gettext
    asked = spot.requirements
    who = _(TIER_ASKED[asked.min_tier]) if asked.min_tier else _("any driver")
    answer = _("they book at once") if spot.instant_booking else _("you approve each booking first")
    return "\n".join([
        _("🔒 Who can book <b>{title}</b>").format(title=html.escape(spot.title)),
        _("Credit: {who}").format(who=who),
        i18n.ngettext(
            "Completed stays on ParkShare: at least {count}",
            "Completed stays on ParkShare: at least {count}",
            asked.min_completed_stays,
        ).format(count=asked.min_completed_stays),
        _("Bookings: {answer}").format(answer=answer),
        "",
        _("Trusted drivers always book at once, and drivers on watch always wait for your yes. "
          "Bookings made already stand."),
    ])  # fmt: skip


def requirements_keyboard(spot: Spot, i18n: Translator) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    asked = spot.requirements

    def mark(label: str, chosen: bool) -> str:
        return f"✅ {label}" if chosen else label

    tiers: list[Button] = [
        (mark(_("Anyone"), asked.min_tier is None), SetRequirements("tier", spot.id, "any")),
        *((mark(_(TIER_SHORT[tier]), asked.min_tier == tier),
           SetRequirements("tier", spot.id, tier.value)) for tier in TIERS_ASKABLE),
    ]  # fmt: skip
    stays: list[Button] = [
        (mark(str(count), asked.min_completed_stays == count),
         SetRequirements("stays", spot.id, str(count)))
        for count in STAYS_ASKABLE
    ]  # fmt: skip
    answers: list[Button] = [
        (mark(_("⚡ At once"), spot.instant_booking),
         SetRequirements("answer", spot.id, "instant")),
        (mark(_("✋ I approve each"), not spot.instant_booking),
         SetRequirements("answer", spot.id, "ask")),
    ]  # fmt: skip
    # One a row where a translation runs long: two would be cut on a phone.
    return inline([
        *([tier] for tier in tiers), stays, *([answer] for answer in answers),
        [(_("↩️ Back"), ManageSpot("keep", spot.id))],
    ])  # fmt: skip


@on_button(SetRequirements)
async def requirements_pressed(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: SetRequirements
) -> None:
    if pressed.field == "show":
        async with context.db.reading() as uow:
            spot = await spots.get_owned(uow, pressed.spot_id, context.person_id)
    else:
        async with context.db.unit_of_work() as uow:
            spot = await spots.get_owned(uow, pressed.spot_id, context.person_id)
            asked, instant = spot.requirements, spot.instant_booking
            if pressed.field == "tier":
                tier = None if pressed.value == "any" else CreditTier(pressed.value)
                asked = replace(asked, min_tier=tier)
            elif pressed.field == "stays":
                asked = replace(asked, min_completed_stays=int(pressed.value))
            else:
                instant = pressed.value == "instant"
            if (asked, instant) == (spot.requirements, spot.instant_booking):
                await query.answer()  # chosen already: the message shows it
                return
            spot = await spots.set_requirements(
                uow, spot_id=spot.id, owner_id=context.person_id, requirements=asked,
                instant_booking=instant,
            )  # fmt: skip
    await query.answer()
    await query.edit_message_text(
        requirements_text(spot, context.i18n),
        reply_markup=requirements_keyboard(spot, context.i18n),
    )


def handlers() -> list[BaseHandler]:
    return [requirements_pressed]
