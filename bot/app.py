"""The whole bot in one place: which handlers exist and in which order they are asked."""

from __future__ import annotations

import logging
import ssl
from functools import cache, partial
from typing import Any

import httpx
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseRateLimiter, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot import jobs
from bot.commands import publish_menus
from bot.context import CONTEXT_TYPES, BotData
from bot.conversations import book, bulk_spots, edit_spot, list_spot, offer_pass, rate, report
from bot.drafts import SearchInput
from bot.edge import ParkShareApplication, ParkShareBot
from bot.flood import tell_flooding
from bot.handlers import (
    arrival,
    bookings,
    credit,
    disputes,
    errors,
    fallback,
    free_text,
    gate,
    groups,
    help,
    inline,
    language,
    managers,
    moderation,
    modes,
    my_spots,
    operators,
    owner_availability,
    passes,
    payments,
    people,
    portfolio,
    profit,
    rebooking,
    relay,
    requests,
    search,
    series,
    sharing,
    spot_card,
    spot_requirements,
    start,
    stay_checks,
)
from bot.handlers.free_text import Reader
from bot.workers import InboxWorker
from core.clock import Clock
from core.db.migrate import open_database
from core.db.uow import Database
from core.geocoding import NoGeocoder, NominatimGeocoder
from core.guidance import OfflineRouter, OpenRouteServiceRouter
from core.settings import Settings
from payments.registry import gateways_for

log = logging.getLogger(__name__)

# Handler groups: every group sees each update, and within a group the first match wins.
GROUP_IDENTIFY = -3  # registers the person before anything else sees the update
GROUP_GATE = -2  # a banned person's update stops here
GROUP_MODES = -1  # while writing to the other side of a booking, messages go there
GROUP_FEATURES = 0  # everything else, in the order below

# Free text outside any flow. What the person was asked to type goes to its reader:
FREE_TEXT_ASKED: dict[SearchInput, Reader] = {
    SearchInput.MAX_PRICE: search.try_max_price,
    SearchInput.WINDOW: search.try_window,
}
# Text nobody asked for is tried on these in turn:
FREE_TEXT_UNASKED: tuple[Reader, ...] = (
    owner_availability.try_hours,  # an owner's new hours
    search.try_window,  # the time for the search under way
    search.try_address,  # a place to park near
)


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for Telegram's two clients, as httpx builds it (certifi's CAs): each new
    one reads the whole CA store, tens of milliseconds, and a process may build the bot more
    than once (the sandbox's restarts, the tests)."""
    return httpx.create_ssl_context()


class DatabaseHandle:
    """Opens the store on first need, inside the application's event loop."""

    def __init__(self, settings: Settings, database: Database | None) -> None:
        self._settings = settings
        self._database = database
        self.owned = database is None

    async def get(self) -> Database:
        if self._database is None:
            self._database = await open_database(self._settings.database_url)
        return self._database

    async def close(self) -> None:
        if self.owned and self._database is not None:
            await self._database.close()
            self._database = None


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    base_url: str | None = None,
    base_file_url: str | None = None,
    database: Database | None = None,
    clock: Clock | None = None,
    sandbox: bool = False,
    sweeps: bool = True,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter | None = None,
) -> ParkShareApplication:
    """The application for a token (Telegram's, or the sandbox's with its ``base_url``), with
    its inbox worker as ``application.worker`` (started by whoever runs it, see
    ``bot.runtime``). A ``database`` given here belongs to the caller and is not closed on
    shutdown; ``request`` objects and a ``rate_limiter`` replace the HTTP client and Telegram's
    limits (benches). Without ``sweeps`` no periodic job is scheduled (a process that only
    receives updates)."""
    handle = DatabaseHandle(settings, database)

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.bot_data.database = await handle.get()
        try:
            await publish_menus(
                application.bot, settings.manager_chat_id, settings.manager_language
            )
        except TelegramError:
            # The command menu is a convenience: every command works typed without it.
            log.warning("the command menus could not be published", exc_info=True)

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await handle.close()

    if base_url is None and settings.bot_api_url:  # a self-hosted Bot API server
        base_url, base_file_url = f"{settings.bot_api_url}/bot", f"{settings.bot_api_url}/file/bot"
    bot = ParkShareBot(
        token or settings.bot_token or "",
        **({"base_url": base_url, "base_file_url": base_file_url or base_url} if base_url else {}),
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=None),
        rate_limiter=rate_limiter or AIORateLimiter(max_retries=3),
        # As ApplicationBuilder would: room for concurrent updates, one long poll at a time.
        request=request
        or HTTPXRequest(connection_pool_size=256, httpx_kwargs={"verify": tls_context()}),
        get_updates_request=get_updates_request
        or HTTPXRequest(httpx_kwargs={"verify": tls_context()}),
    )
    builder = (
        ApplicationBuilder()
        .application_class(ParkShareApplication)
        .bot(bot)
        .context_types(CONTEXT_TYPES)
        # Updates come from the inbox (``bot.inbox``), handled by its worker; nobody's state is
        # kept in the process between their updates (``bot.person_state``).
        .updater(None)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    application = builder.build()
    assert isinstance(application, ParkShareApplication)
    application.worker = InboxWorker(
        application,
        handle.get,
        max_backlog=settings.flood_backlog,
        on_flood=partial(tell_flooding, application.bot),
    )

    bot_data: BotData = application.bot_data
    bot_data.settings = settings
    bot_data.geocoder = (
        NominatimGeocoder(settings.geocoder_url) if settings.geocoder_url else NoGeocoder()
    )
    bot_data.router = (
        OpenRouteServiceRouter(settings.ors_api_key) if settings.ors_api_key else OfflineRouter()
    )
    if clock is not None:
        bot_data.clock = clock
    bot_data.gateways = gateways_for(settings, sandbox=sandbox)

    application.add_handlers(people.handlers(), group=GROUP_IDENTIFY)
    application.add_handlers(gate.handlers(), group=GROUP_GATE)
    application.add_handlers(modes.handlers(), group=GROUP_MODES)
    application.add_handlers(
        [
            # Conversations first: while one is under way, its steps take the person's messages.
            *list_spot.handlers(),
            *book.handlers(),
            *edit_spot.handlers(),
            *bulk_spots.handlers(),
            *offer_pass.handlers(),
            *report.handlers(),
            *rate.handlers(),
            *start.handlers(),
            *help.handlers(),
            *inline.handlers(),
            *groups.handlers(),
            *sharing.handlers(),
            *language.handlers(),
            *bookings.handlers(),
            *series.handlers(),
            *passes.handlers(),
            *payments.handlers(),
            *profit.handlers(),
            *credit.handlers(),
            *moderation.handlers(),
            *disputes.handlers(),
            *stay_checks.handlers(),
            *rebooking.handlers(),
            *managers.handlers(),
            *relay.handlers(),
            *requests.handlers(),
            *arrival.handlers(),
            *search.handlers(),
            *spot_card.handlers(),
            *my_spots.handlers(),
            *spot_requirements.handlers(),
            *operators.handlers(),
            *portfolio.handlers(),
            *owner_availability.handlers(),
            # Last: what no flow or button took. Free text may be hours or an address.
            *free_text.handlers(asked=FREE_TEXT_ASKED, unasked=FREE_TEXT_UNASKED),
            *fallback.handlers(),
        ],
        group=GROUP_FEATURES,
    )
    application.add_error_handler(errors.on_error)
    if sweeps:
        jobs.schedule(application)
    return application
