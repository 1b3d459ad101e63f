"""The command menu, one list for setMyCommands and /help."""

from __future__ import annotations

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.ext import ExtBot

from bot.i18n import LANGUAGE_NAMES, N_, translator

# Telegram's language_code for each of our catalogs; English is the menu without a language.
TELEGRAM_LANGUAGE_CODES = {"zh_Hans": "zh", "ru": "ru"}

PRIVATE_COMMANDS: list[tuple[str, str]] = [
    ("start", N_("Start: choose driver or owner")),
    ("help", N_("What I can do")),
    ("list", N_("List a parking spot")),
    ("myspots", N_("My spots")),
    ("bookings", N_("My upcoming bookings")),
    ("passes", N_("My monthly passes")),
    ("earnings", N_("What my spots earned")),
    ("payouts", N_("Where my earnings are paid")),
    ("operator", N_("Someone to manage my spots")),
    ("portfolio", N_("Spots I manage for owners")),
    ("credit", N_("My credit score and what it allows")),
    ("share", N_("Links to share a spot")),
    ("language", N_("Change the language")),
]


# The managers' group, in its managers' language like everything posted there.
MANAGER_COMMANDS: list[tuple[str, str]] = [
    ("pending", N_("Listings waiting for review")),
    ("disputes", N_("Open disputes")),
    ("report", N_("Revenue and occupancy")),
    ("person", N_("A person by id: /person 12")),
    ("spot", N_("A spot by id: /spot 7")),
    ("ban", N_("Ban a person: /ban 12 reason")),
    ("unban", N_("Lift a ban: /unban 12")),
]


# Neighbourhood groups the bot was added to.
GROUP_COMMANDS: list[tuple[str, str]] = [
    ("spots", N_("Spots offered to this group")),
    ("offerhere", N_("Offer my spots to this group")),
    ("groupspots", N_("Admins: /groupspots on or off")),
]


def menu(language: str) -> list[BotCommand]:
    i18n = translator(language)
    return [BotCommand(name, i18n.gettext(description)) for name, description in PRIVATE_COMMANDS]


def group_menu(language: str) -> list[BotCommand]:
    i18n = translator(language)
    return [BotCommand(name, i18n.gettext(text)) for name, text in GROUP_COMMANDS]


async def publish_menus(
    bot: ExtBot[None], manager_chat_id: int | None = None, manager_language: str = "en"
) -> None:
    """One menu per language, so people see commands in the language of their Telegram app,
    and the managers' own in their group."""
    if manager_chat_id is not None:
        to_managers = translator(manager_language)
        await bot.set_my_commands(
            [BotCommand(name, to_managers.gettext(text)) for name, text in MANAGER_COMMANDS],
            scope=BotCommandScopeChat(manager_chat_id),
        )
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(menu("en"), scope=scope)
    groups = BotCommandScopeAllGroupChats()
    await bot.set_my_commands(group_menu("en"), scope=groups)
    for language in LANGUAGE_NAMES:
        if code := TELEGRAM_LANGUAGE_CODES.get(language):
            await bot.set_my_commands(menu(language), scope=scope, language_code=code)
            await bot.set_my_commands(group_menu(language), scope=groups, language_code=code)


async def publish_menu_for_chat(bot: ExtBot[None], chat_id: int, language: str) -> None:
    """After /language, the person's own chat shows the menu in the language they chose."""
    await bot.set_my_commands(menu(language), scope=BotCommandScopeChat(chat_id))
