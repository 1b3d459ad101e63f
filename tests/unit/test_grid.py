import pytest

from core.geo import GeoPoint
from core.grid import box_around, cell_of, cell_ranges, metres_from


def test_a_box_around_a_point_covers_the_cells_of_points_inside_it():
    centre = GeoPoint(52.52, 13.405)
    inside = GeoPoint(52.523, 13.409)
    ranges = cell_ranges(*box_around(centre, 600))
    assert any(first <= cell_of(inside) <= last for first, last in ranges)


def test_a_box_leaves_out_cells_far_away():
    ranges = cell_ranges(*box_around(GeoPoint(52.52, 13.405), 300))
    far = cell_of(GeoPoint(52.60, 13.405))
    assert not any(first <= far <= last for first, last in ranges)


@pytest.mark.parametrize(
    "other", [GeoPoint(52.5219, 13.4132), GeoPoint(52.7, 13.6), GeoPoint(52.3, 13.1)]
)
def test_the_fast_distance_agrees_with_the_geodesic_at_city_scale(other):
    origin = GeoPoint(52.5163, 13.3777)
    geodesic = origin.distance_m(other)
    assert abs(metres_from(origin)(other.lat, other.lon) - geodesic) < 0.005 * geodesic


def test_boxes_at_the_poles_and_the_antimeridian_stay_on_the_globe():
    south, west, north, east = box_around(GeoPoint(89.999, 179.999), 5_000)
    assert -90 <= south <= north <= 90
    assert -180 <= west <= east <= 180
    assert cell_ranges(south, west, north, east)
