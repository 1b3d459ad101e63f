import math

import pytest

from core.errors import InvalidLocation
from core.geo import GeoPoint, box_around, metres_from
from core.timezones import timezone_of


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(90.1, 0), (-91, 0), (0, 180.5), (0, -181), (math.nan, 0), (0, math.inf), (True, 0)],
)
def test_points_off_the_globe_are_refused(lat, lon):
    with pytest.raises(InvalidLocation):
        GeoPoint(lat, lon)


def test_a_point_read_back_from_the_store_is_the_point_that_was_written():
    stored = GeoPoint.stored(52.52, 13.405)
    assert stored == GeoPoint(52.52, 13.405)
    assert (stored.lat, stored.lon) == (52.52, 13.405)
    assert hash(stored) == hash(GeoPoint(52.52, 13.405))


def test_coordinates_come_out_in_the_order_each_library_expects():
    point = GeoPoint(52.52, 13.405)
    assert point.to_latlon() == (52.52, 13.405)
    assert point.to_lonlat() == (13.405, 52.52)


def test_geodesic_distance_between_two_berlin_landmarks():
    brandenburg_gate = GeoPoint(52.5163, 13.3777)
    alexanderplatz = GeoPoint(52.5219, 13.4132)
    assert 2_350 < brandenburg_gate.distance_m(alexanderplatz) < 2_550


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (52.52, 13.405, "Europe/Berlin"),
        (31.23, 121.47, "Asia/Shanghai"),
        (55.75, 37.62, "Europe/Moscow"),
        (40.71, -74.0, "America/New_York"),
    ],
)
def test_a_place_has_its_timezone_found_offline(lat, lon, zone):
    assert timezone_of(GeoPoint(lat, lon)) == zone


def test_a_place_at_sea_has_no_timezone_for_a_spot():
    with pytest.raises(InvalidLocation) as caught:
        timezone_of(GeoPoint(40.0, -40.0))
    assert caught.value.details["reason"] == "at_sea"


@pytest.mark.parametrize(
    "other", [GeoPoint(52.5219, 13.4132), GeoPoint(52.7, 13.6), GeoPoint(52.3, 13.1)]
)
def test_the_fast_distance_agrees_with_the_geodesic_at_city_scale(other):
    origin = GeoPoint(52.5163, 13.3777)
    geodesic = origin.distance_m(other)
    assert abs(metres_from(origin)(other.lat, other.lon) - geodesic) < 0.005 * geodesic


def test_a_box_around_a_point_holds_points_within_its_radius():
    centre, inside = GeoPoint(52.52, 13.405), GeoPoint(52.523, 13.409)
    south, west, north, east = box_around(centre, 600)
    assert south <= inside.lat <= north
    assert west <= inside.lon <= east


def test_boxes_at_the_poles_and_the_antimeridian_stay_on_the_globe():
    south, west, north, east = box_around(GeoPoint(89.999, 179.999), 5_000)
    assert -90 <= south <= north <= 90
    assert -180 <= west <= east <= 180
