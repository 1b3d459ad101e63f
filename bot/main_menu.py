"""The buttons under /start's greeting: the main menu, valid whatever flow is under way."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import ParkShareContext
from bot.keyboards import CallbackData, inline
from core.db.models import Role

ROLES = {"driver": Role.DRIVER, "owner": Role.OWNER}


@dataclass(frozen=True)
class RoleChoice(CallbackData):
    prefix = "role"
    choices = {"role": frozenset(ROLES)}  # noqa: RUF012
    role: str


def role_keyboard(context: ParkShareContext):
    _ = context.i18n.gettext
    return inline(
        [
            [(_("🚗 I need a spot"), RoleChoice("driver"))],
            [(_("🅿️ I have a spot to rent out"), RoleChoice("owner"))],
        ]
    )
