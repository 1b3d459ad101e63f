"""The buttons on a booking that more than one screen shows (the payment confirmation, the
invoice's fallback, /bookings, the notices before, during and after a stay, the owner's
request): one codec each, in one place, with the button's label where several screens share it."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.keyboards import Button, CallbackData, inline
from core.db.models import Booking
from core.services import bookings
from core.services.parties import Side


@dataclass(frozen=True)
class PayBooking(CallbackData):
    prefix = "pay"
    booking_id: int


@dataclass(frozen=True)
class ManageBooking(CallbackData):
    """A driver's button on one booking; ``version`` is the booking as the driver saw it."""

    prefix = "bm"
    choices = {"action": frozenset({"cancel", "cancel_yes", "keep", "extend"})}  # noqa: RUF012
    action: str
    booking_id: int
    version: int


@dataclass(frozen=True)
class ManageSeries(CallbackData):
    """A driver's button on a weekly series: list its stays, or cancel those still ahead."""

    prefix = "sr"
    choices = {"action": frozenset({"show", "cancel", "cancel_yes", "keep"})}  # noqa: RUF012
    action: str
    series_id: int
    # On "cancel_yes": the terms the driver was shown (``series.rest_fingerprint``).
    terms: int = 0


def series_button(series_id: int, more: int, i18n: Translator) -> tuple[str, ManageSeries]:
    count = more + 1
    label = i18n.ngettext("🔁 The {count} stay", "🔁 All {count} stays", count)
    return label.format(count=count), ManageSeries("show", series_id)


@dataclass(frozen=True)
class OpenRelay(CallbackData):
    prefix = "rl"
    booking_id: int


def relay_button(booking_id: int, side: Side, i18n: Translator) -> tuple[str, OpenRelay]:
    """The button that writes to the other side: "Message owner" for a driver, and back."""
    _ = i18n.gettext
    label = _("💬 Message owner") if side == Side.DRIVER else _("💬 Message driver")
    return label, OpenRelay(booking_id)


@dataclass(frozen=True)
class RateBooking(CallbackData):
    """``side`` is the rater's: a button sent to the driver can't rate as the owner."""

    prefix = "rt"
    choices = {"side": frozenset(Side)}  # noqa: RUF012
    booking_id: int
    side: str


def rate_button(booking_id: int, side: Side, i18n: Translator) -> tuple[str, RateBooking]:
    _ = i18n.gettext
    label = _("⭐ Rate the stay #{id}") if side == Side.DRIVER else _("⭐ Rate the driver #{id}")
    return label.format(id=booking_id), RateBooking(booking_id, side)


@dataclass(frozen=True)
class ReportProblem(CallbackData):
    prefix = "pb"
    booking_id: int


def report_button(booking_id: int, i18n: Translator) -> tuple[str, ReportProblem]:
    return i18n.gettext("⚠️ Report a problem"), ReportProblem(booking_id)


@dataclass(frozen=True)
class SpotOccupied(CallbackData):
    """The driver arrives and finds someone else in their spot."""

    prefix = "so"
    booking_id: int


def occupied_button(booking_id: int, i18n: Translator) -> tuple[str, SpotOccupied]:
    return i18n.gettext("🚫 Spot occupied"), SpotOccupied(booking_id)


@dataclass(frozen=True)
class MoveStay(CallbackData):
    """Move a stay from its occupied spot to this one, paid with the money already paid."""

    prefix = "mv"
    booking_id: int
    spot_id: int


@dataclass(frozen=True)
class RefundOccupied(CallbackData):
    """Rather than move, have everything paid for the occupied spot back at once."""

    prefix = "ro"
    booking_id: int


@dataclass(frozen=True)
class OccupiedAnswer(CallbackData):
    """The owner's side of a report that their spot was occupied."""

    prefix = "oa"
    choices = {"answer": frozenset({"taken", "free"})}  # noqa: RUF012
    dispute_id: int
    answer: str


@dataclass(frozen=True)
class CarGone(CallbackData):
    """The owner who reported the car still there says it has gone."""

    prefix = "og"
    booking_id: int


@dataclass(frozen=True)
class SearchNearBooking(CallbackData):
    """Free spots near a booking's spot for what is left of its window."""

    prefix = "sn"
    booking_id: int


def search_near_button(booking_id: int, i18n: Translator) -> tuple[str, SearchNearBooking]:
    return i18n.gettext("🔎 Other spots nearby"), SearchNearBooking(booking_id)


@dataclass(frozen=True)
class CheckIn(CallbackData):
    prefix = "ci"
    booking_id: int


def check_in_button(booking_id: int, i18n: Translator) -> tuple[str, CheckIn]:
    return i18n.gettext("📍 I'm here"), CheckIn(booking_id)


@dataclass(frozen=True)
class LeftSpot(CallbackData):
    prefix = "lf"
    booking_id: int


def left_button(booking_id: int, i18n: Translator) -> tuple[str, LeftSpot]:
    return i18n.gettext("🚗 I've left"), LeftSpot(booking_id)


EXTENSIONS_MIN = bookings.EXTENSIONS_MIN


@dataclass(frozen=True)
class ExtendBooking(CallbackData):
    prefix = "bx"
    booking_id: int
    minutes: int

    def is_valid(self) -> bool:
        return self.minutes in EXTENSIONS_MIN


def extension_buttons(
    booking: Booking,
    i18n: Translator,
    *,
    or_leaving: bool = False,
    minutes: tuple[int, ...] = EXTENSIONS_MIN,
) -> InlineKeyboardMarkup:
    """More time (``minutes``: the extensions on offer); ``or_leaving`` adds "I've left", for
    "your stay ends soon"."""
    _ = i18n.gettext
    labels = {30: _("+30 min"), 60: _("+1 h"), 120: _("+2 h")}
    rows: list[list[Button]] = [[(labels[m], ExtendBooking(booking.id, m)) for m in minutes]]
    rows = [row for row in rows if row]
    if or_leaving:
        rows.append([left_button(booking.id, i18n)])
    return inline(rows)


@dataclass(frozen=True)
class AnswerRequest(CallbackData):
    prefix = "req"
    choices = {"answer": frozenset({"accept", "decline"})}  # noqa: RUF012
    booking_id: int
    answer: str
