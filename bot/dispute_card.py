"""A dispute as the managers read it: the card with the booking's facts, both credit scores,
the photos and the relay transcript, and the buttons to settle it; posted to their group when
a problem is reported, and again on /disputes."""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.i18n import N_, Translator, translator
from bot.keyboards import CallbackData, inline
from bot.telegram_text import MAX_TEXT, split_html
from core.credit import CreditTier, tier_of
from core.services.disputes import Case, Problem
from core.services.parties import Side

log = logging.getLogger(__name__)


PROBLEMS = {
    Problem.SPOT_OCCUPIED: N_("spot occupied"),
    Problem.NO_ACCESS: N_("can't get in"),
    Problem.OVERSTAY: N_("driver overstaying"),
    Problem.NO_SHOW: N_("driver didn't come"),
    Problem.DAMAGE: N_("damage"),
    Problem.PAYMENT: N_("payment problem"),
    Problem.OTHER: N_("something else"),
    Problem.CHARGEBACK: N_("card chargeback"),
}


SIDES = {Side.DRIVER: N_("the driver"), Side.OWNER: N_("the owner")}


# A person's credit tier as the managers read it on a card.
TIER_NAMES = {
    CreditTier.TRUSTED: N_("trusted"),
    CreditTier.GOOD: N_("good standing"),
    CreditTier.WATCH: N_("on watch"),
}


PARTIAL_PERCENTS = (25, 50, 75)


TRANSCRIPT_LINES = 12


@dataclass(frozen=True)
class DisputeAction(CallbackData):
    """A manager's button on a dispute card; ``percent`` only for a partial refund."""

    prefix = "dp"
    choices = {  # noqa: RUF012
        "action": frozenset(
            {
                "refund",
                "partial",
                "pct",
                "back",
                "release",
                "split",
                "pen_d",
                "pen_o",
                "ban_d",
                "ban_o",
                "ask_d",
                "ask_o",
            }
        )
    }
    action: str
    dispute_id: int
    percent: int = 0

    def is_valid(self) -> bool:
        return self.percent in PARTIAL_PERCENTS if self.action == "pct" else self.percent == 0


def side_label(side: Side, i18n: Translator) -> str:
    return i18n.gettext(SIDES[side])


def card_text(case: Case, i18n: Translator) -> str:
    _ = i18n.gettext
    dispute, found = case.dispute, case.parties
    booking, spot = found.booking, found.spot
    zone = spot.timezone
    reporter = found.role_of(dispute.opened_by_id) if dispute.opened_by_id else None
    lines = [
        _("⚠️ <b>Dispute #{id} · booking #{booking}</b>: {problem}").format(
            id=dispute.id, booking=booking.id, problem=_(PROBLEMS[Problem(dispute.kind)])
        ),
    ]
    if reporter is not None:
        lines.append(
            _("Reported by {side}: “{text}”").format(
                side=side_label(reporter, i18n), text=html.escape(dispute.description or "—")
            )
        )
    lines += [
        _("<b>Spot</b> #{id} {title}, {address}").format(
            id=spot.id, title=html.escape(spot.title), address=html.escape(spot.address or "—")
        ),
        _("<b>Stay</b> {start} – {end} · held {paid} of {price}").format(
            start=i18n.moment(booking.start_at, zone),
            end=i18n.moment(booking.end_at, zone),
            paid=i18n.money(case.paid),
            price=i18n.money(booking.price),
        ),
    ]
    if case.driver_arrived_at is not None:
        lines.append(
            _("📍 The driver was at the spot at {moment} (checked in, or their live location).")
            .format(moment=i18n.moment(case.driver_arrived_at, zone))
        )  # fmt: skip
    if Problem(dispute.kind) == Problem.SPOT_OCCUPIED:
        lines.append(
            _(
                "The driver was offered free spots nearby paid with what they paid for the time "
                "left, or that money back: a ruling says who was at fault, and divides what is "
                "still held."
            )
        )
    for side in (Side.DRIVER, Side.OWNER):
        person = found.person(side)
        lines.append(
            _("<b>{side}</b>: person #{id} · credit {score} ({tier})").format(
                side=side_label(side, i18n).capitalize(),
                id=person.id,
                score=person.credit_score,
                tier=_(TIER_NAMES[tier_of(person.credit_score)]),
            )
        )
    photos = [item for item in case.evidence if item.telegram_file_id]
    answers = [item for item in case.evidence if item.text]
    if photos:
        lines.append(
            i18n.ngettext("📷 {count} photo above", "📷 {count} photos above", len(photos)).format(
                count=len(photos)
            )
        )
    for item in answers:
        lines.append(
            _("📝 {side} added: “{text}”").format(
                side=side_label(found.role_of(item.person_id), i18n).capitalize(),
                text=html.escape(item.text[:300]),
            )
        )
    lines.append("")
    if case.transcript:
        lines.append(_("<b>Their conversation</b> (newest last):"))
        for message in case.transcript[-TRANSCRIPT_LINES:]:
            said = html.escape(message.text[:200]) if message.kind != "photo" else _("[photo]")
            if message.kind == "photo" and message.text:
                said += " " + html.escape(message.text[:200])
            lines.append(
                "{time} {side}: {said}".format(
                    time=i18n.moment(message.created_at, zone).split(", ")[-1],
                    side=side_label(found.role_of(message.sender_id), i18n).capitalize(),
                    said=said,
                )
            )
    else:
        lines.append(_("They haven't written to each other through the bot."))
    return "\n".join(lines)


def card_keyboard(dispute_id: int, i18n: Translator) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    return inline([
        [(_("💸 Refund driver in full"), DisputeAction("refund", dispute_id)),
         (_("💸 Refund part…"), DisputeAction("partial", dispute_id))],
        [(_("🏠 Release to owner"), DisputeAction("release", dispute_id)),
         (_("⚖️ Split 50/50"), DisputeAction("split", dispute_id))],
        [(_("➖ Penalise driver"), DisputeAction("pen_d", dispute_id)),
         (_("➖ Penalise owner"), DisputeAction("pen_o", dispute_id))],
        [(_("🚫 Ban driver"), DisputeAction("ban_d", dispute_id)),
         (_("🚫 Ban owner"), DisputeAction("ban_o", dispute_id))],
        [(_("❓ Ask driver"), DisputeAction("ask_d", dispute_id)),
         (_("❓ Ask owner"), DisputeAction("ask_o", dispute_id))],
    ])  # fmt: skip


async def post_card(context: ParkShareContext, case: Case) -> None:
    """The dispute for the managers, in their language: its photos, then the card with the
    buttons."""
    chat_id = context.settings.manager_chat_id
    if chat_id is None:
        log.warning("dispute %s has no managers' group to go to", case.dispute.id)
        return
    i18n = context.managers_i18n
    photos = [e.telegram_file_id for e in case.evidence if e.telegram_file_id]
    for number, file_id in enumerate(photos, start=1):
        await context.bot.send_photo(
            chat_id, file_id,
            caption=i18n.gettext("Dispute #{id} · photo {number}").format(
                id=case.dispute.id, number=number
            ),
        )  # fmt: skip
    # A long report and transcript may need several messages; the buttons go on the last.
    *first, last = split_html(card_text(case, i18n), MAX_TEXT)
    for part in first:
        await context.bot.send_message(chat_id, part)
    await context.bot.send_message(chat_id, last, reply_markup=card_keyboard(case.dispute.id, i18n))


async def announce(context: ParkShareContext, case: Case) -> None:
    """A new dispute: the card to the managers, and word to the side that did not report."""
    await post_card(context, case)
    found, opener = case.parties, case.dispute.opened_by_id
    assert opener is not None  # announced disputes are reported by one of the parties
    other = found.person(found.role_of(opener).other)
    to_them = translator(other.language)
    await tell(
        context, other.telegram_id,
        to_them.gettext(
            "A problem with booking #{id} (“{title}”) was reported to our managers: "
            "{problem}. A manager may ask you for details here."
        ).format(
            id=found.booking.id, title=html.escape(found.spot.title),
            problem=to_them.gettext(PROBLEMS[Problem(case.dispute.kind)]),
        ),
    )  # fmt: skip


async def tell(context: ParkShareContext, telegram_id: int, text: str, markup=None) -> None:
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(telegram_id, text, reply_markup=markup)
