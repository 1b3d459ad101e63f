"""The typed context every handler receives: ``context.db``, ``context.settings``,
``context.clock`` and ``context.i18n`` instead of string keys in ``bot_data``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NoReturn, TypeVar

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.alerts import AlertThrottle
from bot.drafts import (
    BookingDraft,
    ListingDraft,
    RatingDraft,
    ReportDraft,
    SearchDraft,
    SearchInput,
)
from bot.i18n import Translator, translator
from core.clock import Clock, SystemClock
from core.db.uow import Database
from core.geocoding import NoGeocoder
from core.guidance import OfflineRouter
from core.ports import Geocoder, Router
from core.services.people import Standing, language_from_telegram
from core.settings import Settings
from payments.registry import Gateways


class BotData:
    """Long-lived things every handler shares; filled in by ``build_application``."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.database: Database | None = None
        self.clock: Clock = SystemClock()
        self.geocoder: Geocoder = NoGeocoder()
        self.router: Router = OfflineRouter()
        # How money moves; the sandbox's gateways say in every message that none really does.
        self.gateways: Gateways | None = None
        # When each kind of unexpected failure was last reported to the managers.
        self.error_alerts = AlertThrottle()


class UserData:
    """What the bot remembers about a person between updates; kept across restarts."""

    def __init__(self) -> None:
        self.person_id: int | None = None
        self.language: str | None = None
        self.listing_draft: ListingDraft | None = None
        self.search: SearchDraft | None = None
        self.booking_draft: BookingDraft | None = None
        # An owner's hours waiting for a spot to be picked, and the last change (for Undo).
        self.pending_hours: str | None = None
        self.last_hours_change: dict[str, Any] | None = None
        # The spot /myspots is changing, and the hourly price typed before the daily one.
        self.editing_spot_id: int | None = None
        self.editing_hourly_minor: int | None = None
        self.editing_photo_ids: list[str] = []
        # A monthly offer being set up for ``editing_spot_id``: its band, then its price.
        self.offering_band: str | None = None
        self.offering_monthly_minor: int | None = None
        # The booking whose other side the person is writing to through the bot, if any.
        self.relay_booking_id: int | None = None
        # The dispute whose manager asked the person for more; their next message answers it.
        self.answering_dispute_id: int | None = None
        self.report_draft: ReportDraft | None = None
        self.rating_draft: RatingDraft | None = None
        # The owner whose spots /portfolio is changing all at once.
        self.portfolio_owner_id: int | None = None

    # What a flow's state guarantees, narrowed once per handler; a flow whose handlers may run
    # without it (a stale button) checks the field itself.
    def current_search(self) -> SearchDraft:
        """The search a search handler works on; its state or button guarantees there is one."""
        return required(self.search, "search")

    def current_booking(self) -> BookingDraft:
        return required(self.booking_draft, "booking draft")

    def current_spot_edited(self) -> int:
        """The spot /myspots is changing, while its edit flow runs."""
        return required(self.editing_spot_id, "spot being edited")

    @property
    def asked_for(self) -> SearchInput | None:
        """What this person's next free text answers, when they were asked to type something."""
        return self.search.awaiting if self.search is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "language": self.language,
            "listing_draft": self.listing_draft.to_dict() if self.listing_draft else None,
            "search": self.search.to_dict() if self.search else None,
            "booking_draft": self.booking_draft.to_dict() if self.booking_draft else None,
            "pending_hours": self.pending_hours,
            "last_hours_change": self.last_hours_change,
            "editing_spot_id": self.editing_spot_id,
            "editing_hourly_minor": self.editing_hourly_minor,
            "editing_photo_ids": list(self.editing_photo_ids),
            "offering_band": self.offering_band,
            "offering_monthly_minor": self.offering_monthly_minor,
            "relay_booking_id": self.relay_booking_id,
            "answering_dispute_id": self.answering_dispute_id,
            "report_draft": self.report_draft.to_dict() if self.report_draft else None,
            "rating_draft": self.rating_draft.to_dict() if self.rating_draft else None,
            "portfolio_owner_id": self.portfolio_owner_id,
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> UserData:
        data = cls()
        data.restore(stored)
        return data

    def restore(self, stored: dict[str, Any]) -> None:
        """Take the values of ``to_dict``'s output, in place (python-telegram-bot hands out
        the object itself)."""
        data = self
        data.person_id = stored.get("person_id")
        data.language = stored.get("language")
        data.listing_draft = ListingDraft.from_dict(stored.get("listing_draft"))
        data.search = SearchDraft.from_dict(stored.get("search"))
        data.booking_draft = BookingDraft.from_dict(stored.get("booking_draft"))
        data.pending_hours = stored.get("pending_hours")
        data.last_hours_change = stored.get("last_hours_change")
        data.editing_spot_id = stored.get("editing_spot_id")
        data.editing_hourly_minor = stored.get("editing_hourly_minor")
        data.editing_photo_ids = list(stored.get("editing_photo_ids") or [])
        data.offering_band = stored.get("offering_band")
        data.offering_monthly_minor = stored.get("offering_monthly_minor")
        data.relay_booking_id = stored.get("relay_booking_id")
        data.answering_dispute_id = stored.get("answering_dispute_id")
        data.report_draft = ReportDraft.from_dict(stored.get("report_draft"))
        data.rating_draft = RatingDraft.from_dict(stored.get("rating_draft"))
        data.portfolio_owner_id = stored.get("portfolio_owner_id")


class MissingState(LookupError):
    """A handler ran without what its flow's state guarantees (a draft, a registered person):
    a bug in the wiring, reported by the error handler like any other."""


T = TypeVar("T")


def required(value: T | None, what: str) -> T:
    """``value``, which the handler's state guarantees (a draft, the id a mode works on)."""
    if value is None:
        raise MissingState(f"no {what}: the handler's state should guarantee one")
    return value


class ChatData:
    pass


# The standing of the person whose update is being handled, as the inbox's claim read it
# (``bot.workers``): the update's id, the person's telegram id, and it.
_claimed_standing: ContextVar[tuple[int, int, Standing] | None] = ContextVar(
    "claimed_standing", default=None
)


@contextmanager
def standing_as_claimed(update: Update, standing: Standing | None) -> Iterator[None]:
    """The contexts made meanwhile for this update of its sender start knowing the sender's
    standing, so the gate does not read it again."""
    sender = update.effective_user
    known = None if sender is None or standing is None else (update.update_id, sender.id, standing)
    token = _claimed_standing.set(known)
    try:
        yield
    finally:
        _claimed_standing.reset(token)


class ParkShareContext(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.telegram_language: str | None = None
        # Whether the sender may go on, for this update (one context serves every handler of
        # an update): as the inbox's claim read it, or registration, or the gate; None where
        # none of them knew the sender.
        self.standing: Standing | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> ParkShareContext:
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user:
            context.telegram_language = update.effective_user.language_code
            claimed = _claimed_standing.get()
            if claimed is not None and claimed[:2] == (update.update_id, update.effective_user.id):
                context.standing = claimed[2]
        return context

    @property
    def user_data(self) -> UserData:
        """What the bot remembers about the person who sent the update. Handlers run only for
        updates from a person; what runs for every update (the gate, registration) reads
        ``user_data_if_any`` instead, since channel posts and some group updates have no user."""
        data = self.user_data_if_any
        if data is None:
            raise MissingState("no user_data: the update has no user")
        return data

    @user_data.setter
    def user_data(self, _: object) -> NoReturn:
        raise AttributeError("context.user_data cannot be replaced; change its fields")

    @property
    def user_data_if_any(self) -> UserData | None:
        return super().user_data

    @property
    def person_id(self) -> int:
        """The sender's person; ``handlers.people`` registers everyone who writes before any
        other handler runs."""
        return required(self.user_data.person_id, "registered person")

    @property
    def db(self) -> Database:
        assert self.bot_data.database is not None, "database is opened in post_init"
        return self.bot_data.database

    @property
    def settings(self) -> Settings:
        assert self.bot_data.settings is not None
        return self.bot_data.settings

    @property
    def clock(self) -> Clock:
        return self.bot_data.clock

    @property
    def gateways(self) -> Gateways:
        assert self.bot_data.gateways is not None
        return self.bot_data.gateways

    @property
    def language(self) -> str:
        data = self.user_data_if_any
        if data is not None and data.language:
            return data.language
        return language_from_telegram(self.telegram_language)

    @property
    def i18n(self) -> Translator:
        return translator(self.language)

    @property
    def managers_i18n(self) -> Translator:
        return managers_translator(self.settings)


def managers_translator(settings: Settings) -> Translator:
    """The managers' group reads one language (``PARKSHARE_MANAGER_LANGUAGE``), whoever pressed
    or wrote there; for what has no handler's context, such as webhooks."""
    return translator(settings.manager_language)


CONTEXT_TYPES = ContextTypes(
    context=ParkShareContext, bot_data=BotData, user_data=UserData, chat_data=ChatData
)
