"""The anonymous contact relay once open: what a person sends goes to the other side of their
booking under a role ("Driver of booking #12"), never a name, username or id."""

from __future__ import annotations

import html
import logging

from telegram import Message, ReplyKeyboardRemove, Update
from telegram.error import Forbidden, TelegramError

from bot.booking_buttons import OpenRelay
from bot.context import ParkShareContext, required
from bot.edge import made_now
from bot.i18n import N_, translator
from bot.incoming import location_of, message_of
from bot.keyboards import inline
from bot.telegram_text import MAX_CAPTION, MAX_TEXT, split_html
from core.db.models import Person
from core.errors import DomainError
from core.services import relay
from core.services.parties import Side
from core.services.people import SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)
LEAVE_LABEL = N_("🚪 Leave the chat")
ROLE_OF = {
    Side.DRIVER: N_("Driver of booking #{id}"),
    Side.OWNER: N_("Owner of booking #{id}"),
}


def is_leave(text: str | None) -> bool:
    return text is not None and any(
        text == translator(language).gettext(LEAVE_LABEL) for language in SUPPORTED_LANGUAGES
    )


async def leave(update: Update, context: ParkShareContext) -> None:
    booking_id = context.user_data.relay_booking_id
    context.user_data.relay_booking_id = None
    if booking_id is None:
        return
    await message_of(update).reply_text(
        context.i18n.gettext("You left the chat about booking #{id}.").format(id=booking_id),
        reply_markup=ReplyKeyboardRemove(),
    )


async def forward(update: Update, context: ParkShareContext) -> None:
    """Pass one message to the other side, headed with the sender's role only."""
    message = message_of(update)
    _ = context.i18n.gettext
    if is_leave(message.text):
        await leave(update, context)
        return
    kind, text, file_id = _content(message)
    if kind is None:
        await message.reply_text(_("Only text, photos and locations can be passed on."))
        return
    booking_id = required(context.user_data.relay_booking_id, "booking written about")
    try:
        async with context.db.unit_of_work() as uow:
            leg, sent = await relay.send(
                uow, context.clock, booking_id=booking_id, sender_id=context.person_id,
                kind=kind, text=text, file_id=file_id,
            )  # fmt: skip
    except DomainError:
        context.user_data.relay_booking_id = None
        raise
    delivered = False
    # Whether each copy arrived decides what the sender hears: they go out now, not with the
    # write (a copy made again after a failed commit is the lesser harm).
    with made_now():
        for recipient in leg.recipients:
            delivered |= await _deliver(context, update, leg, recipient, sent.text, kind, file_id)
    if not delivered:
        await message.reply_text(_("I couldn't deliver that: the other side can't be reached."))


async def _deliver(
    context: ParkShareContext, update: Update, leg: relay.Leg, recipient: Person, text: str,
    kind: str,
    file_id: str | None,
) -> bool:  # fmt: skip
    """One reader's copy, headed in their language; False when it could not be delivered."""
    booking_id = leg.parties.booking.id
    to_them = translator(recipient.language)
    role = to_them.gettext(ROLE_OF[leg.sender_side]).format(id=booking_id)
    header = f"💬 <b>{role}</b>"
    reply = inline([[(to_them.gettext("↩️ Reply"), OpenRelay(booking_id))]])
    body = html.escape(text)
    try:
        if kind == "photo":
            # A caption at Telegram's limit no longer fits under the header: the rest follows.
            caption = f"{header}\n{body}" if body else header
            first, *rest = split_html(caption, MAX_TEXT, first_limit=MAX_CAPTION)
            assert file_id is not None  # _content gives every photo its file id
            await context.bot.send_photo(
                recipient.telegram_id, file_id, caption=first,
                reply_markup=None if rest else reply,
            )  # fmt: skip
            await _send_parts(context, recipient.telegram_id, rest, reply)
        elif kind == "location":
            await context.bot.send_message(
                recipient.telegram_id, header + "\n" + to_them.gettext("📍 shared a location:")
            )
            location = location_of(update)
            await context.bot.send_location(
                recipient.telegram_id, latitude=location.latitude,
                longitude=location.longitude, reply_markup=reply,
            )  # fmt: skip
        else:
            parts = split_html(f"{header}\n{body}", MAX_TEXT)
            await _send_parts(context, recipient.telegram_id, parts, reply)
    except Forbidden:
        # They blocked the bot. Kept in the transcript all the same, for a dispute.
        return False
    except TelegramError:
        log.warning("relaying a %s for booking %s failed", kind, booking_id, exc_info=True)
        await message_of(update).reply_text(
            context.i18n.gettext(
                "I couldn't deliver that just now. Please send it again in a minute."
            )
        )
    return True


async def _send_parts(context: ParkShareContext, chat_id: int, parts: list[str], reply) -> None:
    """The parts of one relayed message, in order, with the Reply button under the last."""
    for number, part in enumerate(parts, start=1):
        markup = reply if number == len(parts) else None
        await context.bot.send_message(chat_id, part, reply_markup=markup)


def _content(message: Message) -> tuple[str | None, str, str | None]:
    if message.photo:
        return "photo", message.caption or "", message.photo[-1].file_id
    if message.location:
        location = message.location
        return "location", f"{location.latitude:.5f}, {location.longitude:.5f}", None
    if message.text:
        return "text", message.text, None
    return None, "", None
