"""Where ParkShare has spots, said to a driver who searched far from all of them."""

from core.geo import GeoPoint
from core.money import Money
from core.services import spots
from core.services.search import service_areas
from core.status import SpotStatus
from tests.integration.builders import a_person

MUNICH = GeoPoint(48.1372, 11.5756)


async def a_spot_at(db, clock, owner, point, address, status=SpotStatus.APPROVED):
    async with db.unit_of_work() as uow:
        spot = await spots.create(
            uow, clock, owner_id=owner.id, moderated=status != SpotStatus.APPROVED,
            draft=spots.SpotDraft(
                title="Garage", point=point, address=address, hourly_price=Money(300, "EUR")
            ),
        )  # fmt: skip
        if status not in (SpotStatus.APPROVED, SpotStatus.PENDING):
            await spots.set_status(uow, spot.id, status)


async def test_areas_are_named_by_their_addresses_and_nearest_comes_first(db, clock):
    owner = await a_person(db, clock, "Olga")
    await a_spot_at(db, clock, owner, GeoPoint(52.52, 13.40), "Torstraße 12, Berlin")
    await a_spot_at(
        db, clock, owner, GeoPoint(52.53, 13.42), "Kantstraße 3, Mitte, Berlin, 10115, Deutschland"
    )
    await a_spot_at(db, clock, owner, GeoPoint(50.11, 8.68), "Zeil 5, Frankfurt am Main")
    await a_spot_at(db, clock, owner, GeoPoint(48.78, 9.18), "", status=SpotStatus.REJECTED)

    areas = await service_areas(db, point=MUNICH)

    assert [(area.name, area.spots) for area in areas] == [("Frankfurt am Main", 1), ("Berlin", 2)]
    assert 300_000 < areas[0].distance_m < 310_000
    assert areas[0].distance_m < areas[1].distance_m


async def test_an_area_without_addresses_is_named_by_its_timezone(db, clock):
    owner = await a_person(db, clock, "Olga")
    await a_spot_at(db, clock, owner, GeoPoint(55.7558, 37.6173), "")
    (area,) = await service_areas(db, point=MUNICH)
    assert area.name == "Moscow"


async def test_with_no_approved_spots_there_is_no_area(db, clock):
    owner = await a_person(db, clock, "Olga")
    await a_spot_at(
        db, clock, owner, GeoPoint(52.52, 13.40), "Torstraße 12, Berlin", SpotStatus.PENDING
    )
    assert await service_areas(db, point=MUNICH) == []
