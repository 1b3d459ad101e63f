"""A generated demo city for the sandbox: owners, spots with availability, prices and ratings.
Nothing is downloaded; the same seed gives the same city."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from core.availability import WeeklyRule
from core.clock import Clock
from core.db.models import Booking, Person, Rating, Role, Spot, VehicleSize
from core.db.uow import Database, UnitOfWork
from core.geo import GeoPoint
from core.geocoding import GazetteerGeocoder
from core.money import Money
from core.pricing import commission_for, price_of
from core.services import passes, people, spots
from core.settings import Settings
from core.status import BookingStatus, SpotStatus
from core.window import Window

# Demo people get ids far above real Telegram ids handed out so far, so they never collide
# with the people someone creates in the sandbox's web chat.
DEMO_ID_BASE = 9_000_000_000
# The platform's cut of the past stays the city starts with: the default commission.
DEMO_COMMISSION_BASIS_POINTS = int(Settings.model_fields["commission_percent"].default * 100)
STREETS = (
    "Torstraße", "Invalidenstraße", "Kastanienallee", "Schönhauser Allee", "Friedrichstraße",
    "Oranienstraße", "Bergmannstraße", "Karl-Marx-Allee", "Sonnenallee", "Kantstraße",
    "Danziger Straße", "Warschauer Straße", "Greifswalder Straße", "Boxhagener Straße",
    "Skalitzer Straße", "Brunnenstraße", "Ackerstraße", "Prenzlauer Allee", "Wilhelmstraße",
    "Chausseestraße", "Hermannstraße", "Yorckstraße", "Gneisenaustraße", "Potsdamer Straße",
)  # fmt: skip
KINDS = ("Courtyard spot", "Garage", "Driveway", "Underground bay", "Carport", "Gated lot")
OWNER_NAMES = (
    "Anna", "Ben", "Chen", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Katya",
    "Lukas",
)  # fmt: skip
# How a driver gets in, the way owners write it: where to enter, what opens, which bay.
ACCESS = (
    "Enter from {street} through the grey gate; key code {code}#. Bay {bay} on the left, "
    "marked PARKSHARE.",
    "Ring 'Garage {bay}' at the door on {street}; the door opens by itself at your start time. "
    "Keypad inside: {code}.",
    "Driveway next to house {house}: park nose-in in front of the white garage door. No code "
    "needed; please leave the footpath clear.",
    "Underground car park, ramp on {street}. Take a ticket at the barrier and show it with "
    "code {code} at exit. Level -1, bay {bay}.",
    "Courtyard through the archway at {street} {house}. Padlock on the chain: {code}. Bay {bay}, "
    "the one with the yellow line.",
)
WEEKDAYS, EVERY_DAY, WEEKEND = range(5), range(7), (5, 6)
# (weekdays, start minute, end minute): typical ways owners offer a spot.
PATTERNS = (
    ((WEEKDAYS, 8 * 60, 18 * 60),),
    ((EVERY_DAY, 0, 24 * 60),),
    ((EVERY_DAY, 7 * 60, 23 * 60),),
    ((WEEKDAYS, 18 * 60, 24 * 60), (WEEKEND, 0, 24 * 60)),
    ((WEEKDAYS, 9 * 60, 17 * 60), (WEEKEND, 10 * 60, 20 * 60)),
)


@dataclass(frozen=True, slots=True)
class DemoCity:
    name: str
    centre: GeoPoint
    half_height_deg: float
    half_width_deg: float
    currency: str

    def bounds(self) -> tuple[float, float, float, float]:
        """South, west, north, east."""
        return (
            self.centre.lat - self.half_height_deg,
            self.centre.lon - self.half_width_deg,
            self.centre.lat + self.half_height_deg,
            self.centre.lon + self.half_width_deg,
        )


BERLIN = DemoCity("Berlin", GeoPoint(52.52, 13.405), 0.04, 0.065, "EUR")


@dataclass(frozen=True, slots=True)
class DemoSummary:
    owners: int
    spots: int
    pending: int
    ratings: int
    already_loaded: bool


MONTHLY_EVERY = 8
# A month's price as so many hours at the spot's hourly price: far less than the month's hours.
HOURS_A_MONTH = 40


async def load_demo_city(
    db: Database, clock: Clock, *, city: DemoCity = BERLIN, spot_count: int = 300, seed: int = 7
) -> DemoSummary:
    """Fill an empty database with the demo city; a database that has it already is left alone."""
    rng = random.Random(seed)
    async with db.unit_of_work() as uow:
        if await uow.people.by_telegram_id(DEMO_ID_BASE + 1) is not None:
            return DemoSummary(0, 0, 0, 0, already_loaded=True)
        owners = [
            await people.register(
                uow,
                clock,
                telegram_id=DEMO_ID_BASE + 1 + index,
                language_code="en",
                first_name=name,
                initial_credit=rng.randint(520, 900),
            )
            for index, name in enumerate(OWNER_NAMES)
        ]
        raters = [
            await people.register(
                uow,
                clock,
                telegram_id=DEMO_ID_BASE + 1000 + index,
                language_code="en",
                first_name=f"Driver {index + 1}",
                initial_credit=600,
            )
            for index in range(20)
        ]
        for person in raters:
            person.roles = Role.DRIVER
        south, west, north, east = city.bounds()
        pending = ratings = 0
        titles: set[str] = set()
        for index in range(spot_count):
            owner = owners[index % len(owners)]
            hourly = rng.choice((150, 200, 250, 300, 350, 400, 450))
            street = rng.choice(STREETS)
            kind = rng.choice(KINDS)
            point = GeoPoint(round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6))
            house = rng.randint(1, 180)
            # The house number tells apart two garages on one street, as their owners would.
            title = _unique(f"{kind} on {street} {house}", titles)
            spot = await spots.create(
                uow,
                clock,
                owner_id=owner.id,
                draft=spots.SpotDraft(
                    title=title,
                    point=point,
                    address=f"{street} {house}, {city.name}",
                    hourly_price=Money(hourly, city.currency),
                    daily_price=Money(hourly * 8, city.currency) if rng.random() < 0.5 else None,
                    covered=rng.random() < 0.4,
                    ev_charger=rng.random() < 0.15,
                    max_vehicle_size=rng.choice(list(VehicleSize)),
                    access_instructions=_access_text(city, index, street),
                    instant_booking=rng.random() < 0.8,
                ),
            )
            # A few listings wait for the managers, so moderation can be tried at once.
            if index % 50 == 49:
                pending += 1
            else:
                await spots.set_status(uow, spot.id, SpotStatus.APPROVED)
            hours = [
                WeeklyRule(weekday, start, end)
                for weekdays, start, end in rng.choice(PATTERNS)
                for weekday in weekdays
            ]
            await spots.add_weekly_rules(uow, spot_id=spot.id, owner_id=owner.id, rules=hours)
            # Some are offered by the month too, their regular hours at a price a month, so a
            # monthly pass can be tried at once.
            if index % MONTHLY_EVERY == 3:
                await passes.offer(
                    uow, clock, owner_id=owner.id, spot_id=spot.id, band=tuple(hours),
                    monthly=Money(hourly * HOURS_A_MONTH, city.currency), notice_days=14,
                )  # fmt: skip
            ratings += await _past_stays(uow, clock, rng, spot, raters)
        await uow.spots.flush()
    return DemoSummary(len(owners), spot_count, pending, ratings, already_loaded=False)


def _unique(title: str, taken: set[str]) -> str:
    number, unique = 1, title
    while unique in taken:
        number += 1
        unique = f"{title} ({number})"
    taken.add(unique)
    return unique


def _access_text(city: DemoCity, index: int, street: str) -> str:
    """Real directions for one spot; its own generator, so the city's other draws stay put."""
    rng = random.Random(f"{city.name}:access:{index}")
    return rng.choice(ACCESS).format(
        street=street, code=rng.randint(1000, 9999), bay=rng.randint(1, 40),
        house=rng.randint(1, 180),
    )  # fmt: skip


async def _past_stays(
    uow: UnitOfWork, clock: Clock, rng: random.Random, spot: Spot, raters: list[Person]
) -> int:
    """Completed stays with the drivers' ratings, so spots show a rating like a lived-in city."""
    count = rng.choice((0, 0, 1, 2, 3, 5, 8))
    stays = []
    for n in range(count):
        end = clock.now() - timedelta(days=rng.randint(2, 90), hours=n)
        start = end - timedelta(hours=rng.randint(1, 6))
        price = price_of(spot, Window(start, end))
        booking = Booking(
            spot_id=spot.id, driver_id=rng.choice(raters).id, start_at=start, end_at=end,
            price=price, commission=commission_for(price, DEMO_COMMISSION_BASIS_POINTS),
            status=BookingStatus.COMPLETED, version=5, created_at=start, updated_at=end,
        )  # fmt: skip
        stays.append(booking)
    uow.bookings.add(*stays)
    await uow.bookings.flush()
    ratings = [
        Rating(
            booking_id=booking.id, rater_id=booking.driver_id, ratee_id=spot.owner_id,
            spot_id=spot.id, stars=rng.choices((5, 4, 3, 2), weights=(6, 3, 1, 0.3))[0],
            comment="", created_at=booking.end_at,
        )
        for booking in stays
    ]  # fmt: skip
    uow.bookings.add(*ratings)
    # As ``ratings.rate`` counts each rating on its spot's row.
    spot.rating_count += count
    spot.rating_star_sum += sum(rating.stars for rating in ratings)
    return count


# Real places in the demo city, where they are, so a typed "Alexanderplatz" lands there.
LANDMARKS = {
    "Berlin": (
        ("Alexanderplatz", GeoPoint(52.521918, 13.413215)),
        ("Fernsehturm", GeoPoint(52.520815, 13.409419)),
        ("Brandenburger Tor", GeoPoint(52.516275, 13.377704)),
        ("Hauptbahnhof", GeoPoint(52.525084, 13.369402)),
        ("Potsdamer Platz", GeoPoint(52.509648, 13.375997)),
        ("Checkpoint Charlie", GeoPoint(52.507507, 13.390373)),
        ("Hackescher Markt", GeoPoint(52.522510, 13.402366)),
        ("Gendarmenmarkt", GeoPoint(52.513679, 13.392706)),
        ("Rosenthaler Platz", GeoPoint(52.529693, 13.401312)),
        ("Kottbusser Tor", GeoPoint(52.499050, 13.418036)),
    ),
}


def demo_gazetteer(city: DemoCity = BERLIN) -> GazetteerGeocoder:
    """Addresses in the demo city, found offline: its real landmarks where they are, each street
    at a fixed point of the city, and the city's name alone at its centre. Anything else is not
    found, rather than guessed to be the centre."""
    rng = random.Random(city.name)
    south, west, north, east = city.bounds()
    places = [
        (street, GeoPoint(round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6)))
        for street in STREETS
    ]
    return GazetteerGeocoder(
        [*places, *LANDMARKS.get(city.name, ())], cities=[(city.name, city.centre)]
    )
