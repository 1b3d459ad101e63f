"""localstripe (a fake Stripe API server) run inside the test process, so the real ``stripe``
SDK can be tested over HTTP on loopback.

It runs on its own event loop in a background thread: the SDK is synchronous, and a sync call
made on the thread that owns the server's loop would wait forever for its own answer.
localstripe's aiohttp application is a module-level singleton bound to the first loop it runs
on, so a process gets one server (a session-scoped fixture) and ``reset()`` between tests."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import localstripe.resources
import localstripe.webhooks
from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import Charge, PaymentIntent
from localstripe.server import app as localstripe_app
from localstripe.server import get_post_data, json_response

# localstripe pickles its whole store to /tmp/localstripe.pickle on every write, shared by
# every process on the machine; tests keep their state in memory only.
localstripe.resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]

# --- what Stripe does and localstripe does not ---------------------------------------------
# An online card authorisation lasts 7 days: Stripe says when, on the charge
# (payment_method_details.card.capture_before, a Unix time).
CARD_HOLD_S = 7 * 24 * 3600


def _capture(
    self: Any, amount: Any, on_success: Any = None, _capture: Any = Charge._capture
) -> None:
    # Remember what a partial capture left on the card: Stripe's amount_captured and the
    # intent's amount_received leave it out.
    self._uncaptured = self.amount - int(amount if amount is not None else self.amount)
    _capture(self, amount, on_success)


def _payment_method_details(self: Any) -> dict[str, Any]:
    return {"type": "card", "card": {"brand": "visa", "last4": "4242",
                                     "capture_before": self.created + CARD_HOLD_S}}  # fmt: skip


def _amount_captured(self: Any) -> int:
    return self.amount - getattr(self, "_uncaptured", 0) if self.captured else 0


def _amount_received(self: Any) -> int:
    charge = self.latest_charge
    return _amount_captured(charge) if charge is not None and self.status == "succeeded" else 0


def _amount_capturable(self: Any) -> int:
    return self.amount if self.status == "requires_capture" else 0


Charge._capture = _capture  # type: ignore[method-assign]
Charge.payment_method_details = property(_payment_method_details)  # type: ignore[attr-defined]
Charge.amount_captured = property(_amount_captured)  # type: ignore[attr-defined]
PaymentIntent.amount_received = property(_amount_received)  # type: ignore[attr-defined]
PaymentIntent.amount_capturable = property(_amount_capturable)  # type: ignore[attr-defined]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Idempotency-Key -> (what was asked, the answer's status and body), as Stripe keeps them.
_idempotent: dict[str, tuple[str, int, bytes]] = {}


@web.middleware
async def idempotency(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Stripe answers a POST repeated with the same Idempotency-Key with the first answer, and
    refuses the key with other parameters; localstripe ignores the header."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None:
        return await handler(request)
    asked = hashlib.sha256(request.path.encode() + b"?" + await request.read()).hexdigest()
    if key in _idempotent:
        first, status, body = _idempotent[key]
        if first != asked:
            raise UserError(400, "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                            {"type": "idempotency_error"})  # fmt: skip
        return web.Response(body=body, status=status, content_type="application/json")
    response = await handler(request)
    if isinstance(response, web.Response) and response.body is not None and response.status < 500:
        _idempotent[key] = (asked, response.status, bytes(response.body))  # type: ignore[arg-type]
    return response


@web.middleware
async def capture_with_metadata(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Stripe's capture takes ``metadata``; localstripe's refuses any parameter it lacks."""
    parts = request.path.strip("/").split("/")
    if (
        request.method != "POST"
        or parts[:2] != ["v1", "payment_intents"]
        or parts[3:] != ["capture"]
    ):
        return await handler(request)
    data = await get_post_data(request) or {}
    metadata = data.pop("metadata", None) or {}
    data.pop("expand", None)
    intent = PaymentIntent._api_capture(parts[2], **data)
    intent.metadata = {**(intent.metadata or {}), **metadata}
    return json_response(intent._export())


localstripe_app.middlewares.extend([idempotency, capture_with_metadata])

TIMEOUT_S = 10


class LocalStripe:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="localstripe", daemon=True
        )
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalStripe:
        self._thread.start()
        self._run(self._start())
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(localstripe_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def reset(self) -> None:
        """Forget every object, webhook endpoint and not-yet-sent event: localstripe sends each
        event a second after the call, to whatever endpoints exist then, so a pending one would
        reach the next test."""

        async def reset() -> None:
            self._cancel_pending_webhooks()
            localstripe.resources.store.clear()
            localstripe.webhooks._webhooks.clear()
            _idempotent.clear()

        self._run(reset())

    def register_webhook(self, url: str, secret: str, events: list[str] | None = None) -> None:
        async def register() -> None:
            localstripe.webhooks.register_webhook("tests", url, secret, events)

        self._run(register())

    def stop(self) -> None:
        async def stop() -> None:
            self._cancel_pending_webhooks()
            if self._runner is not None:
                await self._runner.cleanup()

        self._run(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT_S)
        self._loop.close()

    def _cancel_pending_webhooks(self) -> None:
        for task in asyncio.all_tasks(self._loop):
            if task.get_coro().__name__ == localstripe.webhooks._send_webhook.__name__:
                task.cancel()

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(TIMEOUT_S)
