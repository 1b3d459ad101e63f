"""/myspots and hours by message: an owner runs their spots from the chat."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.db.models import AvailabilityRule, AvailabilityWindow, SpotPhoto
from core.services import bookings
from core.status import SpotStatus
from sandbox.client import tiny_png
from tests.integration.builders import a_person, an_approved_spot


@pytest.fixture
async def owner(sandbox):
    person = sandbox.person("Olga")
    registered = await a_person(sandbox.database, sandbox.clock, "Olga", telegram_id=person.id)
    person.spot = await an_approved_spot(sandbox.database, sandbox.clock, registered)
    person.person_id = registered.id
    return person


async def _spot(sandbox, spot_id):
    async with sandbox.database.reading() as uow:
        return await uow.spots.get(spot_id)


async def test_an_owner_pauses_and_resumes_a_spot(sandbox, owner):
    await owner.send("/myspots")
    assert "Garage on Elm St" in owner.last_message().text
    await owner.press("Pause")
    assert (await _spot(sandbox, owner.spot.id)).status == SpotStatus.PAUSED
    assert "paused" in owner.last_message().text
    await owner.press("Resume")
    assert (await _spot(sandbox, owner.spot.id)).status == SpotStatus.APPROVED
    assert "⏸ Pause" in owner.last_message().buttons


async def test_an_owner_changes_the_price(sandbox, owner):
    await owner.send("/myspots")
    await owner.press("Prices")
    await owner.send("cheap")
    assert "price doesn't look right" in owner.last_message().text
    await owner.send("4.50")
    await owner.send("-")
    assert "is updated" in owner.last_message().text
    spot = await _spot(sandbox, owner.spot.id)
    assert (spot.hourly_price_minor, spot.daily_price_minor) == (450, None)


async def test_an_owner_replaces_the_regular_hours(sandbox, owner):
    await owner.send("/myspots")
    await owner.press("Hours")
    await owner.send("weekends all day")
    assert "is updated" in owner.last_message().text
    async with sandbox.database.reading() as uow:
        rules = (await uow.session.scalars(select(AvailabilityRule))).all()
    assert sorted((r.weekday, r.start_minute, r.end_minute) for r in rules) == [
        (5, 0, 1440), (6, 0, 1440),
    ]  # fmt: skip


async def test_an_owner_replaces_the_photos(sandbox, owner):
    await owner.send("/myspots")
    await owner.press("Photos")
    await owner.send_photo(tiny_png(rgb=(1, 2, 3)))
    await owner.send_photo(tiny_png(rgb=(4, 5, 6)))
    await owner.press("Done")
    assert "is updated" in owner.last_message().text
    async with sandbox.database.reading() as uow:
        photos = (await uow.session.scalars(select(SpotPhoto))).all()
    assert [photo.position for photo in photos] == [0, 1]


async def test_a_spot_with_bookings_to_come_is_not_deleted(sandbox, owner):
    driver = await a_person(sandbox.database, sandbox.clock, "Dana")
    start = sandbox.clock.now() + timedelta(days=1)
    async with sandbox.database.unit_of_work() as uow:
        await bookings.request(
            uow, sandbox.clock, driver_id=driver.id, spot_id=owner.spot.id, start=start,
            end=start + timedelta(hours=2), commission_basis_points=1500,
        )  # fmt: skip
    await owner.send("/myspots")
    await owner.press("Delete")
    answer = await owner.press("Yes, delete it")
    assert answer["show_alert"]
    assert "Pause it instead" in answer["text"]
    assert (await _spot(sandbox, owner.spot.id)).status == SpotStatus.APPROVED
    assert "🗑 Delete" in owner.last_message().buttons


async def test_a_spot_without_bookings_is_deleted_after_confirmation(sandbox, owner):
    await owner.send("/myspots")
    await owner.press("Delete")
    await owner.press("Keep it")
    assert (await _spot(sandbox, owner.spot.id)).status == SpotStatus.APPROVED
    await owner.press("Delete")
    await owner.press("Yes, delete it")
    assert "is deleted" in owner.last_message().text
    assert (await _spot(sandbox, owner.spot.id)).status == SpotStatus.DELETED


async def test_another_owners_spot_cannot_be_touched_with_a_forged_button(sandbox, owner):
    mallory = sandbox.person("Mallory")
    await mallory.send("/start")
    answer = await mallory.press_data(f"my:delete_yes:{owner.spot.id}", mallory.last_message())
    assert answer["show_alert"]
    assert "doesn't exist" in answer["text"]
    assert (await _spot(sandbox, owner.spot.id)).status == SpotStatus.APPROVED


async def test_an_owner_blocks_a_day_by_saying_so(sandbox, owner):
    await owner.send("not available Friday")  # Monday 1 June 2026 now: Friday is 5 June
    assert "is now blocked" in owner.last_message().text
    async with sandbox.database.reading() as uow:
        (window,) = (await uow.session.scalars(select(AvailabilityWindow))).all()
    assert window.blocked
    assert window.start_at == datetime(2026, 6, 4, 22, 0, tzinfo=UTC)  # midnight in Berlin
    assert window.end_at - window.start_at == timedelta(hours=24)


async def test_an_owner_of_several_spots_picks_which_one(sandbox, owner):
    async with sandbox.database.reading() as uow:
        registered = await uow.people.get(owner.person_id)
    second = await an_approved_spot(sandbox.database, sandbox.clock, registered)
    async with sandbox.database.unit_of_work() as uow:
        (await uow.spots.get(second.id)).title = "Carport on Oak Rd"
    await owner.send("tomorrow 9-17")
    assert "Which spot" in owner.last_message().text
    await owner.press("Carport on Oak Rd")
    assert "Carport on Oak Rd" in owner.last_message().text
    async with sandbox.database.reading() as uow:
        (window,) = (await uow.session.scalars(select(AvailabilityWindow))).all()
    assert window.spot_id == second.id


async def test_chat_that_is_not_hours_is_not_taken_for_hours(sandbox, owner):
    await owner.send("hello there")
    async with sandbox.database.reading() as uow:
        assert (await uow.session.scalars(select(AvailabilityWindow))).all() == []
    assert "is now" not in owner.last_message().text
