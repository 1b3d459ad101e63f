"""Coordinates as people type them are read as the point they name, and nothing else is."""

import pytest

from core.geo import GeoPoint, parse_coordinates

ALEX = GeoPoint(52.52, 13.405)


@pytest.mark.parametrize(
    ("typed", "point"),
    [
        ("52.5200, 13.4050", ALEX),
        ("52.52 13.405", ALEX),
        ("52.52,13.405", ALEX),
        ("52,5200 13,4050", ALEX),
        ("52,5200, 13,4050", ALEX),
        ("52.52; 13.405", ALEX),
        ("  52.52 , 13.405  ", ALEX),
        ("52°31'12\"N 13°24'18\"E", ALEX),
        ("52°31′12″N, 13°24′18″E", ALEX),
        ("52° 31.2' N, 13° 24.3' E", ALEX),
        ("N 52° 31.2' E 13° 24.3'", ALEX),
        ("n 52.52 e 13.405", ALEX),
        ("13°24'18\"E 52°31'12\"N", ALEX),
        ("52° 13°", GeoPoint(52.0, 13.0)),
        ("-33.8688, 151.2093", GeoPoint(-33.8688, 151.2093)),
        ("33.8688 S, 151.2093 E", GeoPoint(-33.8688, 151.2093)),
        ("40.7128° N, 74.0060° W", GeoPoint(40.7128, -74.006)),
    ],
)
def test_typed_coordinates_are_read_as_a_point(typed, point):
    found = parse_coordinates(typed)
    assert found is not None
    assert found.lat == pytest.approx(point.lat, abs=1e-9)
    assert found.lon == pytest.approx(point.lon, abs=1e-9)


@pytest.mark.parametrize(
    "typed",
    [
        "Berlin",
        "Torstraße 12, Berlin",
        "52 13",  # two whole numbers: a time or a house number, more likely than a place
        "12 14",
        "52.52",
        "52.52, 13.405, 7.1",
        "95.0, 13.4",  # no latitude beyond the poles
        "52.5, 190.0",
        "52°61' N, 13° E",  # minutes below 60
        "52°30'75\" N, 13° E",  # seconds below 60
        "52.5°30' N, 13° E",  # minutes only after whole degrees
        "52.5 N, 53.5 N",  # two latitudes
        "13.4 E, 52.5 E",
        "-52.5 S, 13.4 E",  # a sign and a hemisphere say it twice
        "52.5 X 13.4",
        "today 12-14",
        "1" * 100,
    ],
)
def test_anything_else_is_not_read_as_coordinates(typed):
    assert parse_coordinates(typed) is None
