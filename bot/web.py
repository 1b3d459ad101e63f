"""The bot's HTTP face in production (`parkshare serve`): Telegram's and Stripe's webhooks and a
health check."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BotData, ParkShareContext, managers_translator
from bot.edge import ParkShareApplication
from bot.i18n import Translator, translator
from bot.inbox import body_of, bot_id_of, keep_updates
from bot.payment_messages import tell_of_payment
from bot.transfers import hold_lapsed_text
from core.ports import GatewayUnavailable
from core.services import gateway_events, people
from core.services.gateway_events import EventOutcome, OutcomeKind

log = logging.getLogger(__name__)


WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes (a message of 4,096 characters and what it quotes);
# anything near this size is not one of them.
MAX_UPDATE_BYTES = 1 << 20
# The Bot API's integers without a note of more bits fit in 32 signed bits; update ids too.
UPDATE_IDS = range(0, 2**31)


async def _body_within(request: Request, limit: int) -> bytes | None:
    """The request's body, or None once it is longer than ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _update_data(body: bytes) -> dict[str, Any] | None:
    """The body as an update's fields: a JSON object with an ``update_id`` in the Bot API's
    range; None for anything else (an array, null, a string, a float or a huge id)."""
    try:
        data = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int) or update_id not in UPDATE_IDS:
        return None
    return data


def build_web_app(
    application: Application[Any, Any, Any, Any, Any, Any], *, telegram_secret: str | None = None
) -> Starlette:
    """Stripe's webhook and the health check; Telegram's webhook too when ``telegram_secret``
    is given, the token every one of Telegram's requests must carry. An update is answered
    200 only once it is kept in the inbox, and 503 when it cannot be, so that Telegram sends
    it again; the same update sent again is kept once."""
    bot_data: BotData = application.bot_data

    async def telegram_webhook(request: Request) -> Response:
        assert telegram_secret is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), telegram_secret.encode()):
            log.warning("a Telegram webhook request without the secret token was refused")
            return Response(status_code=403)
        body = await _body_within(request, MAX_UPDATE_BYTES)
        if body is None:
            return Response(status_code=413)
        data = _update_data(body)
        if data is None:
            return Response(status_code=400)
        try:
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):  # fields not of their types
            return Response(status_code=400)
        handing_over: contextlib.AbstractContextManager[None] = (
            application.worker.handing_over([update])
            if isinstance(application, ParkShareApplication)
            else contextlib.nullcontext()
        )
        try:
            with handing_over:
                await keep_updates(
                    ParkShareContext(application).db, bot_id_of(application.bot), [update],
                    [body_of(data)],
                )  # fmt: skip
        except Exception:  # the store unreachable: Telegram sends it again after a 5xx
            log.warning("an update could not be kept; Telegram will send it again", exc_info=True)
            await ParkShareContext(application).db.discard_connections()
            return Response(status_code=503)
        return Response(status_code=200)

    async def stripe_webhook(request: Request) -> Response:
        gateway = bot_data.gateways.stripe if bot_data.gateways else None
        if gateway is None:
            return JSONResponse({"error": "Stripe is not configured"}, status_code=404)
        from payments.stripe_events import MalformedEvent, notice_of
        from payments.stripe_gateway import ForgedWebhook

        try:
            event = await gateway.parse_event(
                await request.body(), request.headers.get("stripe-signature")
            )
        except ForgedWebhook:
            log.warning("a Stripe webhook with a bad signature was refused")
            return JSONResponse({"error": "bad signature"}, status_code=400)
        try:
            notice = notice_of(event)
        except MalformedEvent:
            log.warning("a signed Stripe event that is not what Stripe sends was refused")
            return JSONResponse({"error": "malformed event"}, status_code=400)
        try:
            outcome = await gateway_events.apply_notice(
                ParkShareContext(application).db, bot_data.clock, gateway, notice
            )
        except GatewayUnavailable as error:
            # Nothing was recorded: Stripe sends the event again (for up to three days) on
            # any answer but 2xx, and then it is applied.
            log.warning("Stripe event %s waits for Stripe to resend it: %s", notice.event_id, error)
            return JSONResponse({"error": "Stripe could not be asked; retry"}, status_code=503)
        await tell_about_payment(application, outcome)
        return JSONResponse({"received": True, "outcome": outcome.kind})

    async def healthz(request: Request) -> Response:
        try:
            await ParkShareContext(application).db.ping()
        except Exception:  # any failure to reach the database is ill health
            log.exception("health check: database unreachable")
            return JSONResponse({"ok": False, "database": False}, status_code=503)
        running = application.running
        return JSONResponse({"ok": running, "database": True, "bot": running},
                            status_code=200 if running else 503)  # fmt: skip

    routes = [
        Route("/stripe/webhook", stripe_webhook, methods=["POST"]),
        Route("/healthz", healthz),
    ]
    if telegram_secret is not None:
        routes.append(Route(WEBHOOK_PATH, telegram_webhook, methods=["POST"]))
    return Starlette(routes=routes)


async def register_webhook(
    application: Application[Any, Any, Any, Any, Any, Any], public_base_url: str, secret: str
) -> None:
    """Telegram delivers updates to ``public_base_url`` from now on, each with ``secret``;
    what it queued while the bot was away arrives too."""
    await application.bot.set_webhook(
        url=public_base_url.rstrip("/") + WEBHOOK_PATH,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
    )


async def tell_about_payment(
    application: Application[Any, Any, Any, Any, Any, Any], outcome: EventOutcome
) -> None:
    """The driver hears that a payment went through or failed; managers hear of chargebacks."""
    context = ParkShareContext(application)
    settings = context.settings
    if outcome.kind == OutcomeKind.PAID and outcome.payment is not None:
        async with context.db.reading() as uow:
            driver = await people.get(uow, outcome.payment.booking.driver_id)
        await tell_of_payment(
            context, outcome.payment, driver.telegram_id,
            translator(driver.language),
        )  # fmt: skip
    elif outcome.kind == OutcomeKind.PAYMENT_FAILED and outcome.booking_id is not None:
        async with context.db.reading() as uow:
            booking = await uow.bookings.get(outcome.booking_id)
            payer = await people.get(uow, booking.driver_id) if booking else None
        if payer is not None:
            i18n = translator(payer.language)
            await _send(application, payer.telegram_id, i18n.gettext(
                "The payment for booking #{id} did not go through. Nothing was charged; you "
                "can try again from /bookings."
            ).format(id=outcome.booking_id))  # fmt: skip
    elif (
        outcome.kind == OutcomeKind.HOLD_LAPSED
        and outcome.lapsed is not None
        and settings.manager_chat_id is not None
    ):
        to_managers = managers_translator(settings)
        await _send(application, settings.manager_chat_id,
                    hold_lapsed_text(outcome.lapsed, to_managers))  # fmt: skip
    elif outcome.kind == OutcomeKind.DISPUTE and settings.manager_chat_id is not None:
        i18n = managers_translator(settings)
        await _send(application, settings.manager_chat_id, i18n.gettext(
            "⚠️ The driver's bank disputes the payment for booking #{id} ({reference}). "
            "A dispute is open."
        ).format(id=outcome.booking_id, reference=outcome.detail))  # fmt: skip
    elif (
        outcome.kind in (OutcomeKind.CHARGEBACK_FUNDS, OutcomeKind.CHARGEBACK_CLOSED)
        and outcome.chargeback is not None
        and settings.manager_chat_id is not None
    ):
        to_managers = managers_translator(settings)
        await _send(application, settings.manager_chat_id,
                    chargeback_text(outcome, to_managers))  # fmt: skip


def chargeback_text(outcome: EventOutcome, i18n: Translator) -> str:
    """What the driver's bank did with a disputed payment's money, for the managers."""
    moved = outcome.chargeback
    assert moved is not None
    _ = i18n.gettext
    if outcome.kind == OutcomeKind.CHARGEBACK_CLOSED:
        text = (
            _("The chargeback {reference} on booking #{id} is lost: the bank keeps {amount}.")
            if moved.taken_back
            else _("The chargeback {reference} on booking #{id} is won: {amount} is back.")
        )
    elif moved.taken_back:
        text = _("💳 The driver's bank took back {amount} for booking #{id} ({reference}).")
    else:
        text = _("The driver's bank returned {amount} for booking #{id} ({reference}).")
    return text.format(
        reference=outcome.detail, id=moved.booking_id, amount=i18n.money(moved.asked)
    )


async def _send(application: Application[Any, Any, Any, Any, Any, Any], chat_id: int,
                text: str) -> None:  # fmt: skip
    with contextlib.suppress(TelegramError):
        await application.bot.send_message(chat_id, text)
