"""The inbox's claim reads whether a sender is banned; the contexts made for that sender's
update start knowing it, so the gate reads nothing; no other update's context does."""

from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.context import CONTEXT_TYPES, ParkShareContext, standing_as_claimed
from core.services.people import Standing


def _message_from(telegram_id: int, application, update_id: int = 1) -> Update:
    person = {"id": telegram_id, "first_name": "Bea"}
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 1780000000,
                "chat": {**person, "type": "private"},
                "from": {**person, "is_bot": False},
                "text": "hello",
            },
        },
        application.bot,
    )


def test_a_context_knows_the_standing_the_claim_read_for_its_sender_only():
    application = ApplicationBuilder().token("123:abc").context_types(CONTEXT_TYPES).build()
    banned = Standing(banned=True, ban_reason="fake listings")

    def standing_of(telegram_id: int, update_id: int = 1) -> Standing | None:
        return ParkShareContext.from_update(
            _message_from(telegram_id, application, update_id), application
        ).standing

    with standing_as_claimed(_message_from(10, application), banned):
        assert standing_of(10) == banned
        assert standing_of(11) is None
        assert standing_of(10, update_id=2) is None  # another update of theirs
    with standing_as_claimed(_message_from(10, application), None):  # unknown to the store
        assert standing_of(10) is None
    assert standing_of(10) is None
