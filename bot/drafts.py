"""What a flow has collected so far, kept in ``UserData`` (and so across restarts).
Plain values only, so a draft turns into JSON and back without surprises."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, Self

from core.geo import GeoPoint
from core.money import Money


@dataclass
class Draft:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict[str, Any] | None) -> Self | None:
        if stored is None:
            return None
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in stored.items() if key in known})


@dataclass
class ListingDraft(Draft):
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    timezone: str = ""
    title: str = ""
    currency: str = ""
    hourly_minor: int | None = None
    daily_minor: int | None = None
    covered: bool = False
    ev_charger: bool = False
    max_vehicle_size: str = "medium"
    access_instructions: str = ""
    photo_file_ids: list[str] = field(default_factory=list)
    availability_text: str = ""
    # Set while the owner corrects one answer from the summary: the flow returns there after.
    editing: bool = False
    # The owner an operator lists this spot for (from /portfolio); None: the person's own.
    for_owner_id: int | None = None

    @property
    def point(self) -> GeoPoint | None:
        return None if self.lat is None or self.lon is None else GeoPoint(self.lat, self.lon)

    @property
    def hourly_price(self) -> Money | None:
        return Money.optional(self.hourly_minor, self.currency)

    @property
    def daily_price(self) -> Money | None:
        return Money.optional(self.daily_minor, self.currency)


class SearchInput(StrEnum):
    """What the driver was asked to type for the search under way: their next free text is
    read as that, and as nothing else."""

    WINDOW = "window"  # "Other time" was pressed
    MAX_PRICE = "max_price"  # "Max price" was pressed


@dataclass
class SearchDraft(Draft):
    """The driver's current search, so the buttons under the results can change it."""

    lat: float
    lon: float
    timezone: str
    start_at: str  # ISO 8601, aware UTC
    end_at: str
    order: str = "nearest"
    window_option: str | None = "2h"  # the window button that chose the time; None when typed
    ev_charger: bool = False
    covered: bool = False
    wide: bool = False
    page: int = 0
    awaiting: SearchInput | None = None
    vehicle_size: str | None = None  # the driver's vehicle: spots too small are left out
    min_rating: float | None = None
    max_price_minor: int | None = None  # for the whole window, in the search's currency
    max_price_currency: str | None = None
    pending_window: str = ""  # a window that reads two ways, until the driver picks one
    monthly: bool = False  # only spots offered by the month

    @property
    def max_price(self) -> Money | None:
        return Money.optional(self.max_price_minor, self.max_price_currency)

    @classmethod
    def from_dict(cls, stored: dict[str, Any] | None) -> Self | None:
        if stored is None:
            return None
        stored = dict(stored)
        # Kept before ``awaiting`` was one value: a flag for each thing asked, at most one set.
        for flag, asked in (("awaiting_window", "window"), ("awaiting_max_price", "max_price")):
            if stored.pop(flag, False):
                stored.setdefault("awaiting", asked)
        draft = super().from_dict(stored)
        if draft is not None and draft.awaiting is not None:
            draft.awaiting = SearchInput(draft.awaiting)
        return draft


@dataclass
class BookingDraft(Draft):
    spot_id: int
    start_at: str  # ISO 8601, aware UTC
    end_at: str
    # The price and cancellation terms last shown, so Confirm books on nothing else.
    offered_terms: str = ""
    pending_window: str = ""  # a window that reads two ways, until the driver picks one
    pattern: str = ""  # a weekly pattern ("Mon-Fri 8-18 for 2 weeks"), when booking one


@dataclass
class ReportDraft(Draft):
    """A problem being reported on a booking: what kind, what the person wrote and showed."""

    booking_id: int
    problem: str = ""
    text: str = ""
    photo_file_ids: list[str] = field(default_factory=list)


@dataclass
class RatingDraft(Draft):
    booking_id: int
    stars: int = 0
