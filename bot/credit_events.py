"""What moved a person's credit, in words: for the person themselves (/credit) and for the
managers looking at them (/person)."""

from __future__ import annotations

from bot.i18n import N_, Translator
from core.credit import CreditEventKind
from core.db.models import CreditEvent

TO_THEM = {
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
# The same events as a manager reads them about someone else.
ABOUT_SOMEONE = {
    **TO_THEM,
    CreditEventKind.OWNER_CANCELLED: N_("a booking they called off as owner"),
    CreditEventKind.OWNER_CANCELLED_LATE: N_("a booking they called off late as owner"),
    CreditEventKind.DISPUTE_LOST: N_("a dispute decided against them"),
}


def credit_event_line(event: CreditEvent, i18n: Translator, *, about_someone: bool) -> str:
    """``+10 · a completed stay (#12)``."""
    words = ABOUT_SOMEONE if about_someone else TO_THEM
    what = i18n.gettext(words.get(CreditEventKind(event.kind), N_("a manager's penalty")))
    booking = f" (#{event.booking_id})" if event.booking_id else ""
    return f"{event.delta:+d} · {what}{booking}"
