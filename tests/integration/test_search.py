"""Drivers get the nearest spots that are free for their whole window."""

import math
import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update

from core.db.models import Spot, VehicleSize
from core.db.spatial import KEY_SPOT_SHIFT, PLACE_UNITS_PER_DEGREE, place_key
from core.errors import InvalidWindow, WindowInPast
from core.geo import METRES_PER_DEG, GeoPoint
from core.money import Money
from core.pricing import price_for_window
from core.services import audit, bookings, ratings, spots
from core.services.search import FIRST_RADIUS_M, SearchFilters, SortOrder, nearest_free
from core.status import SpotStatus
from core.window import Window
from tests.integration.builders import a_person
from tests.integration.test_settlement import pay, stay_through

LARGE = VehicleSize.LARGE
DRIVER_AT = GeoPoint(52.5200, 13.4050)
# SQLite: the spots its spatial index holds, by the id in their keys.
INDEXED_SPOTS = text(f"SELECT key >> {KEY_SPOT_SHIFT} FROM spot_place")


def metres_north(metres: float) -> GeoPoint:
    return GeoPoint(DRIVER_AT.lat + metres / 111_320, DRIVER_AT.lon)


def metres_east(metres: float) -> GeoPoint:
    return GeoPoint(
        DRIVER_AT.lat, DRIVER_AT.lon + metres / (111_320 * math.cos(math.radians(52.52)))
    )


async def a_spot(db, clock, owner, metres, *, hourly=300, status=SpotStatus.APPROVED, hours=None,
                 point=None, **features):  # fmt: skip
    async with db.unit_of_work() as uow:
        spot = await spots.create(
            uow, clock, owner_id=owner.id, moderated=status == SpotStatus.PENDING,
            draft=spots.SpotDraft(
                title=f"Spot {metres} m", point=point or metres_north(metres),
                hourly_price=Money(hourly, "EUR"), **features,
            ),
        )  # fmt: skip
        if status not in (SpotStatus.APPROVED, SpotStatus.PENDING):
            await spots.set_status(uow, spot.id, status)
        for weekday in range(7):
            first, last = hours or (0, 1440)
            await spots.add_weekly_rule(
                uow, spot_id=spot.id, owner_id=owner.id, weekday=weekday, start_minute=first,
                end_minute=last,
            )  # fmt: skip
        return spot


async def search(db, clock, *, hours=2, k=10, length=None, **options):
    start = clock.now() + timedelta(minutes=10)
    return await nearest_free(
        db, point=DRIVER_AT, start=start, end=start + (length or timedelta(hours=hours)),
            now=clock.now(), k=k, **options,
        )  # fmt: skip


@pytest.fixture
async def owner(db, clock):
    return await a_person(db, clock, "Olga")


async def test_the_nearest_free_spots_come_first_with_their_distance_and_price(db, clock, owner):
    far = await a_spot(db, clock, owner, 900)
    near = await a_spot(db, clock, owner, 150)
    middle = await a_spot(db, clock, owner, 500)
    result = await search(db, clock)
    assert [hit.spot_id for hit in result.hits] == [near.id, middle.id, far.id]
    assert 140 <= result.hits[0].distance_m <= 160
    assert result.hits[0].price == Money(600, "EUR")


async def test_a_spot_just_past_a_ring_in_whole_square_metres_is_found(db, clock, owner):
    # SQLite's rings meet at whole square metres: a spot due north, a few millimetres past
    # the first ring's 50 m, still counts in that ring, so its box must reach it.
    unit_m = METRES_PER_DEG / PLACE_UNITS_PER_DEGREE
    north = math.ceil(FIRST_RADIUS_M / unit_m) * unit_m
    assert FIRST_RADIUS_M < north < math.sqrt(FIRST_RADIUS_M**2 + 1)
    spot = await a_spot(db, clock, owner, 0, point=GeoPoint(DRIVER_AT.lat + north / METRES_PER_DEG,
                                                          DRIVER_AT.lon))  # fmt: skip
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [spot.id]


async def test_distance_is_ranked_in_metres_not_in_degrees(db, clock, owner):
    # At Berlin's latitude 200 m east is more degrees than 250 m north: ranking by degrees
    # (PostGIS's geometry in 4326) would put the northern spot first.
    east = await a_spot(db, clock, owner, 200, point=metres_east(200))
    north = await a_spot(db, clock, owner, 250)
    result = await search(db, clock)
    assert [hit.spot_id for hit in result.hits] == [east.id, north.id]
    assert [round(hit.distance_m, -1) for hit in result.hits] == [200, 250]


async def test_at_most_k_spots_are_returned(db, clock, owner):
    for metres in (100, 200, 300):
        await a_spot(db, clock, owner, metres)
    assert len((await search(db, clock, k=2)).hits) == 2


async def test_a_search_asking_for_more_begins_with_what_one_asking_for_fewer_found(
    db, clock, owner
):
    """Each results page asks for as many spots as it shows: the pages agree only if a search
    for more begins with what a search for fewer found, spots at one address included."""
    nearer = await a_spot(db, clock, owner, 100)
    garage = [await a_spot(db, clock, owner, 300) for _ in range(12)]
    # Paused and approved again last first: the index no longer holds them in their ids' order.
    for spot in reversed(garage):
        async with db.unit_of_work() as uow:
            await spots.set_status(uow, spot.id, SpotStatus.PAUSED)
            await spots.set_status(uow, spot.id, SpotStatus.APPROVED)
    found = {k: [hit.spot_id for hit in (await search(db, clock, k=k)).hits] for k in (6, 11)}
    assert found[11][:6] == found[6]
    assert found[11][0] == nearer.id
    assert len(set(found[11][1:]) & {spot.id for spot in garage}) == 10


async def test_a_spot_booked_for_part_of_the_window_is_left_out(db, clock, owner):
    booked = await a_spot(db, clock, owner, 100)
    free = await a_spot(db, clock, owner, 300)
    driver = await a_person(db, clock, "Dana")
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=booked.id, start=start,
            end=start + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [free.id]


async def test_the_nearest_that_pass_are_found_when_nearer_ones_fail_within_one_ring(
    db, clock, owner
):
    # All within SQLite's first ring, made farthest first so that ids run against distance:
    # the ring's spots are tested nearest first until enough pass, not in the index's order.
    far_to_near = [await a_spot(db, clock, owner, metres, hourly=300 if metres > 15 else 900)
                   for metres in (45, 40, 35, 30, 25, 20, 15, 10)]  # fmt: skip
    booked = far_to_near[-4:-2]  # 25 and 20 m
    driver = await a_person(db, clock, "Dana")
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        for spot in booked:
            await bookings.request(
                uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
                end=start + timedelta(hours=1), commission_basis_points=1500,
            )  # fmt: skip
    affordable = SearchFilters(max_price=Money(600, "EUR"))
    found = await search(db, clock, k=3, filters=affordable)
    assert [hit.spot_id for hit in found.hits] == [spot.id for spot in far_to_near[3::-1][:3]]
    nearest = await search(db, clock, k=3)
    assert [hit.spot_id for hit in nearest.hits] == [far_to_near[7].id, far_to_near[6].id,
                                                    far_to_near[3].id]  # fmt: skip


async def test_a_spot_not_offered_for_the_whole_window_is_left_out(db, clock, owner):
    # The clock says 09:00 UTC = 11:00 in Berlin; this spot closes at 12:00 local.
    await a_spot(db, clock, owner, 100, hours=(8 * 60, 12 * 60))
    offered = await a_spot(db, clock, owner, 300)
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [offered.id]


async def test_a_spot_closed_by_its_weekly_hours_is_found_when_opened_for_the_day(db, clock, owner):
    evenings = await a_spot(db, clock, owner, 100, hours=(18 * 60, 24 * 60))
    assert (await search(db, clock)).hits == []
    async with db.unit_of_work() as uow:
        await spots.add_window(
            uow, spot_id=evenings.id, owner_id=owner.id, start=clock.now(),
            end=clock.now() + timedelta(hours=6),
        )  # fmt: skip
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [evenings.id]


async def test_hours_written_as_two_ranges_that_meet_cover_a_window_across_them(db, clock, owner):
    # 11:10-13:10 in Berlin, across the owner's 08:00-12:00 and 12:00-18:00.
    spot = await a_spot(db, clock, owner, 100, hours=(8 * 60, 12 * 60))
    async with db.unit_of_work() as uow:
        for weekday in range(7):
            await spots.add_weekly_rule(
                uow, spot_id=spot.id, owner_id=owner.id, weekday=weekday,
                start_minute=12 * 60, end_minute=18 * 60,
            )  # fmt: skip
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [spot.id]


async def test_pending_and_paused_spots_are_not_found(db, clock, owner):
    await a_spot(db, clock, owner, 100, status=SpotStatus.PENDING)
    await a_spot(db, clock, owner, 150, status=SpotStatus.PAUSED)
    assert (await search(db, clock)).hits == []


async def test_the_search_widens_until_it_finds_a_spot_far_away(db, clock, owner):
    distant = await a_spot(db, clock, owner, 7_000)
    result = await search(db, clock)
    assert [hit.spot_id for hit in result.hits] == [distant.id]
    assert result.radius_m >= 7_000


async def test_an_empty_city_says_how_far_it_looked(db, clock):
    result = await search(db, clock, max_radius_m=3_000)
    assert result.hits == []
    assert result.radius_m == 3_000


@pytest.mark.parametrize(
    ("filters", "features", "kept"),
    [
        (SearchFilters(ev_charger=True), {"ev_charger": True}, True),
        (SearchFilters(ev_charger=True), {}, False),
        (SearchFilters(covered=True), {"covered": True}, True),
        (SearchFilters(covered=True), {}, False),
        (SearchFilters(vehicle_size=VehicleSize.VAN), {"max_vehicle_size": LARGE}, False),
        (SearchFilters(vehicle_size=VehicleSize.SMALL), {"max_vehicle_size": LARGE}, True),
        (SearchFilters(max_price=Money(500, "EUR")), {}, False),
        (SearchFilters(max_price=Money(600, "EUR")), {}, True),
    ],
)  # fmt: skip
async def test_filters_keep_only_matching_spots(db, clock, owner, filters, features, kept):
    await a_spot(db, clock, owner, 100, **features)
    assert bool((await search(db, clock, filters=filters)).hits) is kept


@pytest.mark.parametrize(("limit", "kept"), [(4_000, True), (3_999, False)])
async def test_a_price_limit_reads_the_day_rate_of_a_long_window(db, clock, owner, limit, kept):
    # 36 hours: one day at the day rate (20.00), and twelve hours at 3.00 an hour capped at it.
    spot = await a_spot(db, clock, owner, 100, daily_price=Money(2_000, "EUR"))
    result = await search(db, clock, hours=36, filters=SearchFilters(max_price=Money(limit, "EUR")))
    assert [hit.spot_id for hit in result.hits] == ([spot.id] if kept else [])
    if kept:
        assert result.hits[0].price == Money(4_000, "EUR")


async def test_cheapest_order_ranks_by_the_price_of_the_window(db, clock, owner):
    dear = await a_spot(db, clock, owner, 100, hourly=500)
    cheap = await a_spot(db, clock, owner, 600, hourly=200)
    result = await search(db, clock, order=SortOrder.CHEAPEST)
    assert [hit.spot_id for hit in result.hits] == [cheap.id, dear.id]


async def test_a_window_in_the_past_is_refused(db, clock):
    with pytest.raises(WindowInPast):
        await nearest_free(
            db, point=DRIVER_AT, start=clock.now() - timedelta(hours=3),
            end=clock.now() - timedelta(hours=1), now=clock.now(),
        )  # fmt: skip


async def test_a_window_ending_before_it_starts_is_refused(db, clock):
    with pytest.raises(InvalidWindow):
        await nearest_free(
            db, point=DRIVER_AT, start=clock.now() + timedelta(hours=3),
            end=clock.now() + timedelta(hours=1), now=clock.now(),
        )  # fmt: skip


async def test_search_on_a_running_database_sees_committed_spots(committing_db, clock):
    # A database opened from a URL searches on its own read path (a worker thread on SQLite).
    owner = await a_person(committing_db, clock, "Olga")
    spot = await a_spot(committing_db, clock, owner, 250)
    result = await search(committing_db, clock)
    assert [hit.spot_id for hit in result.hits] == [spot.id]


async def test_a_spot_moved_is_found_where_it_now_is(db, clock, owner):
    spot = await a_spot(db, clock, owner, 100)
    async with db.unit_of_work() as uow:
        moved = await uow.session.get(Spot, spot.id)
        moved.lat = metres_north(5_000).lat
    assert (await search(db, clock, max_radius_m=1_000)).hits == []
    (hit,) = (await search(db, clock)).hits
    assert (hit.spot_id, hit.point.lat) == (spot.id, metres_north(5_000).lat)
    assert 4_990 <= hit.distance_m <= 5_010


async def test_a_spot_deleted_leaves_the_spatial_index(db, clock, owner):
    spot = await a_spot(db, clock, owner, 100)
    kept = await a_spot(db, clock, owner, 300)
    async with db.unit_of_work() as uow:
        await uow.session.execute(delete(Spot).where(Spot.id == spot.id))
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [kept.id]
    if db.dialect == "sqlite":  # PostgreSQL's place is a column of the row itself
        async with db.unit_of_work() as uow:
            indexed = await uow.session.scalars(INDEXED_SPOTS)
            assert spot.id not in set(indexed)


async def test_the_spatial_index_holds_approved_spots_only(db, clock, owner):
    spot = await a_spot(db, clock, owner, 100)
    async with db.unit_of_work() as uow:
        await spots.set_status(uow, spot.id, SpotStatus.PAUSED)
    assert (await search(db, clock)).hits == []
    if db.dialect == "sqlite":
        async with db.unit_of_work() as uow:
            indexed = await uow.session.scalars(INDEXED_SPOTS)
            assert spot.id not in set(indexed)
    async with db.unit_of_work() as uow:
        await spots.set_status(uow, spot.id, SpotStatus.APPROVED)
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [spot.id]


async def test_a_spot_is_filtered_on_its_charger_roof_and_size_as_its_row_says_now(
    db, clock, owner
):
    spot = await a_spot(db, clock, owner, 100, max_vehicle_size=VehicleSize.SMALL)
    wanted = SearchFilters(ev_charger=True, covered=True, vehicle_size=VehicleSize.VAN)
    assert (await search(db, clock, filters=wanted)).hits == []
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Spot)
            .where(Spot.id == spot.id)
            .values(ev_charger=True, covered=True, max_vehicle_size=VehicleSize.VAN)
        )
    assert [hit.spot_id for hit in (await search(db, clock, filters=wanted)).hits] == [spot.id]
    async with db.unit_of_work() as uow:
        await uow.session.execute(update(Spot).where(Spot.id == spot.id).values(covered=False))
    assert (await search(db, clock, filters=wanted)).hits == []
    assert [hit.spot_id for hit in (await search(db, clock)).hits] == [spot.id]


@pytest.mark.parametrize("database_factory", ["sqlite"], indirect=True)
async def test_the_audit_finds_a_spatial_index_entry_keyed_unlike_its_spot(db, clock, owner):
    spot = await a_spot(db, clock, owner, 100)
    # As if the key said a charger the row does not have: the audit must tell.
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("UPDATE spot_place SET key = key | 1"))
    async with db.reading() as uow:
        report = await audit.run(uow)
    async with db.reading() as uow:
        slots = await uow.session.scalar(select(Spot.free_week_slots).where(Spot.id == spot.id))
    key = place_key(spot.id, slots, ev_charger=False, covered=False, size=spot.max_vehicle_size)
    # Its entry is under a key of no spot.
    assert [str(violation) for violation in report.violations] == [
        f"spatial index misses an approved spot: spot {spot.id}: no entry keyed {key:#x} "
        "in spot_place",
        "spatial index holds entries of no approved spot: spot_place: 1 of its 1 entries",
    ]
    async with db.unit_of_work() as uow:
        await uow.session.execute(text("UPDATE spot_place SET key = key & ~1"))
    async with db.reading() as uow:
        assert (await audit.run(uow)).violations == []


@pytest.mark.parametrize(
    ("breaking", "mending", "rule", "index"),
    [
        ("UPDATE spot_place SET min_lat = min_lat - 1",
         "UPDATE spot_place SET min_lat = min_lat + 1",
         "spatial index places a spot elsewhere", "spot_place"),
        (f"INSERT INTO spot_place SELECT key + (1000 << {KEY_SPOT_SHIFT}), min_lat, max_lat, "
         "min_lon, max_lon FROM spot_place",
         f"DELETE FROM spot_place WHERE key >> {KEY_SPOT_SHIFT} NOT IN (SELECT id FROM spot)",
         "spatial index holds entries of no approved spot", "spot_place"),
        ("DELETE FROM spot_place_ev_charger",
         "INSERT INTO spot_place_ev_charger SELECT * FROM spot_place WHERE key & 1",
         "spatial index misses an approved spot", "spot_place_ev_charger"),
        ("INSERT INTO spot_place_ev_charger SELECT * FROM spot_place WHERE NOT key & 1",
         "DELETE FROM spot_place_ev_charger WHERE NOT key & 1",
         "spatial index holds entries of no approved spot", "spot_place_ev_charger"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("database_factory", ["sqlite"], indirect=True)
async def test_the_audit_finds_a_spatial_index_entry_misplaced_missing_or_of_no_spot(
    db, clock, owner, breaking, mending, rule, index
):
    await a_spot(db, clock, owner, 100, ev_charger=True)
    await a_spot(db, clock, owner, 200)
    async with db.unit_of_work() as uow:
        await uow.session.execute(text(breaking))
    async with db.reading() as uow:
        report = await audit.run(uow)
    assert report.violations
    for violation in report.violations:
        assert violation.rule == rule
        assert re.search(rf"\b{index}\b", violation.detail)
    async with db.unit_of_work() as uow:
        await uow.session.execute(text(mending))
    async with db.reading() as uow:
        assert (await audit.run(uow)).violations == []


@pytest.mark.parametrize(
    ("near", "filters"),
    [
        ({"hours": (0, 60)}, SearchFilters()),  # closed at the window's hours
        ({}, SearchFilters(ev_charger=True)),  # open, but without a charger
    ],
)
async def test_a_search_reads_a_bounded_number_of_spots_and_says_how_far_that_reached(
    db, clock, owner, near, filters
):
    for metres in (100, 200, 300, 400, 500, 600):
        await a_spot(db, clock, owner, metres, **near)
    far = await a_spot(db, clock, owner, 5_000, ev_charger=True)
    bounded = await search(db, clock, max_examined=4, filters=filters)
    assert [hit.spot_id for hit in (await search(db, clock, filters=filters)).hits] == [far.id]
    if filters.ev_charger:
        # The index of spots with a charger never hands over one without.
        assert [hit.spot_id for hit in bounded.hits] == [far.id]
        return
    assert bounded.hits == []
    # The four nearest were read, the fifth was not: "nothing free within 400 m", not 25 km.
    assert 399 <= bounded.radius_m < 500


async def a_rated_stay(db, clock, spot, driver, stars):
    start = clock.now() + timedelta(hours=1)
    async with db.unit_of_work() as uow:
        booking = await bookings.request(
            uow, clock, driver_id=driver.id, spot_id=spot.id, start=start,
            end=start + timedelta(hours=1), commission_basis_points=1500,
        )  # fmt: skip
    await pay(db, clock, booking, external_id=f"tg-{booking.id}")
    await stay_through(db, clock, booking)
    async with db.unit_of_work() as uow:
        await ratings.rate(uow, clock, booking_id=booking.id, rater_id=driver.id, stars=stars)


async def test_a_search_shows_and_filters_on_the_stars_drivers_gave(db, clock, owner):
    driver = await a_person(db, clock, "Dana")
    best, good, unrated = [await a_spot(db, clock, owner, metres) for metres in (100, 200, 300)]
    for spot, stars in ((best, 5), (best, 4), (good, 3)):
        await a_rated_stay(db, clock, spot, driver, stars)
    shown = {hit.spot_id: (hit.rating, hit.rating_count) for hit in (await search(db, clock)).hits}
    assert shown == {best.id: (4.5, 2), good.id: (3.0, 1), unrated.id: (None, 0)}
    for least, found in ((4.5, [best.id]), (4.6, []), (3.0, [best.id, good.id])):
        result = await search(db, clock, filters=SearchFilters(min_rating=least))
        assert [hit.spot_id for hit in result.hits] == found


async def test_the_audit_finds_a_spots_rating_totals_unlike_its_ratings(db, clock, owner):
    spot = await a_spot(db, clock, owner, 100)
    totals = update(Spot).where(Spot.id == spot.id)
    async with db.unit_of_work() as uow:
        await uow.session.execute(totals.values(rating_count=1, rating_star_sum=5))
    async with db.reading() as uow:
        report = await audit.run(uow)
    assert [str(violation) for violation in report.violations] == [
        f"spot's rating totals disagree with its ratings: spot {spot.id}: 1 ratings of 5 stars "
        "on its row, 0 of 0 counted"
    ]
    async with db.unit_of_work() as uow:
        await uow.session.execute(totals.values(rating_count=0, rating_star_sum=0))


@pytest.mark.parametrize("minutes", [1, 59, 61, 150, 1_439, 1_440, 1_441, 2_000, 4_321])
async def test_a_price_limit_in_the_store_prices_a_window_as_pricing_does(
    db, clock, owner, minutes
):
    rng = random.Random(minutes)
    priced = {}
    for n in range(12):
        hourly = rng.randrange(1, 900)
        daily = rng.choice([None, rng.randrange(1, 30_000)])
        spot = await a_spot(db, clock, owner, 10 * n, hourly=hourly,
                            daily_price=None if daily is None else Money(daily, "EUR"))  # fmt: skip
        start = clock.now() + timedelta(minutes=10)
        window = Window(start, start + timedelta(minutes=minutes))
        priced[spot.id] = price_for_window(
            Money(hourly, "EUR"), None if daily is None else Money(daily, "EUR"),
            window.start, window.end,
        ).minor  # fmt: skip
    for limit in sorted(set(priced.values())):
        result = await search(db, clock, length=timedelta(minutes=minutes), k=20,
                              filters=SearchFilters(max_price=Money(limit, "EUR")))  # fmt: skip
        assert {hit.spot_id for hit in result.hits} == {
            spot for spot, price in priced.items() if price <= limit
        }
        assert all(hit.price.minor == priced[hit.spot_id] for hit in result.hits)


async def test_a_search_passes_over_a_spot_whose_week_slots_miss_the_window(db, clock, owner):
    near, far = await a_spot(db, clock, owner, 100), await a_spot(db, clock, owner, 300)
    await _set_week_slots(db, near.id, 0)

    found = await search(db, clock)

    assert [hit.spot_id for hit in found.hits] == [far.id]
    await _set_week_slots(db, near.id, -1)  # every slot: what the audit after the test accepts


async def _set_week_slots(db, spot_id: int, slots: int) -> None:
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            update(Spot).where(Spot.id == spot_id).values(free_week_slots=slots)
        )
