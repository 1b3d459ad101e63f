"""Domain errors carry a stable code; the bot translates each code into the user's language."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule the domain refuses. ``code`` is stable and never shown raw to a person."""

    code: str = "domain.error"

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message or self.code)
        self.details = details


class InvalidInput(DomainError):
    code = "input.invalid"


class InvalidPrice(InvalidInput):
    code = "input.price"


class InvalidLocation(InvalidInput):
    code = "input.location"


class InvalidWindow(InvalidInput):
    code = "input.window"


class AvailabilityNotUnderstood(InvalidInput):
    """Free text that does not read as hours; the person gets examples, never a guess."""

    code = "input.availability"


class WindowInPast(InvalidWindow):
    code = "input.window_past"


class InvalidCurrency(InvalidInput):
    code = "input.currency"


class InvalidLanguage(InvalidInput):
    code = "input.language"


class AddressNotFound(InvalidInput):
    code = "input.address"


class GeocoderUnavailable(DomainError):
    """No geocoder answered; the person can share a location instead."""

    code = "geocoder.unavailable"


class NotFound(DomainError):
    code = "not_found"


class PersonNotFound(NotFound):
    code = "not_found.person"


class SpotNotFound(NotFound):
    code = "not_found.spot"


class BookingNotFound(NotFound):
    code = "not_found.booking"


class Forbidden(DomainError):
    code = "forbidden"


class PersonBanned(Forbidden):
    code = "forbidden.banned"


class SpotNotBookable(DomainError):
    code = "spot.not_bookable"


class SpotHasBookings(DomainError):
    """A spot with bookings still to come cannot be withdrawn."""

    code = "spot.has_bookings"


class OwnSpot(DomainError):
    code = "spot.own"


class WindowUnavailable(DomainError):
    """The spot is not offered for the whole requested window."""

    code = "booking.unavailable"


class WindowTaken(DomainError):
    """Someone else holds an overlapping booking."""

    code = "booking.window_taken"


class StaleBooking(DomainError):
    """The booking moved on since the button or message the person acted on."""

    code = "booking.stale"


class BookingTooLong(InvalidWindow):
    code = "input.window_too_long"


class BookingNotExtendable(DomainError):
    """Only a confirmed or active stay can be extended."""

    code = "booking.not_extendable"


class BookingNotCancellable(DomainError):
    """A stay under way, over, or already cancelled cannot be cancelled."""

    code = "booking.not_cancellable"


class BookingNotPayable(DomainError):
    """The booking no longer waits for payment (paid, expired or cancelled)."""

    code = "booking.not_payable"


class PaymentMismatch(DomainError):
    """What the payment says does not match the booking (amount, currency, payload)."""

    code = "payment.mismatch"


class NotTheOwner(Forbidden):
    """Only the spot's owner may answer for it."""

    code = "forbidden.not_owner"


class IllegalTransition(DomainError):
    code = "booking.illegal_transition"


class IllegalSpotTransition(DomainError):
    code = "spot.illegal_transition"


class RelayClosed(DomainError):
    """The booking is too far over (or never was on) for its two sides to write to each other."""

    code = "relay.closed"


class RatingNotAllowed(DomainError):
    """Only a completed stay can be rated."""

    code = "rating.not_completed"


class AlreadyRated(DomainError):
    code = "rating.already"


class BookingNotDisputable(DomainError):
    """A problem can be reported on a confirmed or current stay, or within an hour after it."""

    code = "dispute.not_disputable"


class TooEarlyToReport(BookingNotDisputable):
    """A spot can only be found occupied once the driver could be there; ``details`` carry
    ``reportable_from``, the moment it can be reported."""

    code = "dispute.too_early"


class CheckInNotNow(DomainError):
    """A driver checks in from shortly before their stay until it ends."""

    code = "stay.check_in_not_now"


class AlreadyAnswered(DomainError):
    code = "stay.already_answered"


class RulingNotAllowed(DomainError):
    """A chargeback's money is already back with the card holder: it can only be released."""

    code = "dispute.ruling_not_allowed"


class DisputeAlreadyOpen(DomainError):
    code = "dispute.already_open"


class DisputeTaken(DomainError):
    """Another manager claimed or decided the dispute first; ``details`` say who."""

    code = "dispute.taken"


class NotAsked(Forbidden):
    """Only the party a manager asked can answer for a dispute."""

    code = "forbidden.not_asked"


class UnbalancedTransaction(DomainError):
    code = "ledger.unbalanced"


def all_codes() -> set[str]:
    """Every code a DomainError subclass can carry, so tests can demand a translation for each."""
    codes: set[str] = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        codes.add(cls.code)
        pending.extend(cls.__subclasses__())
    return codes
