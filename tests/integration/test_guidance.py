"""Route links and driving times; openrouteservice is reached only on loopback here."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

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


class _FakeOpenRouteService(BaseHTTPRequestHandler):
    """openrouteservice's directions endpoint, answered on loopback the way the real one is."""

    behaviour = "ok"
    requests: ClassVar[list[dict]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(
            {"path": self.path, "body": body, "key": self.headers["Authorization"]}
        )
        if self.behaviour == "slow":
            time.sleep(1.0)
        if self.behaviour == "error":
            self._answer(403, {"error": "Access to this API has been disallowed"})
            return
        self._answer(200, {"routes": [{"summary": {"distance": 4321.5, "duration": 618.2}}]})

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def openrouteservice_server():
    _FakeOpenRouteService.requests.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenRouteService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _router(server, behaviour):
    _FakeOpenRouteService.behaviour = behaviour
    host, port = server.server_address
    return OpenRouteServiceRouter("test-key", base_url=f"http://{host}:{port}", timeout_s=0.3)


async def test_openrouteservice_gives_the_driving_time_and_is_cached(openrouteservice_server):
    router = _router(openrouteservice_server, "ok")
    eta = await router.eta(DRIVER, SPOT)
    assert (eta.distance_m, eta.duration_s, eta.estimated) == (4322, 618, False)
    (call,) = _FakeOpenRouteService.requests
    assert call["path"] == "/v2/directions/driving-car/json"
    assert call["body"]["coordinates"] == [[13.3777, 52.5163], [13.4132, 52.5219]]
    assert call["key"] == "test-key"
    assert await router.eta(DRIVER, SPOT) == eta
    assert len(_FakeOpenRouteService.requests) == 1


async def test_a_slow_openrouteservice_falls_back_to_the_estimate(openrouteservice_server):
    eta = await _router(openrouteservice_server, "slow").eta(DRIVER, SPOT)
    assert eta.estimated


async def test_an_openrouteservice_error_falls_back_to_the_estimate(openrouteservice_server):
    eta = await _router(openrouteservice_server, "error").eta(DRIVER, SPOT)
    assert eta.estimated
