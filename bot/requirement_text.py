"""What an owner asks of drivers, and why a driver cannot book yet, in the person's words."""

from __future__ import annotations

from bot.i18n import N_, Translator
from core.credit import CreditTier
from core.requirements import Requirements, Shortfall, TierShortfall

# The tier as a driver reads it of themselves.
TIER_NAMES = {
    CreditTier.TRUSTED: N_("trusted"),
    CreditTier.GOOD: N_("good standing"),
    CreditTier.WATCH: N_("on watch"),
}
# What the owner asks, as a choice and as a line on the spot's card.
TIER_ASKED = {
    CreditTier.GOOD: N_("drivers in good standing or trusted"),
    CreditTier.TRUSTED: N_("trusted drivers only"),
}


def asked_lines(asked: Requirements, i18n: Translator) -> list[str]:
    """The spot's requirements, one line each; none when it asks nothing."""
    lines = []
    if asked.min_tier is not None:
        lines.append(
            i18n.gettext("🔒 Books for {who}").format(who=i18n.gettext(TIER_ASKED[asked.min_tier]))
        )
    if asked.min_completed_stays:
        count = asked.min_completed_stays
        lines.append(
            i18n.ngettext(
                "🔒 Books for drivers with {count} completed stay on ParkShare",
                "🔒 Books for drivers with at least {count} completed stays on ParkShare",
                count,
            ).format(count=count)
        )
    return lines


def shortfall_text(short: Shortfall, i18n: Translator) -> str:
    if isinstance(short, TierShortfall):
        return i18n.gettext(
            "Its owner takes {who}, and your credit is {held}: see /credit for how it grows."
        ).format(
            who=i18n.gettext(TIER_ASKED[short.needed]), held=i18n.gettext(TIER_NAMES[short.held])
        )
    return i18n.ngettext(
        "Its owner takes drivers with {count} completed stay on ParkShare, and you have {done}.",
        "Its owner takes drivers with at least {count} completed stays on ParkShare, and you "
        "have {done}.",
        short.needed,
    ).format(count=short.needed, done=short.done)


def why_not(shortfalls: list[Shortfall], i18n: Translator) -> str:
    """Why a driver cannot book a spot yet: every requirement they fall short of."""
    return " ".join(
        [i18n.gettext("🔒 You can't book this spot yet."), *(
            shortfall_text(short, i18n) for short in shortfalls
        )]
    )  # fmt: skip
