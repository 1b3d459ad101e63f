"""Route links and driving times; openrouteservice is reached only on loopback here."""

import socket
from urllib.parse import parse_qs, urlsplit

from core.geo import GeoPoint
from core.guidance import OfflineRouter, OpenRouteServiceRouter, route_links

SPOT = GeoPoint(52.5219, 13.4132)
DRIVER = GeoPoint(52.5163, 13.3777)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_the_offline_estimate_says_it_is_an_estimate():
    eta = await OfflineRouter().eta(DRIVER, SPOT)
    assert eta.estimated
    assert 3_000 < eta.distance_m < 3_500
    assert 400 < eta.duration_s < 600


async def test_an_unreachable_router_falls_back_to_the_estimate():
    router = OpenRouteServiceRouter("key", base_url=f"http://127.0.0.1:{closed_port()}")
    eta = await router.eta(DRIVER, SPOT)
    assert eta.estimated


def test_route_links_cover_the_common_apps_with_the_destination():
    links = {link.app: link.url for link in route_links(SPOT, name="Garage", origin=DRIVER)}
    assert set(links) == {"Google Maps", "Apple Maps", "OpenStreetMap", "Waze"}
    google = parse_qs(urlsplit(links["Google Maps"]).query)
    assert google["destination"] == ["52.5219,13.4132"]
    assert google["origin"] == ["52.5163,13.3777"]
    assert "ll=52.5219,13.4132" in links["Waze"]


def test_chinese_users_also_get_amap_and_baidu():
    apps = [link.app for link in route_links(SPOT, name="车库", chinese=True)]
    assert apps[-2:] == ["高德地图", "百度地图"]
