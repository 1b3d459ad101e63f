"""Domain error codes in the person's words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.i18n import N_, Translator
from bot.requirement_text import why_not
from core.errors import DomainError, RequirementsNotMet
from core.free_time import BOOKABLE_AHEAD
from core.neighbourhood import OPEN_TO_ALL_WITHIN
from core.services.stay_checks import CHECK_IN_FROM
from core.window import MAX_LENGTH

LONGEST_DAYS = MAX_LENGTH.days
OPEN_TO_ALL_HOURS = int(OPEN_TO_ALL_WITHIN.total_seconds() // 3600)
CHECK_IN_MINUTES = int(CHECK_IN_FROM.total_seconds() // 60)
# Whole weeks (six): said in weeks, a driver's unit for "how far ahead".
BOOKABLE_WEEKS = BOOKABLE_AHEAD // timedelta(weeks=1)


def _longest_booking(i18n: Translator) -> str:
    return i18n.ngettext(
        "A booking can last at most {days} day.",
        "A booking can last at most {days} days.",
        LONGEST_DAYS,
    ).format(days=LONGEST_DAYS)


def _check_in_not_now(i18n: Translator) -> str:
    return i18n.ngettext(
        "You can check in from {minutes} minute before your stay until it ends.",
        "You can check in from {minutes} minutes before your stay until it ends.",
        CHECK_IN_MINUTES,
    ).format(minutes=CHECK_IN_MINUTES)


def _too_far_ahead(i18n: Translator) -> str:
    return i18n.ngettext(
        "Sorry, that is too far ahead: you can book up to {weeks} week ahead.",
        "Sorry, that is too far ahead: you can book up to {weeks} weeks ahead.",
        BOOKABLE_WEEKS,
    ).format(weeks=BOOKABLE_WEEKS)


def _group_first(i18n: Translator) -> str:
    return i18n.ngettext(
        "This spot is offered to the members of a neighbourhood group first. Ask in that group, "
        "book a time within the next {hours} hour, or pick another spot.",
        "This spot is offered to the members of a neighbourhood group first. Ask in that group, "
        "book a time within the next {hours} hours, or pick another spot.",
        OPEN_TO_ALL_HOURS,
    ).format(hours=OPEN_TO_ALL_HOURS)


# A message with a number in it is a function of the translator, so the number comes from the
# limit it describes and reads right in every language.
MESSAGES: dict[str, str | Callable[[Translator], str]] = {
    "domain.error": N_("Sorry, that could not be done."),
    "input.invalid": N_("That doesn't look right. Please check it and try again."),
    "input.price": N_("That price doesn't look right. Send an amount such as 3.50."),
    "input.location": N_("That place can't be used. Please share a location on land."),
    "input.window": N_("That time window doesn't work: the end must come after the start."),
    "input.availability": N_(
        "I couldn't read that as times. For example: Mon-Fri 08:00-18:00, weekends all day, "
        "tomorrow 9-17, today until 20:00."
    ),
    "input.window_past": N_("That time is already in the past. Please pick a later time."),
    "input.window_too_long": _longest_booking,
    "input.window_too_far": _too_far_ahead,
    "input.currency": N_("That currency isn't supported."),
    "input.language": N_("That language isn't available yet."),
    "input.address": N_(
        "I couldn't find that address. Add the city, or share the location instead."
    ),
    "geocoder.unavailable": N_(
        "I can't look up addresses right now. Please share the location instead (📎 → Location)."
    ),
    "not_found": N_("That no longer exists."),
    "not_found.person": N_("I don't know you yet. Send /start to begin."),
    "not_found.spot": N_("That spot doesn't exist or is no longer listed."),
    "not_found.booking": N_("That booking doesn't exist."),
    "forbidden": N_("You can't do that."),
    "forbidden.not_owner": N_("Only the spot's owner (or their operator) can answer this."),
    "operator.invitation": N_(
        "This invitation is no longer open: it was taken, withdrawn or is over a week old. "
        "Ask the owner for a new link."
    ),
    "operator.self": N_(
        "That's your own invitation: send the link to the person who will manage your spots."
    ),
    "not_found.operator": N_("That operator no longer manages these spots."),
    "forbidden.banned": N_("Your account is suspended. A manager will contact you."),
    "spot.not_bookable": N_("That spot can't be booked right now."),
    "spot.has_bookings": N_(
        "This spot has bookings still to come, so it can't be deleted. Pause it instead: no new "
        "bookings, and the existing ones stay."
    ),
    "spot.own": N_("That's your own spot, so you can't book it."),
    "spot.group_only": _group_first,
    "spot.group_members": N_(
        "This spot is for the members of a neighbourhood group only. Please pick another spot."
    ),
    "spot.requirements": N_("This spot's owner asks more of drivers than your profile shows yet."),
    "spot.illegal_transition": N_("That spot can't be changed that way now."),
    "booking.unavailable": N_("The spot isn't offered for that whole time."),
    "booking.not_extendable": N_("Only a confirmed or current stay can be extended."),
    "booking.not_cancellable": N_(
        "This booking can't be cancelled any more. If something is wrong, report it from "
        "/bookings and a manager will look at it."
    ),
    "booking.window_taken": N_("Someone else has just taken that time at this spot."),
    "booking.stale": N_("This booking has changed since this message. Here is where it stands."),
    "booking.illegal_transition": N_("This booking can't be changed that way now."),
    "booking.not_payable": N_(
        "This booking no longer waits for payment: it was paid, cancelled or has expired."
    ),
    "payment.mismatch": N_(
        "This payment doesn't match the booking any more. Nothing was charged; please open "
        "the booking again."
    ),
    "relay.closed": N_(
        "This booking's chat is closed. If something is wrong, report it from /bookings."
    ),
    "rating.not_completed": N_("Only a completed stay can be rated."),
    "rating.already": N_("You have already rated this stay. Thank you!"),
    "dispute.not_disputable": N_(
        "A problem can be reported on a confirmed or current stay, or within an hour after it "
        "ended."
    ),
    "dispute.too_early": N_(
        "A spot can be reported occupied from shortly before your stay starts. Please try again "
        "then."
    ),
    "stay.check_in_not_now": _check_in_not_now,
    "stay.already_answered": N_("You've already answered this. Thank you!"),
    "stay.leaving_not_now": N_(
        "You can tell us you've left once your stay has begun, and until shortly after it ends."
    ),
    "rebooking.not_open": N_(
        "This stay can't be moved or refunded any more: it was moved or refunded already, or "
        "its report was decided."
    ),
    "rebooking.too_far": N_(
        "That spot is too far from yours. Please pick one of the spots offered."
    ),
    "rebooking.too_dear": N_(
        "That spot now costs more than we can cover for this stay. Please pick another one."
    ),
    "stay.not_over": N_(
        "The stay isn't over yet, so the driver may still be there. If the car is still there "
        "once it has ended, press the button again."
    ),
    "dispute.ruling_not_allowed": N_(
        "The bank has already returned this payment to the card: release it to the owner, or "
        "penalise or ban."
    ),
    "dispute.already_open": N_(
        "A manager is already looking at this booking. You'll hear from us here."
    ),
    "dispute.taken": N_("Another manager is already handling this dispute."),
    "forbidden.not_asked": N_("This question was not addressed to you."),
    "series.needs_answer": N_(
        "This spot's owner answers each booking, so it can't be booked week after week. Book "
        "one stay at a time here, or pick a spot that books instantly."
    ),
    "not_found.series": N_("Those weekly bookings don't exist."),
    "not_found.pass": N_("That monthly pass doesn't exist or has ended."),
    "pass.not_offered": N_(
        "This spot isn't offered by the month, or you already hold a monthly pass here."
    ),
    "ledger.unbalanced": N_("Sorry, a payment problem occurred. Nothing was charged."),
}


def explain(error: DomainError, i18n: Translator) -> str:
    if isinstance(error, RequirementsNotMet):
        return why_not(error.shortfalls, i18n)
    message = MESSAGES.get(error.code, MESSAGES["domain.error"])
    return message(i18n) if callable(message) else i18n.gettext(message)
