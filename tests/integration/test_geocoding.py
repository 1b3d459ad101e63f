"""Geocoders as the listing flow meets them; no request leaves this machine."""

import socket

import pytest

from core.errors import AddressNotFound, GeocoderUnavailable
from core.geo import GeoPoint
from core.geocoding import GazetteerGeocoder, NoGeocoder, NominatimGeocoder, locate_typed


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_unreachable_geocoder_is_reported_as_unavailable():
    geocoder = NominatimGeocoder(f"http://127.0.0.1:{closed_port()}", timeout=2)
    with pytest.raises(GeocoderUnavailable):
        await geocoder.locate("Torstraße 12, Berlin", language="en")


async def test_with_no_geocoder_addresses_are_unavailable():
    with pytest.raises(GeocoderUnavailable):
        await NoGeocoder().locate("anywhere", language="en")


async def test_the_gazetteer_finds_the_longest_matching_name():
    gazetteer = GazetteerGeocoder(
        [("Allee", GeoPoint(52.0, 13.0)), ("Karl-Marx-Allee", GeoPoint(52.52, 13.43))]
    )
    place = await gazetteer.locate("karl-marx-allee 33", language="en")
    assert place.point == GeoPoint(52.52, 13.43)


async def test_the_gazetteer_does_not_guess_an_unknown_address():
    with pytest.raises(AddressNotFound):
        await GazetteerGeocoder([("Torstraße", GeoPoint(52.53, 13.4))]).locate(
            "Mars", language="en"
        )


async def test_a_city_name_is_found_only_when_it_is_all_the_text_says():
    berlin = GeoPoint(52.52, 13.405)
    gazetteer = GazetteerGeocoder(
        [("Torstraße", GeoPoint(52.53, 13.4))], cities=[("Berlin", berlin)]
    )
    assert (await gazetteer.locate(" berlin ", language="en")).point == berlin
    assert (await gazetteer.locate("Torstraße 12, Berlin", language="en")).point != berlin
    with pytest.raises(AddressNotFound):
        await gazetteer.locate("Flughafen Berlin Brandenburg", language="en")


async def test_typed_coordinates_are_read_without_asking_the_geocoder():
    place = await locate_typed(NoGeocoder(), "52,5200 13,4050", language="en")
    assert place.point == GeoPoint(52.52, 13.405)
    assert place.address == "52.520000, 13.405000"
    with pytest.raises(GeocoderUnavailable):
        await locate_typed(NoGeocoder(), "Torstraße 12", language="en")
