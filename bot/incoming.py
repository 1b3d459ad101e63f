"""What a handler answers, narrowed once: python-telegram-bot types every part of an update as
optional, since one ``Update`` class carries every kind. A handler registered for messages, or
for a filter such as ``filters.TEXT``, is only called with what it needs; these accessors say
so to the type checker and fail loudly if the registration and the handler ever disagree."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Location, Message, Update, User

from bot.context import MissingState


def message_of(update: Update) -> Message:
    """The message the handler answers: the one sent, or the one under a pressed button."""
    message = update.effective_message
    if message is None:
        raise MissingState(f"update {update.update_id} has no message to answer")
    return message


def text_of(update: Update) -> str:
    """The text of a message that a ``filters.TEXT`` handler received."""
    text = message_of(update).text
    if text is None:
        raise MissingState(f"update {update.update_id} has no text")
    return text


def location_of(update: Update) -> Location:
    """The location of a message that a ``filters.LOCATION`` handler received."""
    location = message_of(update).location
    if location is None:
        raise MissingState(f"update {update.update_id} has no location")
    return location


def query_of(update: Update) -> CallbackQuery:
    """The press a bare ``CallbackQueryHandler`` received; buttons registered with
    ``bot.buttons.on_button`` are given theirs."""
    query = update.callback_query
    if query is None:
        raise MissingState(f"update {update.update_id} is no button press")
    return query


def chat_of(update: Update) -> Chat:
    chat = update.effective_chat
    if chat is None:
        raise MissingState(f"update {update.update_id} has no chat")
    return chat


def sender_of(update: Update) -> User:
    user = update.effective_user
    if user is None:
        raise MissingState(f"update {update.update_id} has no user")
    return user
