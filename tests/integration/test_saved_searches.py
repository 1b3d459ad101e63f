"""A driver who found nothing hears once when a spot near there frees up for their time."""

from datetime import timedelta

from core.geo import GeoPoint
from core.services import bookings, listings, saved_searches, stays
from core.status import BookingStatus, SpotStatus
from tests.integration.builders import a_person, an_approved_spot


async def _saved_for(db, clock, driver, point, *, hours=2):
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        return await saved_searches.save(
            uow, clock, person_id=driver.id, point=point, radius_m=1000, start=start,
            end=start + timedelta(hours=hours),
        )  # fmt: skip


async def _satisfied(db, clock, spot):
    async with db.unit_of_work() as uow:
        fresh = await uow.spots.get(spot.id)
        return [saved.id for saved in await saved_searches.now_satisfied_by(uow, clock, fresh)]


async def test_a_spot_freed_nearby_answers_the_search_once(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    other = await a_person(db, clock, "Eve")
    spot = await an_approved_spot(db, clock, owner)
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        taken = await bookings.request(
            uow, clock, driver_id=other.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
    saved = await _saved_for(db, clock, driver, GeoPoint(spot.lat + 0.001, spot.lon))
    assert await _satisfied(db, clock, spot) == []
    async with db.unit_of_work() as uow:
        await bookings.transition(uow, clock, taken.id, BookingStatus.CANCELLED)
    assert await _satisfied(db, clock, spot) == [saved.id]
    assert await _satisfied(db, clock, spot) == []


async def test_a_spot_beyond_the_radius_does_not_answer(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner)
    await _saved_for(db, clock, driver, GeoPoint(spot.lat + 0.02, spot.lon))  # about 2.2 km
    assert await _satisfied(db, clock, spot) == []


async def test_a_search_whose_time_is_over_is_forgotten(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner)
    await _saved_for(db, clock, driver, GeoPoint(spot.lat, spot.lon))
    clock.advance(hours=4)
    assert await _satisfied(db, clock, spot) == []


async def test_a_driver_cancelling_tells_the_waiting_driver_in_the_same_unit_of_work(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    other = await a_person(db, clock, "Eve")
    spot = await an_approved_spot(db, clock, owner)
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        taken = await bookings.request(
            uow, clock, driver_id=other.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
    await _saved_for(db, clock, driver, GeoPoint(spot.lat, spot.lon))
    async with db.unit_of_work() as uow:
        cancelled = await stays.cancel_as_driver(
            uow, clock, booking_id=taken.id, driver_id=other.id,
            expected_version=taken.version, free_hours=24, late_percent=50,
        )  # fmt: skip
    assert [freed.telegram_id for freed in cancelled.freed] == [driver.telegram_id]
    assert (cancelled.parties.owner.id, cancelled.parties.driver.id) == (owner.id, other.id)
    assert await _satisfied(db, clock, spot) == []  # told once


async def test_an_owner_resuming_a_spot_tells_the_waiting_driver(db, clock):
    owner = await a_person(db, clock, "Olga")
    driver = await a_person(db, clock, "Dana")
    spot = await an_approved_spot(db, clock, owner)
    async with db.unit_of_work() as uow:
        await listings.set_owner_status(
            uow, clock, spot_id=spot.id, owner_id=owner.id, status=SpotStatus.PAUSED
        )
    await _saved_for(db, clock, driver, GeoPoint(spot.lat, spot.lon))
    async with db.unit_of_work() as uow:
        shown = await listings.set_owner_status(
            uow, clock, spot_id=spot.id, owner_id=owner.id, status=SpotStatus.APPROVED
        )
    assert [freed.spot_id for freed in shown.freed] == [spot.id]
    assert shown.spot.status == SpotStatus.APPROVED
