"""A driver shares a location, finds the nearest free spots, opens one and books it."""

from datetime import UTC, datetime

import pytest
from geopy.distance import geodesic
from sqlalchemy import select

from core.db.models import Booking
from core.services import bookings
from core.status import BookingStatus
from sandbox.demo_city import BERLIN
from tests.integration.builders import a_person, an_approved_spot

CENTRE = (BERLIN.centre.lat, BERLIN.centre.lon)
pytestmark = pytest.mark.parametrize("demo_spots", [120])


def _listed(message):
    """The spots' buttons in a results message, without the controls beneath them."""
    return [data for data in message.button_data if data.startswith("spot:")]


async def _spot_point(sandbox, spot_id):
    async with sandbox.database.reading() as uow:
        spot = await uow.spots.get(spot_id)
    return spot.lat, spot.lon


async def test_a_shared_location_lists_the_five_nearest_free_spots_nearest_first(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    results = dana.last_message()
    listed = _listed(results)
    assert len(listed) == 5
    distances = [
        geodesic(CENTRE, await _spot_point(sandbox, int(data.split(":")[1]))).m for data in listed
    ]
    assert distances == sorted(distances)
    assert "More ▶" in results.buttons


def _shown(sandbox, person) -> list[str]:
    """What the chat showed, in order: "sent" (by the person), "action:<name>", "message"."""
    events = sandbox.world.chat(person.id).events
    return [f"action:{e['action']}" if e["kind"] == "chat_action" else e["kind"] for e in events]


@pytest.mark.parametrize(
    ("settings_overrides", "shown"),
    [
        # Answered within the threshold: no "finding location…" for that.
        ({"slow_answer_ms": 10_000}, ["sent", "message"]),
        # Slower than the threshold: shown first.
        ({"slow_answer_ms": 0}, ["sent", "action:find_location", "message"]),
    ],
)
async def test_finding_location_is_shown_only_while_an_answer_is_slow(sandbox, shown):
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    assert _listed(dana.last_message())
    assert _shown(sandbox, dana) == shown


async def test_a_spot_booked_tomorrow_disappears_from_tomorrows_results(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    await dana.press("Tomorrow")
    nearest = int(_listed(dana.last_message())[0].split(":")[1])
    other = await a_person(sandbox.database, sandbox.clock, "Eve")
    async with sandbox.database.unit_of_work() as uow:
        await bookings.request(
            uow, sandbox.clock, driver_id=other.id, spot_id=nearest,
            start=datetime(2026, 6, 2, 7, 0, tzinfo=UTC), end=datetime(2026, 6, 2, 15, 0,
            tzinfo=UTC), commission_basis_points=1500,
        )  # fmt: skip
    await dana.share_location(*CENTRE)
    await dana.press("Other time")
    await dana.send("sometime")
    assert "For which time?" in dana.last_message().text
    await dana.send("tomorrow 9-17")
    assert f"spot:{nearest}" not in _listed(dana.last_message())
    assert len(_listed(dana.last_message())) == 5


async def test_a_card_shows_the_spot_as_a_venue_with_route_links(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    first = _listed(dana.last_message())[0]
    await dana.press_data(first, dana.last_message())
    venue, card = dana.messages()[-2:]
    assert venue.raw["venue"]["title"] in card.text
    assert "📅 Book" in card.buttons
    assert "(estimated)" in card.text
    await dana.press("Navigate")
    links = dana.last_message().raw["reply_markup"]["inline_keyboard"]
    apps = [row[0]["text"] for row in links]
    assert apps[:4] == ["Google Maps", "Apple Maps", "OpenStreetMap", "Waze"]
    assert all(row[0]["url"].startswith("https://") for row in links)


async def test_a_driver_books_instantly_and_a_racing_driver_is_offered_another_spot(sandbox):
    owner = await a_person(sandbox.database, sandbox.clock, "Olga")
    spot = await an_approved_spot(sandbox.database, sandbox.clock, owner)
    dana, eve = sandbox.person("Dana"), sandbox.person("Eve")
    for driver in (dana, eve):
        await driver.share_location(spot.lat, spot.lon)
        await driver.press_data(f"spot:{spot.id}", driver.last_message())
        await driver.press("Book")
        # The window starts now, inside the late period: no free cancellation is promised.
        assert "No free cancellation" in driver.last_message().text
    await dana.press("Confirm")
    assert dana.last_message().invoice is not None  # the invoice follows Confirm at once
    await eve.press("Confirm")
    assert "just taken" in eve.last_message().text
    assert "nearest spot still free" in eve.last_message().text
    async with sandbox.database.reading() as uow:
        (booking,) = (
            await uow.session.scalars(select(Booking).where(Booking.spot_id == spot.id))
        ).all()
    assert booking.status == BookingStatus.AWAITING_PAYMENT


async def test_an_unpaid_booking_expires_and_frees_the_window(sandbox):
    owner = await a_person(sandbox.database, sandbox.clock, "Olga")
    spot = await an_approved_spot(sandbox.database, sandbox.clock, owner)
    dana = sandbox.person("Dana")
    await dana.share_location(spot.lat, spot.lon)
    await dana.press_data(f"spot:{spot.id}", dana.last_message())
    await dana.press("Book")
    await dana.press("Confirm")
    sandbox.clock.advance(minutes=16)
    await sandbox.runtime.run_job("expire_overdue")
    async with sandbox.database.reading() as uow:
        (booking,) = (
            await uow.session.scalars(select(Booking).where(Booking.spot_id == spot.id))
        ).all()
    assert booking.status == BookingStatus.EXPIRED
    assert "expired" in dana.last_message().text
    eve = sandbox.person("Eve")
    await eve.share_location(spot.lat, spot.lon)
    assert f"spot:{spot.id}" in _listed(eve.last_message())


async def test_forged_and_foreign_buttons_change_nothing(sandbox):
    async def count_bookings():
        async with sandbox.database.reading() as uow:
            return len((await uow.session.scalars(select(Booking))).all())

    before = await count_bookings()
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    results = dana.last_message()
    for forged in ("spot:999999", "book:999999", "nav:999999", "\x00\xffgarbage", "pay:1"):
        answer = await dana.press_data(forged, results)
        assert answer is not None
        assert answer["show_alert"], forged
    assert await count_bookings() == before


async def test_a_location_at_sea_and_one_far_from_any_spot_get_clear_answers(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(54.5, 5.0)  # the North Sea
    assert "on land" in dana.last_message().text
    await dana.share_location(48.85, 2.35)  # Paris: no demo spot within 50 km
    assert "It has spots in Berlin" in dana.last_message().text
    assert "🔭 Search farther" not in dana.last_message().buttons  # 50 km would not reach them


async def test_filters_leave_out_what_does_not_fit(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(*CENTRE)
    everything = set(_listed(dana.last_message()))
    await dana.press("Max price")
    await dana.send("lots")
    assert "price doesn't look right" in dana.last_message().text
    await dana.send("€5")
    cheap = dana.last_message()
    assert "✅ ≤ €5.00" in cheap.buttons
    for data in _listed(cheap):
        async with sandbox.database.reading() as uow:
            assert (await uow.spots.get(int(data.split(":")[1]))).hourly_price_minor <= 250
    await dana.press("≤ €5.00")
    assert set(_listed(dana.last_message())) == everything
    for _ in range(5):
        await dana.press("🚙")
    assert "🚙 van" in dana.last_message().buttons
    for data in _listed(dana.last_message()):
        async with sandbox.database.reading() as uow:
            assert (await uow.spots.get(int(data.split(":")[1]))).max_vehicle_size == "van"
    await dana.press("🚙")
    await dana.press("★ Any rating")
    assert "★ 4.0+" in dana.last_message().buttons
