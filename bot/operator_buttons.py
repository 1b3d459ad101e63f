"""The buttons of operators and the owners they work for: one codec each, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.keyboards import CallbackData
from core.services.operators import SHARES_OFFERED

_PERCENTS = frozenset(SHARES_OFFERED)


@dataclass(frozen=True)
class InviteOperator(CallbackData):
    """An owner makes an invitation link for an operator who gets ``percent`` of their share."""

    prefix = "oi"
    percent: int

    def is_valid(self) -> bool:
        return self.percent in _PERCENTS


@dataclass(frozen=True)
class AnswerInvitation(CallbackData):
    """The person who opened an invitation link takes it or turns it down."""

    prefix = "iv"
    choices = {"answer": frozenset({"accept", "decline"})}  # noqa: RUF012
    answer: str
    code: str

    def is_valid(self) -> bool:
        return 8 <= len(self.code) <= 24


@dataclass(frozen=True)
class ManageOperator(CallbackData):
    """Either side of an operatorship: change the share (the owner), or end it (``end`` asks,
    ``end_yes`` does it)."""

    prefix = "om"
    choices = {"action": frozenset({"share", "end", "end_yes"})}  # noqa: RUF012
    action: str
    operatorship_id: int
    percent: int = 0

    def is_valid(self) -> bool:
        return self.action != "share" or self.percent in _PERCENTS


@dataclass(frozen=True)
class PortfolioAction(CallbackData):
    """An operator's button on one owner's spots in /portfolio: show them, list one more, import
    more from a table, or change all their prices or hours."""

    prefix = "pf"
    choices = {"action": frozenset({"spots", "list", "import", "price", "hours"})}  # noqa: RUF012
    action: str
    owner_id: int
