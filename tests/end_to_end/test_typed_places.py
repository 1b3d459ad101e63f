"""Drivers and owners type a place instead of sharing it: coordinates are read as the point they
name, the demo city's gazetteer knows real places and guesses nothing, and a driver far from
every spot hears where ParkShare has spots."""

import pytest
from geopy.distance import geodesic
from sqlalchemy import select

from core.db.models import Spot
from sandbox.client import tiny_png
from sandbox.demo_city import BERLIN

pytestmark = pytest.mark.parametrize("demo_spots", [120])
ALEXANDERPLATZ = (52.521918, 13.413215)


def _listed(message):
    return [data for data in message.button_data if data.startswith("spot:")]


async def _nearest_listed(sandbox, message):
    spot_id = int(_listed(message)[0].split(":")[1])
    async with sandbox.database.reading() as uow:
        spot = await uow.spots.get(spot_id)
    return spot.lat, spot.lon


@pytest.mark.parametrize(
    "typed",
    [
        "52.5219, 13.4132",
        "52.5219 13.4132",
        "52,5219 13,4132",
        "52°31'19\"N 13°24'48\"E",
        "52° 31.31' N, 13° 24.79' E",
    ],
)
async def test_a_driver_who_types_coordinates_gets_spots_near_that_point(sandbox, typed):
    dana = sandbox.person("Dana")
    await dana.send(typed)
    results = dana.last_message()
    assert _listed(results), results.text
    # The nearest spot to Alexanderplatz, not to the city's centre 600 m away.
    await dana.share_location(*ALEXANDERPLATZ)
    assert _listed(dana.last_message())[0] == _listed(results)[0]


async def test_typed_coordinates_replace_a_search_under_way(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(BERLIN.centre.lat, BERLIN.centre.lon)
    await dana.send("52.5219, 13.4132")
    assert geodesic(await _nearest_listed(sandbox, dana.last_message()), ALEXANDERPLATZ).m < 1500


async def test_an_owner_who_types_coordinates_lists_the_spot_there(sandbox):
    owner = sandbox.person("Olga")
    await owner.send("/list")
    await owner.send("52,5200, 13,4050")
    await owner.send("Garage on Elm St")
    await owner.send("€3/h")
    await owner.press("Skip")
    await owner.press("Done")
    await owner.send("Gate code 1234")
    await owner.send_photo(tiny_png(rgb=(10, 10, 10)))
    await owner.press("Done")
    await owner.send("Mon-Fri 08:00-18:00")
    await owner.press("✅ Submit")
    async with sandbox.database.reading() as uow:
        (spot,) = (
            await uow.session.scalars(select(Spot).where(Spot.title == "Garage on Elm St"))
        ).all()
    assert (spot.lat, spot.lon, spot.timezone) == (52.52, 13.405, "Europe/Berlin")


async def test_the_demo_gazetteer_does_not_put_an_unknown_berlin_place_at_the_centre(sandbox):
    dana = sandbox.person("Dana")
    await dana.send("Flughafen Berlin Brandenburg")
    assert not _listed(dana.last_message())
    assert "didn't understand" in dana.last_message().text


async def test_the_demo_gazetteer_knows_real_places_of_the_demo_city(sandbox):
    dana = sandbox.person("Dana")
    await dana.send("Alexanderplatz, Berlin")
    by_name = _listed(dana.last_message())
    await dana.share_location(*ALEXANDERPLATZ)
    assert by_name == _listed(dana.last_message())


async def test_a_driver_far_from_every_spot_hears_where_parkshare_has_spots(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(48.1372, 11.5756)  # Munich, 500 km from the demo city
    text = dana.last_message().text
    assert not _listed(dana.last_message())
    assert "ParkShare has no spots near here yet" in text
    assert "Berlin" in text
    assert "km away" in text


async def test_a_driver_just_beyond_the_search_radius_hears_where_and_can_reach_it(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(52.52, 12.85)  # some 33 km west of the demo city's spots
    assert "It has spots in Berlin (3" in dana.last_message().text
    await dana.press("Search farther")
    assert _listed(dana.last_message())


async def test_a_driver_near_spots_with_none_free_is_not_told_to_go_elsewhere(sandbox):
    dana = sandbox.person("Dana")
    await dana.share_location(*ALEXANDERPLATZ)
    await dana.press("Max price")
    await dana.send("1")
    text = dana.last_message().text
    assert not _listed(dana.last_message())
    assert "No spot is free within" in text
    assert "has no spots near here" not in text
