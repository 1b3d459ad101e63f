"""A booking attempt costs the store at most two round trips on PostgreSQL: one read of what the
decision needs, and one statement that writes the booking if its window is still free."""

from collections import Counter
from datetime import timedelta

import pytest

from bench.booking import count_sent
from core.errors import WindowTaken
from core.services import bookings
from core.status import BookingStatus
from tests.integration.builders import a_person, an_approved_spot

pytestmark = pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True)


async def _attempt(uow, clock, driver, spot, start):
    async with uow:
        return await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip


@pytest.fixture
async def world(committing_db, clock):
    db = committing_db
    owner = await a_person(db, clock, "Olga")
    spot = await an_approved_spot(db, clock, owner)
    driver = await a_person(db, clock, "Dana")
    # asyncpg prepares each statement on its first use on a connection: one round trip more,
    # once. The counts below are for the attempts after that.
    await _attempt(db.single_statement(), clock, driver, spot, clock.now() + timedelta(days=1))
    return db, driver, spot


async def test_a_booking_made_is_two_round_trips(world, clock):
    db, driver, spot = world
    sent: Counter[str] = Counter()
    count_sent(db, sent)

    booking = await _attempt(db.single_statement(), clock, driver, spot, clock.now())

    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert sent == {"statements": 2}


async def test_a_booking_refused_as_taken_is_one_round_trip(world, clock):
    db, driver, spot = world
    sent: Counter[str] = Counter()
    count_sent(db, sent)

    taken = clock.now() + timedelta(days=1)
    with pytest.raises(WindowTaken):
        await _attempt(db.single_statement(), clock, driver, spot, taken)

    assert sent == {"statements": 1}


async def test_in_an_ordinary_unit_of_work_the_same_two_statements_run_in_one_transaction(
    world, clock
):
    db, driver, spot = world
    sent: Counter[str] = Counter()
    count_sent(db, sent)

    await _attempt(db.unit_of_work(), clock, driver, spot, clock.now())

    assert sent == {"statements": 2, "transaction": 2}  # BEGIN and COMMIT
