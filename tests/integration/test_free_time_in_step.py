"""A spot's stored free time stays in step with its hours, one-off windows and bookings
through the real use cases: listing, editing hours, blocking, booking, extending, cancelling,
declining and expiring. After each step the audit finds the row equal to a fresh computation,
and the windows the step moved read as the step says."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from core import free_time
from core.availability_text import parse_availability
from core.db.models import Spot
from core.money import Money
from core.services import audit, bookings, listings, spots, stays
from core.services.spots import SpotDraft
from tests.integration.builders import BERLIN_CENTRE, a_payment, a_person

BERLIN = ZoneInfo("Europe/Berlin")
# The test clock starts on Monday 1 June 2026, 09:00 UTC (11:00 in Berlin).


def berlin(day: int, hour: int) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=BERLIN)


async def assert_in_step(db) -> None:
    async with db.reading() as uow:
        report = await audit.run(uow)
    assert [str(v) for v in report.violations if "free time" in v.rule] == []


async def free_for(db, spot_id: int, start: datetime, end: datetime) -> bool:
    async with db.reading() as uow:
        stored = await uow.free_times.of(spot_id)
    assert stored is not None
    return free_time.covers(
        stored.free, free_time.epoch_seconds(start), free_time.epoch_seconds(end)
    )


async def a_listed_spot(db, clock, owner, hours: str):
    async with db.unit_of_work() as uow:
        decision = await listings.submit(
            uow, clock, owner_id=owner.id,
            draft=SpotDraft("Garage on Elm St", BERLIN_CENTRE, Money(300, "EUR")),
            availability=parse_availability(hours, zone=BERLIN, now=clock.now()),
            moderated=True,
        )  # fmt: skip
    await assert_in_step(db)
    async with db.unit_of_work() as uow:
        await listings.moderate(uow, clock, decision.spot.id, approve=True)
    await assert_in_step(db)
    return decision.spot


async def test_listing_and_editing_hours_keep_the_free_time_in_step(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await a_listed_spot(db, clock, owner, "Mon-Fri 08:00-18:00")
    assert await free_for(db, spot.id, berlin(2, 9), berlin(2, 17))
    assert not await free_for(db, spot.id, berlin(6, 10), berlin(6, 12))

    async with db.unit_of_work() as uow:
        added = await listings.add_hours(
            uow, clock, spot_id=spot.id, owner_id=owner.id, text="Sat 10-14"
        )
    await assert_in_step(db)
    assert await free_for(db, spot.id, berlin(6, 10), berlin(6, 12))

    async with db.unit_of_work() as uow:
        await spots.undo_availability(uow, owner_id=owner.id, change=added.change)
    await assert_in_step(db)
    assert not await free_for(db, spot.id, berlin(6, 10), berlin(6, 12))

    async with db.unit_of_work() as uow:
        await spots.add_window(
            uow, spot_id=spot.id, owner_id=owner.id,
            start=berlin(3, 12), end=berlin(3, 14), blocked=True,
        )  # fmt: skip
    await assert_in_step(db)
    assert not await free_for(db, spot.id, berlin(3, 11), berlin(3, 13))
    assert await free_for(db, spot.id, berlin(3, 14), berlin(3, 16))

    async with db.unit_of_work() as uow:
        await spots.replace_weekly_hours(
            uow, spot_id=spot.id, owner_id=owner.id,
            parsed=parse_availability("Mon-Fri 18:00-22:00", zone=BERLIN, now=clock.now()),
        )  # fmt: skip
    await assert_in_step(db)
    assert not await free_for(db, spot.id, berlin(2, 9), berlin(2, 11))
    assert await free_for(db, spot.id, berlin(2, 19), berlin(2, 21))


async def test_booking_cancelling_and_expiring_keep_the_free_time_in_step(db, clock):
    owner, driver = await a_person(db, clock, "Olga"), await a_person(db, clock, "Dana")
    spot = await a_listed_spot(db, clock, owner, "daily 00:00-24:00")
    start, end = berlin(2, 10), berlin(2, 12)

    async def book():
        async with db.unit_of_work() as uow:
            booking = await bookings.request(
                uow, clock, driver_id=driver.id, spot_id=spot.id, start=start, end=end,
                commission_basis_points=1500,
            )  # fmt: skip
        await assert_in_step(db)
        assert not await free_for(db, spot.id, start, start + timedelta(minutes=1))
        assert await free_for(db, spot.id, end, end + timedelta(hours=1))
        return booking

    booking = await book()
    async with db.unit_of_work() as uow:
        await stays.cancel_as_driver(
            uow, clock, booking_id=booking.id, driver_id=driver.id,
            expected_version=booking.version, free_hours=24, late_percent=50,
        )  # fmt: skip
    await assert_in_step(db)
    assert await free_for(db, spot.id, start, end)

    booking = await book()
    clock.advance(minutes=30)
    async with db.unit_of_work() as uow:
        expired = await bookings.expire_overdue(
            uow, clock, payment_window=timedelta(minutes=15), request_window=timedelta(hours=1)
        )
    assert [b.id for b in expired] == [booking.id]
    await assert_in_step(db)
    assert await free_for(db, spot.id, start, end)

    booking = await book()
    await a_payment(db, clock, booking)
    await assert_in_step(db)
    assert not await free_for(db, spot.id, start, end)
    async with db.unit_of_work() as uow:
        extension = await bookings.extend(
            uow, clock, booking_id=booking.id, driver_id=driver.id, minutes=60,
            commission_basis_points=1500,
        )  # fmt: skip
    await assert_in_step(db)
    assert not await free_for(db, spot.id, end, end + timedelta(minutes=60))
    async with db.unit_of_work() as uow:
        await stays.cancel_as_owner(
            uow, clock, booking_id=booking.id, owner_id=owner.id,
            expected_version=booking.version + 1,
        )  # fmt: skip
    await assert_in_step(db)
    assert extension.end_at == end + timedelta(minutes=60)
    assert await free_for(db, spot.id, start, end + timedelta(minutes=60))


async def test_a_declined_request_gives_its_window_back(db, clock):
    owner, driver = await a_person(db, clock, "Olga"), await a_person(db, clock, "Dana")
    spot = await a_listed_spot(db, clock, owner, "daily 00:00-24:00")
    async with db.unit_of_work() as uow:
        (await spots.get(uow, spot.id)).instant_booking = False
    start, end = berlin(4, 10), berlin(4, 12)
    async with db.unit_of_work() as uow:
        booking = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start, end=end,
            commission_basis_points=1500,
        )  # fmt: skip
    await assert_in_step(db)
    assert not await free_for(db, spot.id, start, end)
    async with db.unit_of_work() as uow:
        await stays.answer_request(
            uow, clock, booking_id=booking.id, owner_id=owner.id, accept=False
        )
    await assert_in_step(db)
    assert await free_for(db, spot.id, start, end)


async def test_the_audit_names_a_spot_whose_week_slots_miss_its_free_time(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await a_listed_spot(db, clock, owner, "Mon-Fri 08:00-18:00")
    async with db.unit_of_work() as uow:
        await uow.session.execute(update(Spot).where(Spot.id == spot.id).values(free_week_slots=0))

    async with db.reading() as uow:
        report = await audit.run(uow)

    assert [v.rule for v in report.violations] == ["week's slots miss free time"]
    async with db.unit_of_work() as uow:  # the test's own store passes the audit after it
        await uow.free_times.refresh([spot.id])
    await assert_in_step(db)


async def test_a_spot_offered_by_day_is_marked_free_in_no_slot_of_the_night(db, clock):
    owner = await a_person(db, clock, "Olga")
    spot = await a_listed_spot(db, clock, owner, "daily 08:00-18:00")
    async with db.reading() as uow:
        slots = (await uow.session.get(Spot, spot.id, populate_existing=True)).free_week_slots
    night = free_time.slots_touched(
        free_time.epoch_seconds(berlin(2, 23)), free_time.epoch_seconds(berlin(3, 1))
    )
    day = free_time.slots_touched(
        free_time.epoch_seconds(berlin(2, 10)), free_time.epoch_seconds(berlin(2, 12))
    )
    assert slots & night == 0
    assert slots & day == day
