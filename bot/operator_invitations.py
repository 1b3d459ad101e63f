"""An operator's invitation: the link an owner sends (``t.me/<bot>?start=op_<code>``), what
the person who opens it is asked, and what the other side hears when it ends."""

from __future__ import annotations

import contextlib
import html
import re

from telegram import Update
from telegram.error import TelegramError

from bot.context import ParkShareContext
from bot.errors import explain
from bot.i18n import translator
from bot.incoming import message_of
from bot.keyboards import inline
from bot.operator_buttons import AnswerInvitation
from core.db.models import Person
from core.errors import DomainError
from core.services import operators

OPERATOR_START = re.compile(r"^op_([A-Za-z0-9_-]{8,24})$")


def invitation_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=op_{code}"


def read_operator_start(payload: str) -> str | None:
    """The invitation's code in a ``/start`` parameter; None when it is not an invitation."""
    match = OPERATOR_START.match(payload)
    return match.group(1) if match else None


async def open_invitation(update: Update, context: ParkShareContext, code: str) -> None:
    i18n = context.i18n
    _ = i18n.gettext
    try:
        async with context.db.reading() as uow:
            found = await operators.invitation(
                uow, context.clock, code=code, person_id=context.person_id
            )
    except DomainError as error:
        await message_of(update).reply_text(explain(error, i18n))
        return
    percent = found.operatorship.share_bp // 100
    text = "\n\n".join([
        i18n.ngettext(
            "🤝 {name} asks you to manage their spots on ParkShare ({count} spot now).",
            "🤝 {name} asks you to manage their spots on ParkShare ({count} spots now).",
            found.spots,
        ).format(name=html.escape(found.owner.first_name or "—"), count=found.spots),
        _("You would list, edit and open or close their spots, answer their booking requests, "
          "and be paid {percent}% of the owner's share of each stay. /portfolio then shows "
          "their spots, how busy they are and what you earned.").format(percent=percent),
    ])  # fmt: skip
    await message_of(update).reply_text(
        text,
        reply_markup=inline([[
            (_("✅ Accept"), AnswerInvitation("accept", code)),
            (_("❌ Decline"), AnswerInvitation("decline", code)),
        ]]),
    )  # fmt: skip


async def tell_ended(context: ParkShareContext, person: Person, other_name: str) -> None:
    """The management of spots between ``person`` and the one named is over (ended by the
    other side, or by a ban)."""
    i18n = translator(person.language)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            person.telegram_id,
            i18n.gettext("🤝 The management of spots between you and {name} has ended.").format(
                name=html.escape(other_name or "—")
            ),
        )
