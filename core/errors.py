"""Domain errors carry a stable code; the bot translates each code into the user's language."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.requirements import Shortfall


class ErrorCode(StrEnum):
    """Every code a domain error carries. The values are stable: the bot's translations and
    the webhooks' answers are keyed by them."""

    DOMAIN_ERROR = "domain.error"
    INPUT_INVALID = "input.invalid"
    INPUT_PRICE = "input.price"
    INPUT_LOCATION = "input.location"
    INPUT_WINDOW = "input.window"
    INPUT_AVAILABILITY = "input.availability"
    INPUT_WINDOW_PAST = "input.window_past"
    INPUT_WINDOW_TOO_FAR = "input.window_too_far"
    INPUT_CURRENCY = "input.currency"
    INPUT_LANGUAGE = "input.language"
    INPUT_ADDRESS = "input.address"
    GEOCODER_UNAVAILABLE = "geocoder.unavailable"
    NOT_FOUND = "not_found"
    NOT_FOUND_PERSON = "not_found.person"
    NOT_FOUND_SPOT = "not_found.spot"
    NOT_FOUND_BOOKING = "not_found.booking"
    FORBIDDEN = "forbidden"
    FORBIDDEN_BANNED = "forbidden.banned"
    SPOT_NOT_BOOKABLE = "spot.not_bookable"
    SPOT_HAS_BOOKINGS = "spot.has_bookings"
    SPOT_OWN = "spot.own"
    SPOT_REQUIREMENTS = "spot.requirements"
    SPOT_GROUP_ONLY = "spot.group_only"
    SPOT_GROUP_MEMBERS = "spot.group_members"
    BOOKING_UNAVAILABLE = "booking.unavailable"
    BOOKING_WINDOW_TAKEN = "booking.window_taken"
    BOOKING_STALE = "booking.stale"
    INPUT_WINDOW_TOO_LONG = "input.window_too_long"
    BOOKING_NOT_EXTENDABLE = "booking.not_extendable"
    BOOKING_NOT_CANCELLABLE = "booking.not_cancellable"
    BOOKING_NOT_PAYABLE = "booking.not_payable"
    PAYMENT_MISMATCH = "payment.mismatch"
    FORBIDDEN_NOT_OWNER = "forbidden.not_owner"
    BOOKING_ILLEGAL_TRANSITION = "booking.illegal_transition"
    SPOT_ILLEGAL_TRANSITION = "spot.illegal_transition"
    RELAY_CLOSED = "relay.closed"
    RATING_NOT_COMPLETED = "rating.not_completed"
    RATING_ALREADY = "rating.already"
    DISPUTE_NOT_DISPUTABLE = "dispute.not_disputable"
    DISPUTE_TOO_EARLY = "dispute.too_early"
    STAY_CHECK_IN_NOT_NOW = "stay.check_in_not_now"
    STAY_ALREADY_ANSWERED = "stay.already_answered"
    STAY_LEAVING_NOT_NOW = "stay.leaving_not_now"
    STAY_NOT_OVER = "stay.not_over"
    REBOOKING_NOT_OPEN = "rebooking.not_open"
    REBOOKING_TOO_DEAR = "rebooking.too_dear"
    REBOOKING_TOO_FAR = "rebooking.too_far"
    DISPUTE_RULING_NOT_ALLOWED = "dispute.ruling_not_allowed"
    DISPUTE_ALREADY_OPEN = "dispute.already_open"
    DISPUTE_TAKEN = "dispute.taken"
    FORBIDDEN_NOT_ASKED = "forbidden.not_asked"
    SERIES_NEEDS_ANSWER = "series.needs_answer"
    SERIES_NOT_FOUND = "not_found.series"
    PASS_NOT_FOUND = "not_found.pass"
    PASS_NOT_OFFERED = "pass.not_offered"
    LEDGER_UNBALANCED = "ledger.unbalanced"
    OPERATOR_INVITATION = "operator.invitation"
    OPERATOR_SELF = "operator.self"
    OPERATOR_NOT_FOUND = "not_found.operator"


class DomainError(Exception):
    """Base of every rule the domain refuses. ``code`` is stable and never shown raw to a person."""

    code: ErrorCode = ErrorCode.DOMAIN_ERROR

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message or self.code)
        self.details = details


class InvalidInput(DomainError):
    code = ErrorCode.INPUT_INVALID


class InvalidPrice(InvalidInput):
    code = ErrorCode.INPUT_PRICE


class InvalidLocation(InvalidInput):
    code = ErrorCode.INPUT_LOCATION


class InvalidWindow(InvalidInput):
    code = ErrorCode.INPUT_WINDOW


class AvailabilityNotUnderstood(InvalidInput):
    """Free text that does not read as hours; the person gets examples, never a guess."""

    code = ErrorCode.INPUT_AVAILABILITY


class WindowInPast(InvalidWindow):
    code = ErrorCode.INPUT_WINDOW_PAST


class WindowTooFarAhead(InvalidWindow):
    """The window ends after the bookable horizon (``core.free_time.horizon``)."""

    code = ErrorCode.INPUT_WINDOW_TOO_FAR


class InvalidCurrency(InvalidInput):
    code = ErrorCode.INPUT_CURRENCY


class InvalidLanguage(InvalidInput):
    code = ErrorCode.INPUT_LANGUAGE


class AddressNotFound(InvalidInput):
    code = ErrorCode.INPUT_ADDRESS


class GeocoderUnavailable(DomainError):
    """No geocoder answered; the person can share a location instead."""

    code = ErrorCode.GEOCODER_UNAVAILABLE


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class PersonNotFound(NotFound):
    code = ErrorCode.NOT_FOUND_PERSON


class SpotNotFound(NotFound):
    code = ErrorCode.NOT_FOUND_SPOT


class BookingNotFound(NotFound):
    code = ErrorCode.NOT_FOUND_BOOKING


class SeriesNotFound(NotFound):
    code = ErrorCode.SERIES_NOT_FOUND


class PassNotFound(NotFound):
    code = ErrorCode.PASS_NOT_FOUND


class PassNotOffered(DomainError):
    """The spot is not offered by the month, or the driver holds a pass there already."""

    code = ErrorCode.PASS_NOT_OFFERED


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class PersonBanned(Forbidden):
    code = ErrorCode.FORBIDDEN_BANNED


class SpotNotBookable(DomainError):
    code = ErrorCode.SPOT_NOT_BOOKABLE


class SpotHasBookings(DomainError):
    """A spot with bookings still to come cannot be withdrawn."""

    code = ErrorCode.SPOT_HAS_BOOKINGS


class OwnSpot(DomainError):
    code = ErrorCode.SPOT_OWN


class WindowUnavailable(DomainError):
    """The spot is not offered for the whole requested window."""

    code = ErrorCode.BOOKING_UNAVAILABLE


class SeriesNeedsAnswer(DomainError):
    """The spot's owner answers each booking, so its time cannot be booked week after week."""

    code = ErrorCode.SERIES_NEEDS_ANSWER


class RequirementsNotMet(DomainError):
    """The driver falls short of what the spot's owner asks of drivers."""

    code = ErrorCode.SPOT_REQUIREMENTS

    def __init__(self, message: str, shortfalls: list[Shortfall]) -> None:
        super().__init__(message)
        self.shortfalls = shortfalls


class NotInTheGroup(DomainError):
    """The spot is offered to a neighbourhood group the person is not in (or that is off)."""

    code = ErrorCode.SPOT_GROUP_ONLY


class OnlyForTheGroup(NotInTheGroup):
    """The spot is offered to the members of a neighbourhood group alone."""

    code = ErrorCode.SPOT_GROUP_MEMBERS


class WindowTaken(DomainError):
    """Someone else holds an overlapping booking."""

    code = ErrorCode.BOOKING_WINDOW_TAKEN


class StaleBooking(DomainError):
    """The booking moved on since the button or message the person acted on."""

    code = ErrorCode.BOOKING_STALE


class BookingTooLong(InvalidWindow):
    code = ErrorCode.INPUT_WINDOW_TOO_LONG


class BookingNotExtendable(DomainError):
    """Only a confirmed or active stay can be extended."""

    code = ErrorCode.BOOKING_NOT_EXTENDABLE


class BookingNotCancellable(DomainError):
    """A stay under way, over, or already cancelled cannot be cancelled."""

    code = ErrorCode.BOOKING_NOT_CANCELLABLE


class BookingNotPayable(DomainError):
    """The booking no longer waits for payment (paid, expired or cancelled)."""

    code = ErrorCode.BOOKING_NOT_PAYABLE


class PaymentMismatch(DomainError):
    """What the payment says does not match the booking (amount, currency, payload)."""

    code = ErrorCode.PAYMENT_MISMATCH


class NotTheOwner(Forbidden):
    """Only the spot's owner may answer for it."""

    code = ErrorCode.FORBIDDEN_NOT_OWNER


class InvitationNotValid(DomainError):
    """An operator's invitation that was taken, withdrawn or is too old."""

    code = ErrorCode.OPERATOR_INVITATION


class OwnInvitation(DomainError):
    """An owner opened their own invitation: an operator is another person."""

    code = ErrorCode.OPERATOR_SELF


class OperatorshipNotFound(NotFound):
    code = ErrorCode.OPERATOR_NOT_FOUND


class IllegalTransition(DomainError):
    code = ErrorCode.BOOKING_ILLEGAL_TRANSITION


class IllegalSpotTransition(DomainError):
    code = ErrorCode.SPOT_ILLEGAL_TRANSITION


class RelayClosed(DomainError):
    """The booking is too far over (or never was on) for its two sides to write to each other."""

    code = ErrorCode.RELAY_CLOSED


class RatingNotAllowed(DomainError):
    """Only a completed stay can be rated."""

    code = ErrorCode.RATING_NOT_COMPLETED


class AlreadyRated(DomainError):
    code = ErrorCode.RATING_ALREADY


class BookingNotDisputable(DomainError):
    """A problem can be reported on a confirmed or current stay, or within an hour after it."""

    code = ErrorCode.DISPUTE_NOT_DISPUTABLE


class TooEarlyToReport(BookingNotDisputable):
    """A spot can only be found occupied once the driver could be there; ``reportable_from``
    is the moment it can be reported (also in ``details``)."""

    code = ErrorCode.DISPUTE_TOO_EARLY

    def __init__(self, booking_id: int, *, reportable_from: datetime) -> None:
        super().__init__(str(booking_id), reportable_from=reportable_from)
        self.reportable_from = reportable_from


class CheckInNotNow(DomainError):
    """A driver checks in from shortly before their stay until it ends."""

    code = ErrorCode.STAY_CHECK_IN_NOT_NOW


class AlreadyAnswered(DomainError):
    code = ErrorCode.STAY_ALREADY_ANSWERED


class LeavingNotNow(DomainError):
    """A driver says they have left from the start of their stay until shortly after its end."""

    code = ErrorCode.STAY_LEAVING_NOT_NOW


class StayNotOver(DomainError):
    """A car still at the spot before the stay's end is no overstay: the driver may stay."""

    code = ErrorCode.STAY_NOT_OVER


class RebookingNotOpen(DomainError):
    """Only a stay its driver reported occupied, with its money still held, can be moved to
    another spot or refunded at once; and only once."""

    code = ErrorCode.REBOOKING_NOT_OPEN


class RebookingTooDear(DomainError):
    """The other spot costs more than what was paid and what the platform covers."""

    code = ErrorCode.REBOOKING_TOO_DEAR


class RebookingTooFar(DomainError):
    """A stay moves only to a spot near the one found occupied."""

    code = ErrorCode.REBOOKING_TOO_FAR


class RulingNotAllowed(DomainError):
    """A chargeback's money is already back with the card holder: it can only be released."""

    code = ErrorCode.DISPUTE_RULING_NOT_ALLOWED


class DisputeAlreadyOpen(DomainError):
    code = ErrorCode.DISPUTE_ALREADY_OPEN


class DisputeTaken(DomainError):
    """Another manager claimed or decided the dispute first; the dispute says who."""

    code = ErrorCode.DISPUTE_TAKEN

    def __init__(self, dispute_id: int) -> None:
        super().__init__(str(dispute_id), dispute_id=dispute_id)
        self.dispute_id = dispute_id


class NotAsked(Forbidden):
    """Only the party a manager asked can answer for a dispute."""

    code = ErrorCode.FORBIDDEN_NOT_ASKED


class UnbalancedTransaction(DomainError):
    code = ErrorCode.LEDGER_UNBALANCED


def all_codes() -> set[str]:
    """Every code a DomainError subclass can carry, so tests can demand a translation for each."""
    codes: set[str] = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        codes.add(cls.code)
        pending.extend(cls.__subclasses__())
    return codes
