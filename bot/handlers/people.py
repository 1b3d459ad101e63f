"""Knows who is talking: registers a person on first contact, before any other handler runs."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from bot.context import ParkShareContext
from core.services import people


async def remember_person(update: Update, context: ParkShareContext) -> None:
    user = update.effective_user
    data = context.user_data_if_any
    if user is None or user.is_bot or data is None:
        return
    if data.person_id is not None:
        return
    async with context.db.unit_of_work() as uow:
        person = await people.register(
            uow,
            context.clock,
            telegram_id=user.id,
            language_code=user.language_code,
            first_name=user.first_name,
            initial_credit=context.settings.initial_credit_score,
        )
    data.person_id = person.id
    data.language = person.language
    context.standing = people.Standing(person.banned, person.ban_reason)


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, remember_person)]
