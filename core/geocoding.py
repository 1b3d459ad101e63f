"""Typed addresses to places, behind the ``Geocoder`` port (core/ports.py), so the bot does
not care whether an OpenStreetMap server or the sandbox's offline gazetteer answers."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

from core.errors import AddressNotFound, GeocoderUnavailable, InvalidLocation
from core.geo import GeoPoint, parse_coordinates
from core.ports import Geocoder, Place

USER_AGENT = "ParkShare/0.1 (parking marketplace bot)"
TIMEOUT_S = 5


async def locate_typed(geocoder: Geocoder, text: str, *, language: str) -> Place:
    """The place typed text names: coordinates are read as they are, without asking the
    geocoder (which would misread them, or not be there at all)."""
    if (point := parse_coordinates(text)) is not None:
        return Place(point, f"{point.lat:.6f}, {point.lon:.6f}")
    return await geocoder.locate(text, language=language)


@cache
def _system_tls_context() -> ssl.SSLContext:
    """geopy's own default (the system's CAs), built once a process instead of once a geocoder:
    each reads the whole CA store. Used only by the geocoders' threads."""
    return ssl.create_default_context()


class NominatimGeocoder:
    """OpenStreetMap's Nominatim (or a compatible server), called off the event loop."""

    def __init__(self, base_url: str, *, timeout: float = TIMEOUT_S) -> None:
        parts = urlsplit(base_url)
        self._client = Nominatim(
            domain=parts.netloc + parts.path.rstrip("/"),
            scheme=parts.scheme or "https",
            user_agent=USER_AGENT,
            timeout=timeout,
            ssl_context=_system_tls_context(),
        )

    async def locate(self, address: str, *, language: str) -> Place:
        try:
            found = await asyncio.to_thread(
                self._client.geocode, address, language=language.split("_")[0], exactly_one=True
            )
        except GeopyError as error:
            raise GeocoderUnavailable(str(error)) from None
        if found is None:
            raise AddressNotFound(address)
        try:
            point = GeoPoint(found.latitude, found.longitude)
        except InvalidLocation:
            raise AddressNotFound(address) from None
        return Place(point, found.address[:255])


class NoGeocoder:
    """Address lookup switched off: people share a location instead."""

    async def locate(self, address: str, *, language: str) -> Place:
        raise GeocoderUnavailable("no geocoder configured")


class GazetteerGeocoder:
    """An offline list of named places (the sandbox's demo city): the first whose name is in the
    typed address, longest names first so "Karl-Marx-Allee" wins over "Allee". A city's name
    alone (``cities``) is found only when it is all the text says: "Berlin" is the city, but
    "Flughafen Berlin" is a place the list does not know, not the city's centre."""

    def __init__(
        self,
        places: Iterable[tuple[str, GeoPoint]],
        *,
        cities: Iterable[tuple[str, GeoPoint]] = (),
    ) -> None:
        self._places = sorted(places, key=lambda place: -len(place[0]))
        self._cities = {name.casefold(): point for name, point in cities}

    async def locate(self, address: str, *, language: str) -> Place:
        wanted = address.casefold()
        for name, point in self._places:
            if name.casefold() in wanted:
                return Place(point, address.strip()[:255])
        city = self._cities.get(" ".join(wanted.replace(",", " ").split()))
        if city is not None:
            return Place(city, address.strip()[:255])
        raise AddressNotFound(address)


if TYPE_CHECKING:  # the port these adapters are, checked where they are defined
    _geocoders: tuple[type[Geocoder], ...] = (NominatimGeocoder, NoGeocoder, GazetteerGeocoder)
