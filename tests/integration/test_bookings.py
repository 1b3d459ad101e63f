from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from core import free_time
from core.db.models import SpotFreeTime
from core.errors import (
    BookingNotFound,
    BookingTooLong,
    IllegalTransition,
    InvalidWindow,
    NotTheOwner,
    OwnSpot,
    PersonBanned,
    SpotNotBookable,
    SpotNotFound,
    StaleBooking,
    WindowInPast,
    WindowTaken,
    WindowTooFarAhead,
    WindowUnavailable,
)
from core.services import bookings, people, spots
from core.status import BookingStatus, SpotStatus
from tests.integration.builders import a_person, an_approved_spot

COMMISSION_BP = 1500


@pytest.fixture
async def world(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner, hourly_minor=300)
    return owner, driver, spot


async def book(db, clock, driver, spot, start_in=timedelta(hours=1), length=timedelta(hours=2)):
    start = clock.now() + start_in
    async with db.unit_of_work() as uow:
        return await bookings.request(
            uow,
            clock,
            driver_id=driver.id,
            spot_id=spot.id,
            start=start,
            end=start + length,
            commission_basis_points=COMMISSION_BP,
        )


async def test_an_instant_spot_books_straight_to_awaiting_payment_with_price_and_commission(
    db, clock, world
):
    _, driver, spot = world
    booking = await book(db, clock, driver, spot)
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert (booking.price_minor, booking.commission_minor, booking.currency) == (600, 90, "EUR")
    assert booking.start_at.tzinfo is not None


async def test_a_spot_without_instant_booking_gets_a_request(db, clock, world):
    _, driver, spot = world
    async with db.unit_of_work() as uow:
        (await spots.get(uow, spot.id)).instant_booking = False
    booking = await book(db, clock, driver, spot)
    assert booking.status == BookingStatus.REQUESTED


async def test_cannot_book_a_window_someone_else_holds(db, clock, world):
    _, driver, spot = world
    rival = await a_person(db, clock, "Rita")
    await book(db, clock, driver, spot)
    with pytest.raises(WindowTaken):
        await book(db, clock, rival, spot, start_in=timedelta(hours=2))


async def test_a_cancelled_booking_frees_its_window(db, clock, world):
    _, driver, spot = world
    rival = await a_person(db, clock, "Rita")
    first = await book(db, clock, driver, spot)
    async with db.unit_of_work() as uow:
        await bookings.transition(uow, clock, first.id, BookingStatus.CANCELLED)
    second = await book(db, clock, rival, spot)
    assert second.status == BookingStatus.AWAITING_PAYMENT


async def test_back_to_back_windows_do_not_overlap(db, clock, world):
    _, driver, spot = world
    rival = await a_person(db, clock, "Rita")
    await book(db, clock, driver, spot, start_in=timedelta(hours=1), length=timedelta(hours=2))
    await book(db, clock, rival, spot, start_in=timedelta(hours=3), length=timedelta(hours=1))


async def test_end_before_start_is_refused(db, clock, world):
    _, driver, spot = world
    with pytest.raises(InvalidWindow):
        await book(db, clock, driver, spot, length=timedelta(hours=-1))


async def test_an_empty_window_is_refused(db, clock, world):
    _, driver, spot = world
    with pytest.raises(InvalidWindow):
        await book(db, clock, driver, spot, length=timedelta(0))


async def test_a_window_in_the_past_is_refused(db, clock, world):
    _, driver, spot = world
    with pytest.raises(WindowInPast):
        await book(db, clock, driver, spot, start_in=timedelta(hours=-3))


async def test_a_window_longer_than_thirty_days_is_refused(db, clock, world):
    _, driver, spot = world
    with pytest.raises(BookingTooLong):
        await book(db, clock, driver, spot, length=timedelta(days=31))


async def test_naive_times_are_refused(db, clock, world):
    _, driver, spot = world
    async with db.unit_of_work() as uow:
        with pytest.raises(ValueError, match="naive"):
            await bookings.request(
                uow, clock, driver_id=driver.id, spot_id=spot.id,
                start=datetime(2026, 6, 1, 12), end=datetime(2026, 6, 1, 13),  # noqa: DTZ001
                commission_basis_points=COMMISSION_BP,
            )  # fmt: skip


async def test_an_unknown_spot_is_refused(db, clock, world):
    _, driver, _ = world
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        with pytest.raises(SpotNotFound):
            await bookings.request(
                uow, clock, driver_id=driver.id, spot_id=999_999, start=start,
                end=start + timedelta(hours=1), commission_basis_points=COMMISSION_BP,
            )  # fmt: skip


async def test_a_paused_spot_cannot_be_booked(db, clock, world):
    _, driver, spot = world
    async with db.unit_of_work() as uow:
        await spots.set_status(uow, spot.id, SpotStatus.PAUSED)
    with pytest.raises(SpotNotBookable):
        await book(db, clock, driver, spot)


async def test_an_owner_cannot_book_their_own_spot(db, clock, world):
    owner, _, spot = world
    with pytest.raises(OwnSpot):
        await book(db, clock, owner, spot)


async def test_a_banned_driver_cannot_book(db, clock, world):
    _, driver, spot = world
    async with db.unit_of_work() as uow:
        (await people.get(uow, driver.id)).banned = True
    with pytest.raises(PersonBanned):
        await book(db, clock, driver, spot)


async def test_a_window_outside_availability_is_refused(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner)
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        await spots.add_window(
            uow, spot_id=spot.id, owner_id=owner.id, start=start, end=start + timedelta(hours=4),
            blocked=True,
        )  # fmt: skip
    with pytest.raises(WindowUnavailable):
        await book(db, clock, driver, spot)


async def test_a_booking_takes_its_window_out_of_the_spots_free_time(db, clock, world):
    _, driver, spot = world
    booking = await book(db, clock, driver, spot, start_in=timedelta(hours=1))
    async with db.reading() as uow:
        stored = await uow.free_times.of(spot.id)
    start, end = free_time.epoch_seconds(booking.start_at), free_time.epoch_seconds(booking.end_at)
    assert not free_time.covers(stored.free, start, end)
    assert free_time.covers(stored.free, end, end + 3600)


async def test_a_window_ending_past_the_bookable_horizon_is_refused(db, clock, world):
    _, driver, spot = world
    horizon = free_time.horizon(clock.now()) - clock.now()
    with pytest.raises(WindowTooFarAhead):
        await book(db, clock, driver, spot, start_in=horizon - timedelta(hours=1))
    await book(db, clock, driver, spot, start_in=horizon - timedelta(hours=2))


async def test_a_spot_whose_free_time_was_never_written_is_booked_when_offered(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        await uow.session.execute(delete(SpotFreeTime).where(SpotFreeTime.spot_id == spot.id))

    booking = await book(db, clock, driver, spot)

    assert booking.status == BookingStatus.AWAITING_PAYMENT
    with pytest.raises(WindowTaken):
        await book(db, clock, await a_person(db, clock, "Rita"), spot)


async def test_a_window_a_live_booking_holds_is_refused_even_if_the_free_time_missed_it(
    db, clock, world
):
    _, driver, spot = world
    held = await book(db, clock, driver, spot)
    first, last = free_time.span_for(clock.now())
    async with db.unit_of_work() as uow:
        # As if the booking had been written by a path that forgot the free time.
        stored = await uow.free_times.of(spot.id)
        stored.free = [(free_time.epoch_seconds(first), free_time.epoch_seconds(last))]

    with pytest.raises(WindowTaken):
        await book(db, clock, await a_person(db, clock, "Rita"), spot)

    async with db.reading() as uow:
        live = await uow.bookings.upcoming_live_of_spot(spot.id, after=clock.now())
    assert [booking.id for booking in live] == [held.id]
    async with db.unit_of_work() as uow:
        await uow.free_times.refresh([spot.id])  # as it should have been, for the audit


async def test_a_booking_walks_its_lifecycle_and_bumps_its_version(db, clock, world):
    _, driver, spot = world
    booking = await book(db, clock, driver, spot)
    for status in (BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED):
        async with db.unit_of_work() as uow:
            booking = await bookings.transition(uow, clock, booking.id, status)
    assert (booking.status, booking.version) == (BookingStatus.COMPLETED, 4)


async def test_an_illegal_transition_raises_and_changes_nothing(db, clock, world):
    _, driver, spot = world
    booking = await book(db, clock, driver, spot)
    async with db.unit_of_work() as uow:
        with pytest.raises(IllegalTransition):
            await bookings.transition(uow, clock, booking.id, BookingStatus.COMPLETED)
    async with db.unit_of_work() as uow:
        assert (await bookings.get(uow, booking.id)).status == BookingStatus.AWAITING_PAYMENT


async def test_acting_on_an_old_version_is_refused_as_stale(db, clock, world):
    _, driver, spot = world
    booking = await book(db, clock, driver, spot)
    async with db.unit_of_work() as uow:
        await bookings.transition(uow, clock, booking.id, BookingStatus.CONFIRMED)
    async with db.unit_of_work() as uow:
        with pytest.raises(StaleBooking):
            await bookings.transition(
                uow, clock, booking.id, BookingStatus.CANCELLED, expected_version=1
            )


# SQLite's writers take the database's lock at their first statement, so only PostgreSQL lets
# one writer change a booking while another holds an old copy.
@pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)
async def test_a_writer_holding_an_old_copy_of_a_booking_writes_nothing(committing_db, clock):
    """Even a change made without the lock is a compare-and-set: the UPDATE names the version
    it read, and matches nothing once another writer has moved the booking on."""
    db = committing_db
    owner, driver = await a_person(db, clock, "Olga"), await a_person(db, clock, "Dana")
    booking = await book(db, clock, driver, await an_approved_spot(db, clock, owner))

    async def confirm_from_a_copy_read_before_it_expired():
        async with db.unit_of_work() as stale:
            copy = await stale.bookings.get(booking.id)
            async with db.unit_of_work() as other:
                await bookings.transition(other, clock, booking.id, BookingStatus.EXPIRED)
            copy.status, copy.version = BookingStatus.CONFIRMED, copy.version + 1

    with pytest.raises(StaleBooking):
        await confirm_from_a_copy_read_before_it_expired()
    async with db.reading() as uow:
        assert (await bookings.get(uow, booking.id)).status == BookingStatus.EXPIRED


async def test_an_unknown_booking_is_not_found(db, clock):
    async with db.unit_of_work() as uow:
        with pytest.raises(BookingNotFound):
            await bookings.transition(uow, clock, 424_242, BookingStatus.CANCELLED)


async def test_stored_times_come_back_as_the_same_aware_utc_instants(db, clock, world):
    _, driver, spot = world
    booking = await book(db, clock, driver, spot)
    async with db.unit_of_work() as uow:
        stored = await bookings.get(uow, booking.id)
    assert stored.start_at == clock.now() + timedelta(hours=1)
    assert stored.start_at.tzinfo == UTC


async def a_request(db, clock, world):
    _, driver, spot = world
    async with db.unit_of_work() as uow:
        (await spots.get(uow, spot.id)).instant_booking = False
    return await book(db, clock, driver, spot)


async def test_the_owner_accepting_a_request_lets_the_driver_pay(db, clock, world):
    owner, _, _ = world
    request = await a_request(db, clock, world)
    async with db.unit_of_work() as uow:
        booking = await bookings.answer_request(
            uow, clock, booking_id=request.id, owner_id=owner.id, accept=True
        )
    assert booking.status == BookingStatus.AWAITING_PAYMENT


async def test_the_owner_declining_a_request_frees_the_window(db, clock, world):
    owner, _, _ = world
    request = await a_request(db, clock, world)
    async with db.unit_of_work() as uow:
        booking = await bookings.answer_request(
            uow, clock, booking_id=request.id, owner_id=owner.id, accept=False
        )
    assert booking.status == BookingStatus.CANCELLED


async def test_only_the_owner_can_answer_a_request(db, clock, world):
    _, driver, _ = world
    request = await a_request(db, clock, world)
    async with db.unit_of_work() as uow:
        with pytest.raises(NotTheOwner):
            await bookings.answer_request(
                uow, clock, booking_id=request.id, owner_id=driver.id, accept=True
            )


async def test_a_request_answered_twice_is_stale_the_second_time(db, clock, world):
    owner, _, _ = world
    request = await a_request(db, clock, world)
    async with db.unit_of_work() as uow:
        await bookings.answer_request(
            uow, clock, booking_id=request.id, owner_id=owner.id, accept=True
        )
    async with db.unit_of_work() as uow:
        with pytest.raises(StaleBooking):
            await bookings.answer_request(
                uow, clock, booking_id=request.id, owner_id=owner.id, accept=False
            )


async def test_unpaid_bookings_and_unanswered_requests_expire(db, clock, world):
    _, driver, spot = world
    unpaid = await book(db, clock, driver, spot)
    clock.advance(minutes=10)
    async with db.unit_of_work() as uow:
        assert (
            await bookings.expire_overdue(
                uow,
                clock,
                payment_window=timedelta(minutes=15),
                request_window=timedelta(minutes=30),
            )
            == []
        )
    clock.advance(minutes=6)
    async with db.unit_of_work() as uow:
        expired = await bookings.expire_overdue(
            uow, clock, payment_window=timedelta(minutes=15), request_window=timedelta(minutes=30)
        )
    assert [booking.id for booking in expired] == [unpaid.id]
    assert expired[0].status == BookingStatus.EXPIRED
