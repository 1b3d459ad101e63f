"""The buttons on a spot that more than one screen shows (search results, the spot's card, a
booking, an owner's spot list): one codec each, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards import CallbackData


@dataclass(frozen=True)
class OpenSpot(CallbackData):
    prefix = "spot"
    spot_id: int


@dataclass(frozen=True)
class OfferMonthly(CallbackData):
    """An owner sets up, changes or stops the spot's offer by the month."""

    prefix = "po"
    choices = {"action": frozenset({"start", "stop"})}  # noqa: RUF012
    action: str
    spot_id: int


@dataclass(frozen=True)
class TakePass(CallbackData):
    """A driver asks for a monthly pass at the spot (``quote``), or takes it (``take``)."""

    prefix = "pt"
    choices = {"action": frozenset({"quote", "take"})}  # noqa: RUF012
    action: str
    spot_id: int


@dataclass(frozen=True)
class BookSeriesAt(CallbackData):
    """The weekly pattern the driver is booking (or searched for), at this spot."""

    prefix = "bw"
    spot_id: int


@dataclass(frozen=True)
class BookSpot(CallbackData):
    prefix = "book"
    spot_id: int


@dataclass(frozen=True)
class Navigate(CallbackData):
    prefix = "nav"
    spot_id: int


@dataclass(frozen=True)
class ManageSpot(CallbackData):
    prefix = "my"
    choices = {  # noqa: RUF012
        "action": frozenset(
            {"pause", "resume", "delete", "delete_yes", "keep", "prices", "hours", "photos"}
        )
    }
    action: str
    spot_id: int
