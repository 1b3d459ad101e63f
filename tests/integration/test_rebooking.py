"""A stay moved from an occupied spot: the money paid moves with it, the platform covers a
dearer spot up to its cap, a cheaper one sends the difference back, and the owner who let the
driver down answers for it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.credit import RULES, CreditEventKind
from core.db.models import Dispute, Payment, Refund
from core.errors import (
    BookingNotDisputable,
    BookingNotFound,
    NotAsked,
    RebookingNotOpen,
    RebookingTooDear,
    RebookingTooFar,
)
from core.geo import GeoPoint
from core.money import Money
from core.services import (
    booking_payments,
    chargebacks,
    disputes,
    ledger,
    profit,
    rebooking,
    settlement,
    spots,
)
from core.services.disputes import Conceded, Problem
from core.services.ledger import ESCROW, PLATFORM_SUBSIDY, moving_account
from core.status import BookingStatus, SpotStatus
from tests.integration import test_settlement
from tests.integration.builders import a_person, a_stay, an_approved_spot
from tests.integration.test_settlement import balances, pay, stay_through

owner = test_settlement.owner
booking = test_settlement.booking

COVER_PERCENT = 50
ANSWER_WITHIN = timedelta(hours=1)


async def _reported_occupied(db, clock, booking):
    """The stay has begun and its driver reports the spot occupied (6.00 paid, 12:00-14:00)."""
    clock.current = booking.start_at + timedelta(minutes=5)
    async with db.unit_of_work() as uow:
        return await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=booking.driver_id,
            problem=Problem.SPOT_OCCUPIED, text="A red car", photo_file_ids=["photo"],
            owner_answers_within=ANSWER_WITHIN,
        )  # fmt: skip


async def _other_spot(db, clock, hourly_minor):
    pia = await a_person(db, clock, "Pia")
    return await an_approved_spot(db, clock, pia, hourly_minor=hourly_minor)


async def _move(db, clock, booking, spot, cover_percent=COVER_PERCENT):
    async with db.unit_of_work() as uow:
        return await rebooking.move(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id, spot_id=spot.id,
            cover_percent=cover_percent, commission_basis_points=1500,
        )  # fmt: skip


# At 12:05 the rest of the window is 115 of its 120 minutes: 5.75 of the 6.00 paid moves (the
# 0.25 for the minutes gone stays held for the owner's side), and the platform covers up to
# half of it, 2.87.
@pytest.mark.parametrize(
    ("hourly_minor", "price", "moved", "covered", "refunded"),
    [
        (300, 575, 575, 0, 0),  # the same rate
        (200, 383, 383, 0, 192),  # cheaper: the difference back
        (350, 671, 575, 96, 0),  # dearer: the platform covers it
        (449, 861, 575, 286, 0),  # just within the cap
    ],
)
async def test_the_money_paid_moves_with_the_stay(
    db, clock, booking, hourly_minor, price, moved, covered, refunded
):
    await pay(db, clock, booking)
    await _reported_occupied(db, clock, booking)
    other = await _other_spot(db, clock, hourly_minor)
    done = await _move(db, clock, booking, other)
    assert (done.booking.price.minor, done.moved.minor) == (price, moved)
    assert (done.covered.minor, done.refunded.minor) == (covered, refunded)
    assert done.booking.status == BookingStatus.CONFIRMED
    assert done.booking.start_at == clock.now().replace(second=0, microsecond=0)
    assert done.booking.end_at == booking.end_at
    assert done.booking.rebooked_from_id == booking.id
    async with db.reading() as uow:
        assert await uow.ledger.escrow_of_booking(booking.id) == {"EUR": 25}
        assert await uow.ledger.escrow_of_booking(done.booking.id) == {"EUR": price}
        assert not await uow.payments.of_booking(done.booking.id)  # no second payment
    assert await balances(db, PLATFORM_SUBSIDY, moving_account(booking.id)) == [-covered, 0]


async def test_a_spot_past_the_cap_is_refused_and_nothing_is_written(db, clock, booking):
    await pay(db, clock, booking)
    await _reported_occupied(db, clock, booking)
    other = await _other_spot(db, clock, 450)  # 8.63 for the rest: a cent past 5.75 + 2.87
    with pytest.raises(RebookingTooDear):
        await _move(db, clock, booking, other)
    async with db.reading() as uow:
        assert await uow.bookings.rebooked_among([booking.id]) == set()
        assert await uow.ledger.escrow_of_booking(booking.id) == {"EUR": 600}
    with pytest.raises(RebookingTooDear):
        await _move(db, clock, booking, other, cover_percent=0)  # no cover: 6.00 at most
    assert (await _move(db, clock, booking, other, cover_percent=51)).covered.minor == 288


async def test_a_stay_moves_once_and_only_its_driver_moves_it(db, clock, booking, owner):
    await pay(db, clock, booking)
    other = await _other_spot(db, clock, 300)
    with pytest.raises(RebookingNotOpen):  # not reported occupied
        await _move(db, clock, booking, other)
    await _reported_occupied(db, clock, booking)
    async with db.unit_of_work() as uow:
        with pytest.raises(BookingNotFound):
            await rebooking.move(
                uow, clock, booking_id=booking.id, driver_id=owner.id, spot_id=other.id,
                cover_percent=COVER_PERCENT, commission_basis_points=1500,
            )  # fmt: skip
    await _move(db, clock, booking, other)
    third = await _other_spot(db, clock, 300)
    with pytest.raises(RebookingNotOpen):
        await _move(db, clock, booking, third)
    async with db.unit_of_work() as uow:
        with pytest.raises(RebookingNotOpen):
            await rebooking.refund_at_once(
                uow, clock, booking_id=booking.id, driver_id=booking.driver_id
            )


async def test_nowhere_to_go_refunds_everything_at_once(db, clock, booking):
    await pay(db, clock, booking)
    await _reported_occupied(db, clock, booking)
    async with db.unit_of_work() as uow:
        refunded = await rebooking.refund_at_once(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id
        )
    assert refunded == Money(575, "EUR")  # the time left; the 5 minutes gone stay held
    async with db.reading() as uow:
        (refund,) = await uow.session.scalars(select(Refund))
        assert (await uow.bookings.get(booking.id)).status == BookingStatus.DISPUTED
    assert (refund.amount.minor, refund.reason) == (575, "occupied")


async def test_the_platform_s_cover_goes_back_to_it_not_to_the_driver(db, clock, booking):
    """The moved stay's spot turns out occupied too: the driver gets back what they paid,
    and the platform what it covered."""
    await pay(db, clock, booking)
    await _reported_occupied(db, clock, booking)
    moved = await _move(db, clock, booking, await _other_spot(db, clock, 350))
    async with db.unit_of_work() as uow:
        await disputes.report(
            uow, clock, booking_id=moved.booking.id, reporter_id=booking.driver_id,
            problem=Problem.NO_ACCESS, text="Locked", photo_file_ids=[],
        )  # fmt: skip
    manager = await a_person(db, clock, "Maria")
    async with db.reading() as uow:
        (dispute,) = await uow.session.scalars(
            select(Dispute).where(Dispute.booking_id == moved.booking.id)
        )
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id,
            ruling=disputes.Ruling.REFUND,
        )  # fmt: skip
    async with db.reading() as uow:
        refunds = list(await uow.session.scalars(select(Refund).order_by(Refund.id)))
    # what moved in goes back to the driver, the platform's cover to the platform
    assert [(r.booking_id, r.amount.minor) for r in refunds] == [(moved.booking.id, 575)]
    assert await balances(db, PLATFORM_SUBSIDY, ESCROW) == [0, 25]  # 0.25 held for the report


async def test_a_moved_stay_pays_its_new_owner_and_the_report_shows_the_cover(db, clock, booking):
    await pay(db, clock, booking)
    await _reported_occupied(db, clock, booking)
    since = clock.now()
    moved = await _move(db, clock, booking, await _other_spot(db, clock, 350))
    await stay_through(db, clock, moved.booking)
    async with db.reading() as uow:
        assert (await uow.bookings.get(moved.booking.id)).status == BookingStatus.COMPLETED
        pia_id = (await spots.get(uow, moved.booking.spot_id)).owner_id
        owed = await ledger.balance(uow, ledger.owner_payable_account(pia_id), "EUR")
        report = await profit.report(uow, since=since, until=clock.now())
    assert owed.minor == 671 - moved.booking.commission.minor
    assert report.covered == [Money(96, "EUR")]
    assert report.gross == []  # the money came in before, once


async def test_a_held_card_payment_is_taken_once_its_stay_moved(db, clock):
    stay = await a_stay(db, clock, start_in=timedelta(hours=1))
    async with db.unit_of_work() as uow:
        await booking_payments.record_payment(
            uow, clock, gateway="stripe", payload=booking_payments.payload_for(stay.booking),
            driver_id=stay.driver.id, amount=stay.booking.price, external_id="pi_1",
            provider_charge_id="ch_1", held=True,
        )  # fmt: skip
    await _reported_occupied(db, clock, stay.booking)
    async with db.reading() as uow:
        assert await booking_payments.holds_to_capture(uow, clock) == []
    moved = await _move(db, clock, stay.booking, await _other_spot(db, clock, 350))
    async with db.reading() as uow:
        (payment, held_for), *rest = await booking_payments.holds_to_capture(uow, clock)
        charge = await settlement.charge_paid_out_from(uow, moved.booking.id)
    assert (payment.external_id, held_for.id, rest) == ("pi_1", stay.booking.id, [])
    assert charge == "ch_1"  # the new owner is paid out of the charge that paid


@pytest.mark.parametrize("how", [Conceded.SAID_SO, Conceded.SAID_NOTHING])
async def test_an_owner_who_concedes_or_says_nothing_loses_as_for_a_late_cancellation(
    db, clock, booking, owner, how
):
    await pay(db, clock, booking)
    dispute = await _reported_occupied(db, clock, booking)
    assert dispute.asked_person_id == owner.id
    conceding = owner.id if how == Conceded.SAID_SO else None
    if how == Conceded.SAID_NOTHING:
        async with db.unit_of_work() as uow:
            with pytest.raises(NotAsked):  # not before the time is up
                await disputes.concede_occupied(
                    uow, clock, dispute_id=dispute.id, owner_id=None, how=how
                )
            assert await disputes.occupied_reports_unanswered(uow, clock) == []
        clock.advance(hours=1)
        async with db.reading() as uow:
            assert await disputes.occupied_reports_unanswered(uow, clock) == [dispute.id]
    async with db.unit_of_work() as uow:
        conceded = await disputes.concede_occupied(
            uow, clock, dispute_id=dispute.id, owner_id=conceding, how=how
        )
    assert conceded.refund == Money(600, "EUR")
    async with db.reading() as uow:
        assert (await uow.bookings.get(booking.id)).status == BookingStatus.CANCELLED
        score = (await uow.people.get(owner.id)).credit_score
        settled = await disputes.get(uow, dispute.id)
    assert score == 600 + RULES[CreditEventKind.OWNER_CANCELLED_LATE]
    assert settled.resolution == how.value
    async with db.unit_of_work() as uow:
        with pytest.raises(NotAsked):  # once
            await disputes.concede_occupied(
                uow, clock, dispute_id=dispute.id, owner_id=owner.id, how=Conceded.SAID_SO
            )


async def test_an_owner_who_answers_is_left_to_a_manager(db, clock, booking, owner):
    await pay(db, clock, booking)
    dispute = await _reported_occupied(db, clock, booking)
    async with db.unit_of_work() as uow:
        await disputes.answer(
            uow, clock, dispute_id=dispute.id, person_id=owner.id, text="It was free"
        )
    clock.advance(hours=2)
    async with db.unit_of_work() as uow:
        assert await disputes.occupied_reports_unanswered(uow, clock) == []
        with pytest.raises(NotAsked):
            await disputes.concede_occupied(
                uow, clock, dispute_id=dispute.id, owner_id=None, how=Conceded.SAID_NOTHING
            )
    with pytest.raises(NotAsked):  # and the driver can't concede for the owner
        async with db.unit_of_work() as uow:
            await disputes.concede_occupied(
                uow, clock, dispute_id=dispute.id, owner_id=booking.driver_id,
                how=Conceded.SAID_SO,
            )  # fmt: skip


async def test_a_report_late_in_the_stay_gives_back_only_the_time_left(db, clock, booking, owner):
    """Reported ten minutes before the end, the spot's first 110 minutes stay with the owner's
    side of the report: the driver gets 0.50 back at once, not the 6.00."""
    await pay(db, clock, booking)
    clock.current = booking.end_at - timedelta(minutes=10)
    async with db.unit_of_work() as uow:
        dispute = await disputes.report(
            uow, clock, booking_id=booking.id, reporter_id=booking.driver_id,
            problem=Problem.SPOT_OCCUPIED, text="A red car", photo_file_ids=[],
            owner_answers_within=ANSWER_WITHIN,
        )  # fmt: skip
    async with db.unit_of_work() as uow:
        refunded = await rebooking.refund_at_once(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id
        )
    assert refunded == Money(50, "EUR")
    manager = await a_person(db, clock, "Maria")
    async with db.unit_of_work() as uow:
        await disputes.answer(uow, clock, dispute_id=dispute.id, person_id=owner.id, text="Free")
    async with db.unit_of_work() as uow:
        await disputes.decide(
            uow, clock, dispute_id=dispute.id, manager_id=manager.id,
            ruling=disputes.Ruling.RELEASE,
        )  # fmt: skip
    owed = await balances(db, ledger.owner_payable_account(owner.id))
    assert owed == [550 - 90]  # the time used, less the booking's commission


async def test_a_spot_is_not_reported_occupied_once_the_stay_is_over(db, clock, booking):
    await pay(db, clock, booking)
    clock.current = booking.end_at + timedelta(minutes=1)
    async with db.unit_of_work() as uow:
        with pytest.raises(BookingNotDisputable):
            await disputes.report(
                uow, clock, booking_id=booking.id, reporter_id=booking.driver_id,
                problem=Problem.SPOT_OCCUPIED, text="A red car", photo_file_ids=[],
            )  # fmt: skip


async def test_a_stay_moves_only_to_a_spot_near_the_occupied_one(db, clock, booking):
    await pay(db, clock, booking)
    await _reported_occupied(db, clock, booking)
    pia = await a_person(db, clock, "Pia")
    async with db.unit_of_work() as uow:
        far = await spots.create(
            uow, clock, owner_id=pia.id,
            draft=spots.SpotDraft(
                title="Far away", point=GeoPoint(52.60, 13.405), hourly_price=Money(100, "EUR")
            ),
        )  # fmt: skip
        await spots.set_status(uow, far.id, SpotStatus.APPROVED)
    with pytest.raises(RebookingTooFar):  # 9 km off: a press no offer made
        await _move(db, clock, booking, far)


async def test_once_the_time_left_went_back_nothing_more_goes_back_or_moves(db, clock, booking):
    await pay(db, clock, booking)
    await _reported_occupied(db, clock, booking)
    async with db.unit_of_work() as uow:
        await rebooking.refund_at_once(
            uow, clock, booking_id=booking.id, driver_id=booking.driver_id
        )
    async with db.unit_of_work() as uow:
        with pytest.raises(RebookingNotOpen):
            await rebooking.refund_at_once(
                uow, clock, booking_id=booking.id, driver_id=booking.driver_id
            )
    with pytest.raises(RebookingNotOpen):
        await _move(db, clock, booking, await _other_spot(db, clock, 300))
    async with db.reading() as uow:
        assert await uow.ledger.escrow_of_booking(booking.id) == {"EUR": 25}


async def test_a_chargeback_follows_the_money_to_the_stay_it_moved_to(db, clock, booking):
    """The bank takes the 6.00 back: 0.25 from the occupied booking's escrow, 5.75 from the
    booking the stay moved to, where the rest of the money went; won back, it returns there."""
    payment = (await pay(db, clock, booking)).payment
    await _reported_occupied(db, clock, booking)
    moved = await _move(db, clock, booking, await _other_spot(db, clock, 300))
    async with db.unit_of_work() as uow:
        taken = await chargebacks.funds_withdrawn(
            uow, clock, await uow.payments.get(Payment, payment.id),
            dispute_reference="dp_1", amount=Money(600, "EUR"),
        )  # fmt: skip
    assert taken.moved == Money(600, "EUR")
    async with db.reading() as uow:
        assert await uow.ledger.escrow_of_booking(booking.id) == {}
        assert await uow.ledger.escrow_of_booking(moved.booking.id) == {}
    async with db.unit_of_work() as uow:
        back = await chargebacks.funds_reinstated(
            uow, clock, await uow.payments.get(Payment, payment.id),
            dispute_reference="dp_1", amount=Money(600, "EUR"),
        )  # fmt: skip
    assert back.moved == Money(600, "EUR")
    async with db.reading() as uow:
        assert await uow.ledger.escrow_of_booking(booking.id) == {"EUR": 25}
        assert await uow.ledger.escrow_of_booking(moved.booking.id) == {"EUR": 575}
