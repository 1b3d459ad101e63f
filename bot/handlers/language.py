"""/language: the person picks the language the bot speaks to them."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.buttons import on_button
from bot.commands import publish_menu_for_chat
from bot.context import ParkShareContext
from bot.i18n import LANGUAGE_NAMES, translator
from bot.incoming import message_of
from bot.keyboards import CallbackData, inline
from core.services import people


@dataclass(frozen=True)
class LanguageChoice(CallbackData):
    prefix = "lang"
    choices = {"language": frozenset(LANGUAGE_NAMES)}  # noqa: RUF012
    language: str


async def ask_language(update: Update, context: ParkShareContext) -> None:
    await message_of(update).reply_text(
        context.i18n.gettext("Which language should I speak?"),
        reply_markup=inline(
            [[(name, LanguageChoice(code))] for code, name in LANGUAGE_NAMES.items()]
        ),
    )


@on_button(LanguageChoice)
async def language_chosen(
    update: Update, context: ParkShareContext, query: CallbackQuery, choice: LanguageChoice
) -> None:
    async with context.db.unit_of_work() as uow:
        await people.set_language(uow, context.person_id, choice.language)
    context.user_data.language = choice.language
    await query.answer()
    await query.edit_message_text(
        translator(choice.language).gettext("I'll speak English from now on.")
    )
    if update.effective_chat:
        await publish_menu_for_chat(context.bot, update.effective_chat.id, choice.language)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("language", ask_language),
        language_chosen,
    ]
