"""Map guidance: links that open a route in the driver's navigation app, and the driving time
to a spot — from openrouteservice when a key is configured, otherwise an offline estimate that
says it is one. A routing failure never breaks a spot card."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import openrouteservice
from openrouteservice.exceptions import ApiError, HTTPError, Timeout

from core.geo import GeoPoint
from core.ports import Eta, Router

log = logging.getLogger(__name__)

# Offline estimate: streets are longer than the crow flies, and city traffic is slow.
DETOUR_FACTOR = 1.3
CITY_SPEED_M_PER_S = 25_000 / 3600
ORS_TIMEOUT_S = 3
CACHE_SIZE = 2048
# Coordinates are rounded to about 10 m for caching: the same spot from the same corner.
CACHE_PRECISION = 4


class OfflineRouter:
    async def eta(self, origin: GeoPoint, destination: GeoPoint) -> Eta:
        road = origin.distance_m(destination) * DETOUR_FACTOR
        return Eta(round(road), round(road / CITY_SPEED_M_PER_S), estimated=True)


class OpenRouteServiceRouter:
    """driving-car directions, called off the event loop with a short timeout and a cache."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = "https://api.openrouteservice.org",
        timeout_s: float = ORS_TIMEOUT_S,
    ) -> None:
        self._client = openrouteservice.Client(
            key=api_key, base_url=base_url, timeout=timeout_s, retry_timeout=timeout_s,
            retry_over_query_limit=False,
        )  # fmt: skip
        self._fallback = OfflineRouter()
        self._cache: OrderedDict[tuple[float, ...], Eta] = OrderedDict()

    async def eta(self, origin: GeoPoint, destination: GeoPoint) -> Eta:
        key = tuple(
            round(value, CACHE_PRECISION)
            for value in (*origin.to_lonlat(), *destination.to_lonlat())
        )
        if (cached := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return cached
        try:
            route = await asyncio.to_thread(
                self._client.directions,
                (origin.to_lonlat(), destination.to_lonlat()),
                profile="driving-car",
            )
            summary = route["routes"][0]["summary"]
            eta = Eta(round(summary["distance"]), round(summary["duration"]), estimated=False)
        # requests raises OSError subclasses for connection failures.
        except (ApiError, HTTPError, Timeout, KeyError, IndexError, OSError):
            log.warning("openrouteservice failed; using the offline estimate", exc_info=True)
            return await self._fallback.eta(origin, destination)
        self._cache[key] = eta
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return eta


@dataclass(frozen=True, slots=True)
class RouteLink:
    app: str
    url: str


def route_links(
    destination: GeoPoint, *, name: str, origin: GeoPoint | None = None, chinese: bool = False
) -> list[RouteLink]:
    """Driving directions in the common navigation apps; Amap and Baidu for Chinese users."""
    lat, lon = destination.lat, destination.lon
    google = {"api": "1", "destination": f"{lat},{lon}", "travelmode": "driving"}
    apple = {"daddr": f"{lat},{lon}", "dirflg": "d"}
    if origin is not None:
        google["origin"] = f"{origin.lat},{origin.lon}"
        apple["saddr"] = f"{origin.lat},{origin.lon}"
        osm = "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=" + quote(
            f"{origin.lat},{origin.lon};{lat},{lon}"
        )
    else:
        osm = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    links = [
        RouteLink("Google Maps", "https://www.google.com/maps/dir/?" + urlencode(google)),
        RouteLink("Apple Maps", "https://maps.apple.com/?" + urlencode(apple)),
        RouteLink("OpenStreetMap", osm),
        RouteLink("Waze", f"https://waze.com/ul?ll={lat},{lon}&navigate=yes"),
    ]
    if chinese:
        links += [
            RouteLink(
                "高德地图",
                "https://uri.amap.com/navigation?"
                + urlencode({"to": f"{lon},{lat},{name}", "mode": "car", "coordinate": "wgs84"}),
            ),
            RouteLink(
                "百度地图",
                "https://api.map.baidu.com/direction?"
                + urlencode(
                    {
                        "destination": f"latlng:{lat},{lon}|name:{name}",
                        "origin": f"latlng:{origin.lat},{origin.lon}|name:"
                        if origin
                        else f"latlng:{lat},{lon}|name:{name}",
                        "mode": "driving", "coord_type": "wgs84", "output": "html",
                        "src": "parkshare",
                    }
                ),
            ),
        ]  # fmt: skip
    return links


if TYPE_CHECKING:  # the port these adapters are, checked where they are defined
    _routers: tuple[type[Router], ...] = (OfflineRouter, OpenRouteServiceRouter)
