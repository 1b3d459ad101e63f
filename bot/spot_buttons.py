"""The buttons on a spot that more than one screen shows (search results, the spot's card, a
booking, an owner's spot list): one codec each, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards import CallbackData
from core.neighbourhood import GroupOffer
from core.requirements import STAYS_ASKABLE, TIERS_ASKABLE


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


_TIER_VALUES = frozenset({"any", *(tier.value for tier in TIERS_ASKABLE)})
_STAYS_VALUES = frozenset(str(count) for count in STAYS_ASKABLE)
_ANSWER_VALUES = frozenset({"instant", "ask"})


@dataclass(frozen=True)
class SetRequirements(CallbackData):
    """An owner's button on who may book the spot: ``show`` the choices, or set the credit
    ``tier`` asked, the completed ``stays`` asked, or how bookings are ``answer``ed."""

    prefix = "rq"
    choices = {  # noqa: RUF012
        "field": frozenset({"show", "tier", "stays", "answer"}),
        "value": frozenset({"-"}) | _TIER_VALUES | _STAYS_VALUES | _ANSWER_VALUES,
    }
    field: str
    spot_id: int
    value: str = "-"

    def is_valid(self) -> bool:
        allowed = {"show": {"-"}, "tier": _TIER_VALUES, "stays": _STAYS_VALUES,
                   "answer": _ANSWER_VALUES}  # fmt: skip
        return self.value in allowed[self.field]


@dataclass(frozen=True)
class OfferToGroup(CallbackData):
    """An owner's choice of how a spot is offered to a neighbourhood group (``show``: the row's
    label, which does nothing)."""

    prefix = "gc"
    choices = {"offer": frozenset({"show", *(offer.value for offer in GroupOffer)})}  # noqa: RUF012
    community_id: int
    spot_id: int
    offer: str


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
