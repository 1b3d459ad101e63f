"""Configuration from the environment and an optional ``.env`` file (see ``.env.example``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.overstay_tariff import OverstayTariff

ENV_PREFIX = "PARKSHARE_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str | None = None
    # A self-hosted Telegram Bot API server (telegram-bot-api) to use instead of Telegram's.
    bot_api_url: str | None = Field(default=None, pattern=r"^https?://")
    database_url: str = "sqlite:///parkshare.db"
    manager_chat_id: int | None = None
    # The language of every card, button and report in the managers' group.
    manager_language: Literal["en", "zh_Hans", "ru"] = "en"
    # People allowed to moderate besides the managers' group administrators.
    manager_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # New listings wait for a manager's approval; off approves them at once.
    moderation: bool = True
    commission_percent: Decimal = Field(default=Decimal("15"), ge=0, le=100, decimal_places=2)
    # Owners in the top credit tier pay less.
    trusted_owner_commission_percent: Decimal = Field(
        default=Decimal("10"), ge=0, le=100, decimal_places=2
    )
    # The day of the managers' "today" report.
    report_timezone: str = "UTC"
    default_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    # Unpaid bookings and unanswered requests give their window back after these minutes.
    payment_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    request_window_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    # Cancellation policy shown before a driver confirms.
    free_cancellation_hours: int = Field(default=2, ge=0, le=24 * 30)
    late_cancellation_percent: int = Field(default=50, ge=0, le=100)
    # A driver moved from a spot found occupied to a dearer one pays nothing more: the platform
    # covers the difference up to this share of what they paid.
    occupied_subsidy_percent: int = Field(default=50, ge=0, le=500)
    # An owner whose spot was reported occupied loses the report if they say nothing this long.
    occupied_answer_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # A driver's live location this close to their spot is the driver there: an arrival, and
    # their presence when they report the spot occupied.
    presence_within_m: int = Field(default=150, ge=10, le=1000)
    # A car still there after its stay: free within the grace, then each started quarter-hour
    # from the end costs this share of the hourly price (the first hour's, then later ones').
    overstay_grace_minutes: int = Field(default=10, ge=0, le=120)
    overstay_first_hour_percent: int = Field(default=150, ge=100, le=1000)
    overstay_later_percent: int = Field(default=200, ge=100, le=1000)
    # An overstay bill unpaid this long goes to the managers and costs the driver credit.
    overstay_pay_within_hours: int = Field(default=24, ge=1, le=24 * 30)
    initial_credit_score: int = Field(default=600, ge=0, le=1000)
    # How drivers pay: "auto" is the sandbox's form in the sandbox, Stripe when only a Stripe
    # key is set, and Telegram's invoices otherwise.
    payment_gateway: Literal["auto", "telegram", "stripe", "sandbox"] = "auto"
    payment_provider_token: str | None = None
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    # Country of the owners' Stripe Connect accounts.
    payout_country: str = Field(default="DE", pattern=r"^[A-Z]{2}$")
    ors_api_key: str | None = None
    # Nominatim-compatible server for typed addresses; empty turns address lookup off.
    geocoder_url: str = "https://nominatim.openstreetmap.org"
    public_base_url: str | None = Field(default=None, pattern=r"^https?://")
    # The secret Telegram sends with every webhook request (its allowed characters); without
    # one, `parkshare serve` makes a new one at each start.
    telegram_webhook_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")
    # Where `parkshare serve` listens for Stripe's webhook and health checks.
    serve_host: str = "0.0.0.0"
    serve_port: int = Field(default=8000, ge=0, le=65535)
    # How many of one person's updates may wait their turn; more in a burst are dropped.
    flood_backlog: int = Field(default=20, ge=1, le=1000)
    # How long a worker holds an update before another may take it over (its process died).
    inbox_lease_seconds: int = Field(default=30, ge=1, le=3600)
    # After this long without an answer the person sees "finding location…"; a quicker one
    # comes without, which leaves more of Telegram's 30 messages a second for answers.
    slow_answer_ms: int = Field(default=400, ge=0, le=10_000)
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8080, ge=0, le=65535)

    @field_validator("report_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _known_store(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError(f"not a database URL: {value!r}") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
        return value

    @field_validator("bot_api_url", mode="before")
    @classmethod
    def _server_root(cls, value: object) -> object:
        """Empty is Telegram's own server; ``<url>/`` is ``<url>``, before ``/bot`` is added."""
        if isinstance(value, str):
            return value.rstrip("/") or None
        return value

    @field_validator("manager_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(",", " ").split())
        return value

    @property
    def overstay_tariff(self) -> OverstayTariff:
        return OverstayTariff(
            timedelta(minutes=self.overstay_grace_minutes),
            self.overstay_first_hour_percent,
            self.overstay_later_percent,
        )

    @property
    def commission_basis_points(self) -> int:
        return int(self.commission_percent * 100)

    @property
    def trusted_owner_commission_basis_points(self) -> int:
        return int(self.trusted_owner_commission_percent * 100)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""


def load_settings(**overrides: Any) -> Settings:
    """``overrides`` are settings and pydantic-settings' own options (``_env_file``), each
    validated by pydantic as the environment's values are."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = ENV_PREFIX + str(first["loc"][0]).upper() if first["loc"] else ENV_PREFIX
        raise SettingsError(f"{name}: {first['msg']}") from None
