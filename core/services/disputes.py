"""Escalations: a party reports a problem with a booking, a manager decides. The booking's
money stays in escrow (and the owner's payout waits) until the decision, which moves it
through the ledger and writes the credit it costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core import pricing
from core.clock import Clock
from core.credit import CreditEventKind
from core.db.models import (
    Booking,
    Dispute,
    DisputeEvidence,
    DisputeStatus,
    OverstayStatus,
    Person,
    RelayMessage,
)
from core.db.uow import UnitOfWork
from core.errors import (
    BookingNotDisputable,
    DisputeAlreadyOpen,
    DisputeTaken,
    InvalidInput,
    NotAsked,
    NotFound,
    RulingNotAllowed,
    TooEarlyToReport,
)
from core.money import Money
from core.services import bookings, parties, people, relay, settlement
from core.services.parties import Parties, Side
from core.status import BookingStatus


class Problem(StrEnum):
    SPOT_OCCUPIED = "spot_occupied"
    NO_ACCESS = "no_access"
    OVERSTAY = "overstay"
    NO_SHOW = "no_show"
    DAMAGE = "damage"
    PAYMENT = "payment"
    OTHER = "other"
    # Opened by the card's bank through the gateway, not by either side.
    CHARGEBACK = "chargeback"


# What each side can run into.
PROBLEMS_OF: dict[Side, tuple[Problem, ...]] = {
    Side.DRIVER: (
        Problem.SPOT_OCCUPIED, Problem.NO_ACCESS, Problem.DAMAGE, Problem.PAYMENT, Problem.OTHER
    ),
    Side.OWNER: (
        Problem.OVERSTAY, Problem.NO_SHOW, Problem.DAMAGE, Problem.PAYMENT, Problem.OTHER
    ),
}  # fmt: skip
DISPUTABLE = frozenset({BookingStatus.CONFIRMED, BookingStatus.ACTIVE})
# A finished stay can still be disputed once, while the owner's share waits to leave.
DISPUTABLE_AFTER_STAY = settlement.PAYOUT_HOLD
MAX_PHOTOS = 5
MAX_TEXT = 2000
# A driver found to have not come, or to have stayed on, loses credit under that name.
LOST_AS = {Problem.NO_SHOW: CreditEventKind.NO_SHOW, Problem.OVERSTAY: CreditEventKind.OVERSTAY}
# An owner whose spot was occupied let the driver down as a late cancellation does.
OWNER_LOST_AS = {Problem.SPOT_OCCUPIED: CreditEventKind.OWNER_CANCELLED_LATE}
# What a manager's penalty costs, on top of any dispute lost.
PENALTY_POINTS = 100
# A spot can be found occupied only once the driver could be arriving: a quarter of an hour is
# how early a driver typically turns up, while before it the car there may still leave in time
# and the owner has nothing to answer for yet.
OCCUPIED_REPORT_LEAD = timedelta(minutes=15)
# The notice a stay's driver got when the car before theirs was reported still there.
SPOT_NOT_FREE_NOTICE = "spot_not_free"
# The notice of a driver's arrival: checked in, or their live location at the spot.
ARRIVED_NOTICE = "arrived"


class Ruling(StrEnum):
    REFUND = "refund"  # everything back to the driver
    PARTIAL = "partial"  # part back to the driver, the rest to the owner
    SPLIT = "split"  # half and half
    RELEASE = "release"  # everything to the owner


# How much of what was paid goes back to the driver; a partial refund names its own share.
REFUND_PERCENT = {Ruling.REFUND: 100, Ruling.SPLIT: 50, Ruling.RELEASE: 0}


@dataclass(frozen=True, slots=True)
class Case:
    """Everything a manager needs in front of them to decide."""

    dispute: Dispute
    parties: Parties
    evidence: list[DisputeEvidence]
    transcript: list[RelayMessage]
    paid: Money
    manager: Person | None
    # When the driver checked in, or their live location put them at the spot: their presence.
    driver_arrived_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Division:
    """Where a ruling sends the money at stake: back to the driver, to the owner, and the
    platform's commission on what the owner keeps."""

    refund: Money
    owner_share: Money
    commission: Money


@dataclass(frozen=True, slots=True)
class Proposal:
    """A money ruling not made yet: what it would divide, for the manager to confirm."""

    case: Case
    ruling: Ruling
    percent: int
    division: Division


@dataclass(frozen=True, slots=True)
class Decision:
    case: Case
    ruling: Ruling
    division: Division
    # What the platform still holds for the booking once the ruling has moved the money.
    still_held: Money

    @property
    def manager(self) -> Person:
        """Who decided: only the manager who took a case can decide it."""
        if self.case.manager is None:
            raise ValueError(f"dispute {self.case.dispute.id} was decided without a manager")
        return self.case.manager

    @property
    def refund(self) -> Money:
        return self.division.refund

    @property
    def owner_share(self) -> Money:
        return self.division.owner_share


async def check_can_report(
    uow: UnitOfWork, clock: Clock, *, booking_id: int, reporter_id: int
) -> Side:
    """The reporter's side of a paid, live booking (or a stay just over) with no dispute open
    on it yet."""
    found = await parties.of_booking(uow, booking_id)
    side = found.side_of(reporter_id)
    await people.get_active(uow, reporter_id)
    if await uow.trust.unresolved_dispute_of(booking_id) is not None:
        raise DisputeAlreadyOpen(str(booking_id))
    if not await _disputable(uow, clock, found.booking):
        raise BookingNotDisputable(str(booking_id))
    return side


def reportable_from(booking: Booking, problem: Problem) -> datetime | None:
    """The earliest moment this problem can be reported on the booking, if it has one."""
    if problem == Problem.SPOT_OCCUPIED:
        return booking.start_at - OCCUPIED_REPORT_LEAD
    return None


async def check_problem_timing(
    uow: UnitOfWork, booking: Booking, problem: Problem, now: datetime
) -> None:
    """Too early is too early, unless the driver was told the car before them is still there:
    then they need not set off to find another spot."""
    if problem == Problem.SPOT_OCCUPIED and now >= booking.end_at:
        # Found occupied once the stay is over, it was never missed: no such report.
        raise BookingNotDisputable(str(booking.id))
    earliest = reportable_from(booking, problem)
    if earliest is None or now >= earliest:
        return
    if problem == Problem.SPOT_OCCUPIED and await uow.bookings.has_notice(
        booking.id, SPOT_NOT_FREE_NOTICE
    ):
        return
    raise TooEarlyToReport(booking.id, reportable_from=earliest)


async def _disputable(uow: UnitOfWork, clock: Clock, booking: Booking) -> bool:
    if booking.status in DISPUTABLE:
        return True
    return booking.id in await still_reportable_after_stay(uow, clock, [booking])


async def still_reportable_after_stay(
    uow: UnitOfWork, clock: Clock, stays: list[Booking]
) -> set[int]:
    """Of these bookings, the stays just over that a problem can still be reported on: one
    dispute per stay after it ended."""
    now = clock.now()
    recent = [booking.id for booking in stays if reportable_after_stay(booking, now)]
    return set(recent) - await uow.trust.disputed_among(recent)


def reportable_after_stay(booking: Booking, now: datetime) -> bool:
    return (
        booking.status == BookingStatus.COMPLETED and now <= booking.end_at + DISPUTABLE_AFTER_STAY
    )


async def report(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    reporter_id: int,
    problem: Problem,
    text: str,
    photo_file_ids: list[str],
    owner_answers_within: timedelta | None = None,
) -> Dispute:
    """A party reports a problem: the booking is frozen in dispute until a manager decides. A
    spot reported occupied asks its owner at once: one who says nothing within
    ``owner_answers_within`` concedes it."""
    # Locked first: two reports, or a report and the end of the stay, decide one after another.
    booking = await bookings.locked(uow, booking_id)
    side = await check_can_report(uow, clock, booking_id=booking_id, reporter_id=reporter_id)
    if problem not in PROBLEMS_OF[side]:
        raise InvalidInput(problem)
    await check_problem_timing(uow, booking, problem, clock.now())
    if booking.status != BookingStatus.COMPLETED:
        await bookings.move(uow, clock, booking, BookingStatus.DISPUTED)
    now = clock.now()
    dispute = Dispute(
        booking_id=booking_id, opened_by_id=reporter_id, kind=problem,
        description=text.strip()[:MAX_TEXT], status=DisputeStatus.OPEN, created_at=now,
    )  # fmt: skip
    if problem == Problem.SPOT_OCCUPIED and owner_answers_within is not None:
        dispute.asked_person_id = (await parties.of_booking(uow, booking_id)).owner.id
        dispute.answer_by = now + owner_answers_within
    uow.trust.add(dispute)
    await uow.trust.flush()
    for file_id in photo_file_ids[:MAX_PHOTOS]:
        uow.trust.add(
            DisputeEvidence(
                dispute_id=dispute.id, person_id=reporter_id, text="", telegram_file_id=file_id,
                created_at=now,
            )
        )  # fmt: skip
    await uow.trust.flush()
    return dispute


async def open_dispute(
    uow: UnitOfWork,
    clock: Clock,
    *,
    booking_id: int,
    kind: str,
    description: str = "",
    opened_by_id: int | None = None,
) -> Dispute:
    """A dispute opened from outside the chat (a gateway's chargeback): on record for the
    managers, and the owner's payout for the booking waits while it is open."""
    dispute = Dispute(
        booking_id=booking_id, opened_by_id=opened_by_id, kind=kind,
        description=description[:MAX_TEXT], status=DisputeStatus.OPEN, created_at=clock.now(),
    )  # fmt: skip
    uow.trust.add(dispute)
    await uow.trust.flush()
    return dispute


async def get(uow: UnitOfWork, dispute_id: int, *, for_update: bool = False) -> Dispute:
    dispute = await uow.trust.dispute(dispute_id, for_update=for_update)
    if dispute is None:
        raise NotFound(f"dispute {dispute_id}")
    return dispute


async def case(uow: UnitOfWork, dispute_id: int) -> Case:
    dispute = await get(uow, dispute_id)
    found = await parties.of_booking(uow, dispute.booking_id)
    return Case(
        dispute=dispute, parties=found, evidence=await uow.trust.evidence(dispute.id),
        transcript=await relay.transcript(uow, dispute.booking_id),
        paid=await _at_stake(uow, found.booking),
        manager=await people.get(uow, dispute.manager_id) if dispute.manager_id else None,
        driver_arrived_at=await uow.bookings.notice_sent_at(found.booking.id, ARRIVED_NOTICE),
    )  # fmt: skip


async def _at_stake(uow: UnitOfWork, booking: Booking) -> Money:
    """What a ruling can divide: escrow while the stay is live; once it is settled, the whole
    price, because the owner's share waits for the ruling before it leaves."""
    if booking.status == BookingStatus.COMPLETED:
        return booking.price
    held = await uow.ledger.escrow_of_booking(booking.id)
    return Money(held.get(booking.currency, 0), booking.currency)


async def open_cases(uow: UnitOfWork, *, limit: int = 20) -> list[Case]:
    return [await case(uow, d.id) for d in await uow.trust.unresolved_disputes(limit=limit)]


async def claim(uow: UnitOfWork, *, dispute_id: int, manager_id: int) -> Dispute:
    """The first manager to act takes the dispute; to anyone else it is taken."""
    dispute = await get(uow, dispute_id, for_update=True)
    if dispute.status == DisputeStatus.RESOLVED or (
        dispute.manager_id is not None and dispute.manager_id != manager_id
    ):
        raise DisputeTaken(dispute_id)
    dispute.status = DisputeStatus.CLAIMED
    dispute.manager_id = manager_id
    return dispute


def _checked_percent(dispute: Dispute, ruling: Ruling, refund_percent: int) -> int:
    percent = REFUND_PERCENT.get(ruling, refund_percent)
    if ruling == Ruling.PARTIAL and not 0 < percent < 100:
        raise InvalidInput(f"refund {percent}%")
    if Problem(dispute.kind) == Problem.CHARGEBACK and ruling != Ruling.RELEASE:
        # The bank has already taken the money back; a refund would pay it out twice.
        raise RulingNotAllowed(dispute.kind)
    return percent


async def _division(uow: UnitOfWork, at_stake: Case, percent: int) -> Division:
    """The one reckoning of a ruling: shown to the manager before, carried out by ``decide``."""
    booking, paid = at_stake.parties.booking, at_stake.paid
    refund = Money(paid.minor * percent // 100, paid.currency)
    if booking.status == BookingStatus.COMPLETED:
        left = await settlement.refundable_after_stay(uow, booking)
        refund = Money(min(refund.minor, left.minor), refund.currency)
    kept = paid - refund
    commission = settlement.commission_on(booking, kept)
    return Division(
        refund=refund, owner_share=pricing.owner_share(kept, commission), commission=commission
    )


async def propose(
    uow: UnitOfWork, *, dispute_id: int, manager_id: int, ruling: Ruling, refund_percent: int = 0
) -> Proposal:
    """What a ruling would do, without doing it: the manager confirms it with a second tap."""
    dispute = await get(uow, dispute_id)
    if dispute.status == DisputeStatus.RESOLVED or dispute.manager_id not in (None, manager_id):
        raise DisputeTaken(dispute_id)
    percent = _checked_percent(dispute, ruling, refund_percent)
    at_stake = await case(uow, dispute_id)
    return Proposal(at_stake, ruling, percent, await _division(uow, at_stake, percent))


async def decide(
    uow: UnitOfWork,
    clock: Clock,
    *,
    dispute_id: int,
    manager_id: int,
    ruling: Ruling,
    refund_percent: int = 0,
) -> Decision:
    """Final: the money moves, the booking ends, and whoever lost pays in credit."""
    # The booking first, as every other writer of its money takes it (the bank's chargeback,
    # a lapsed hold, the stay's end): the division below is read under it, so what the bank
    # took meanwhile is not refunded again.
    await bookings.locked(uow, (await get(uow, dispute_id)).booking_id)
    dispute = await claim(uow, dispute_id=dispute_id, manager_id=manager_id)
    percent = _checked_percent(dispute, ruling, refund_percent)
    problem = Problem(dispute.kind)
    # The case holds the same rows this ruling changes, so it reads as decided afterwards.
    decided = await case(uow, dispute_id)
    booking = decided.parties.booking
    division = await _division(uow, decided, percent)
    if problem != Problem.CHARGEBACK:
        await _move_money(uow, clock, booking, ruling, division.refund)
    loser = {Ruling.REFUND: decided.parties.owner, Ruling.RELEASE: decided.parties.driver}.get(
        ruling
    )
    if loser is not None:
        await people.change_credit(
            uow, clock, loser.id, booking_id=booking.id,
            kind=(LOST_AS if loser is decided.parties.driver else OWNER_LOST_AS).get(
                problem, CreditEventKind.DISPUTE_LOST
            ),
        )  # fmt: skip
    _resolve(dispute, clock, f"{ruling}:{percent}")
    if problem == Problem.OVERSTAY:
        await _stop_billing(uow, clock, booking.id)
    held = await uow.ledger.escrow_of_booking(booking.id)
    return Decision(
        decided, ruling, division, Money(held.get(booking.currency, 0), booking.currency)
    )


async def _stop_billing(uow: UnitOfWork, clock: Clock, booking_id: int) -> None:
    """A manager's ruling on a car still there settles it: time past the end stops counting."""
    overstay = await uow.bookings.overstay_of(booking_id)
    if overstay is not None and overstay.status == OverstayStatus.OPEN:
        overstay.left_at = clock.now()
        overstay.move_to(OverstayStatus.WAIVED, clock.now())


def _resolve(dispute: Dispute, clock: Clock, resolution: str) -> None:
    dispute.status = DisputeStatus.RESOLVED
    dispute.resolution = resolution
    dispute.resolved_at = clock.now()
    dispute.asked_person_id = None
    dispute.answer_by = None


class Conceded(StrEnum):
    """How an owner lost a report that their spot was occupied without a manager's ruling."""

    SAID_SO = "owner_conceded"
    SAID_NOTHING = "owner_silent"


@dataclass(frozen=True, slots=True)
class Concession:
    case: Case
    how: Conceded
    refund: Money


async def concede_occupied(
    uow: UnitOfWork, clock: Clock, *, dispute_id: int, owner_id: int | None, how: Conceded
) -> Concession:
    """The owner agrees their spot was occupied (``owner_id``), or said nothing in time (None):
    what is still held goes back to the driver, the booking is cancelled, and the owner loses
    credit as for a late cancellation. ``NotAsked`` once they have answered otherwise, a
    manager has taken the case, or it is decided."""
    await bookings.locked(uow, (await get(uow, dispute_id)).booking_id)
    dispute = await get(uow, dispute_id, for_update=True)
    found = await parties.of_booking(uow, dispute.booking_id)
    now = clock.now()
    if (
        Problem(dispute.kind) != Problem.SPOT_OCCUPIED
        or dispute.status != DisputeStatus.OPEN
        or dispute.answer_by is None
        or dispute.asked_person_id != found.owner.id
        or (owner_id is not None and owner_id != found.owner.id)
        or (owner_id is None and now < dispute.answer_by)
    ):
        raise NotAsked(str(dispute_id))
    held = await _at_stake(uow, found.booking)
    await _move_money(uow, clock, found.booking, Ruling.REFUND, held)
    await people.change_credit(
        uow, clock, found.owner.id, booking_id=found.booking.id,
        kind=OWNER_LOST_AS[Problem.SPOT_OCCUPIED],
    )  # fmt: skip
    _resolve(dispute, clock, how.value)
    return Concession(await case(uow, dispute_id), how, held)


async def settle_overstay_report(uow: UnitOfWork, clock: Clock, booking_id: int) -> None:
    """The driver paid for staying on: the owner's report of the car still there is settled,
    unless a manager has taken it."""
    report = await uow.trust.unresolved_dispute_of(booking_id)
    if (
        report is not None
        and Problem(report.kind) == Problem.OVERSTAY
        and report.status == DisputeStatus.OPEN
    ):
        _resolve(report, clock, "overstay_paid")


async def occupied_reports_unanswered(
    uow: UnitOfWork, clock: Clock, *, limit: int = 50
) -> list[int]:
    """Reports of an occupied spot whose owner has said nothing in time, no manager acting."""
    return await uow.trust.unanswered_by(clock.now(), Problem.SPOT_OCCUPIED.value, limit=limit)


async def _move_money(
    uow: UnitOfWork, clock: Clock, booking: Booking, ruling: Ruling, refund: Money
) -> None:
    if booking.status == BookingStatus.COMPLETED:
        await settlement.settle_ruling_after_stay(uow, clock, booking, refund=refund)
        return
    ended = BookingStatus.CANCELLED if ruling == Ruling.REFUND else BookingStatus.COMPLETED
    await bookings.transition(uow, clock, booking.id, ended)
    if ruling == Ruling.RELEASE:
        await settlement.settle_completed(uow, clock, booking)
    else:
        await settlement.settle_ruling(uow, clock, booking, refund=refund)


async def penalise(
    uow: UnitOfWork, clock: Clock, *, dispute_id: int, manager_id: int, side: Side
) -> Person:
    dispute = await claim(uow, dispute_id=dispute_id, manager_id=manager_id)
    found = await parties.of_booking(uow, dispute.booking_id)
    return await people.change_credit(
        uow, clock, found.person(side).id, kind=CreditEventKind.MANAGER_PENALTY,
        booking_id=dispute.booking_id, note=f"dispute {dispute.id}",
        manager_points=PENALTY_POINTS,
    )  # fmt: skip


async def ban_party(
    uow: UnitOfWork, clock: Clock, *, dispute_id: int, manager_id: int, side: Side, reason: str
) -> Person:
    dispute = await claim(uow, dispute_id=dispute_id, manager_id=manager_id)
    found = await parties.of_booking(uow, dispute.booking_id)
    return await people.ban(uow, clock, found.person(side).id, reason)


async def ask(uow: UnitOfWork, *, dispute_id: int, manager_id: int, side: Side) -> Person:
    """A manager asks one party for more; that party's next answer joins the evidence."""
    dispute = await claim(uow, dispute_id=dispute_id, manager_id=manager_id)
    person = (await parties.of_booking(uow, dispute.booking_id)).person(side)
    dispute.asked_person_id = person.id
    return person


async def answer(
    uow: UnitOfWork,
    clock: Clock,
    *,
    dispute_id: int,
    person_id: int,
    text: str = "",
    file_id: str | None = None,
) -> Dispute:
    """The asked party's answer, kept with the dispute for the manager."""
    # Locked: the owner's answer and the clock that concedes for a silent owner take turns.
    dispute = await get(uow, dispute_id, for_update=True)
    if dispute.asked_person_id != person_id or dispute.status == DisputeStatus.RESOLVED:
        raise NotAsked(str(dispute_id))
    uow.trust.add(
        DisputeEvidence(
            dispute_id=dispute.id, person_id=person_id, text=text.strip()[:MAX_TEXT],
            telegram_file_id=file_id, created_at=clock.now(),
        )
    )  # fmt: skip
    # An owner who answers contests the report: a manager decides, not the clock.
    dispute.answer_by = None
    await uow.trust.flush()
    return dispute
