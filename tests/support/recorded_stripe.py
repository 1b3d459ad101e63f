"""Stripe's answers for what localstripe cannot serve: Checkout Sessions and Connect (accounts,
onboarding links, transfers). The bodies in ``stripe_recordings/`` follow Stripe's documented
objects; their ``object`` field makes the SDK build the right class, and the values the request
chose (amounts, metadata, ids) are filled in from it. Every other request goes to ``fallback``,
a real HTTP client pointed at localstripe, so PaymentIntents stay real."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

RECORDINGS = Path(__file__).parent / "stripe_recordings"


def recording(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((RECORDINGS / f"{name}.json").read_text())
    return body


@dataclass(frozen=True, slots=True)
class RecordedCall:
    method: str
    path: str
    # The SDK's form encoding flattened: {"payment_intent_data[capture_method]": "manual"}.
    form: dict[str, str]
    headers: dict[str, str]

    def nested(self, prefix: str) -> dict[str, str]:
        """``metadata[booking_id]=42`` as ``{"booking_id": "42"}`` for ``prefix="metadata"``."""
        start = f"{prefix}["
        return {
            key[len(start) : -1]: value
            for key, value in self.form.items()
            if key.startswith(start) and key.endswith("]") and "][" not in key[len(start) :]
        }


Responder = Callable[[RecordedCall, re.Match[str]], dict[str, Any]]


class Refusal(Exception):
    """Stripe answers with an error: its status and body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


class RecordedStripe(stripe.HTTPClient):
    # The SDK names its HTTP client in the User-Agent header and fails without one.
    name = "recorded"

    def __init__(self, fallback: stripe.HTTPClient | None = None) -> None:
        super().__init__()
        self.fallback = fallback
        # Every request the SDK made, answered here or by the fallback.
        self.calls: list[RecordedCall] = []
        # What happened on Stripe's side meanwhile: a driver paid, an owner finished onboarding.
        self.paid_sessions: dict[str, str] = {}
        self.expired_sessions: set[str] = set()
        self.onboarded_accounts: set[str] = set()
        # Transfers whose destination account no longer holds the money to reverse.
        self.unreversible_transfers: set[str] = set()
        # Idempotency keys seen: the request first made with each, and its answer.
        self._answered: dict[str, tuple[tuple[str, dict[str, str]], Any]] = {}
        self._routes: list[tuple[str, re.Pattern[str], Responder]] = [
            ("POST", re.compile(r"/v1/checkout/sessions"), self._session_created),
            ("GET", re.compile(r"/v1/checkout/sessions/(?P<id>cs_\w+)"), self._session),
            ("POST", re.compile(r"/v1/checkout/sessions/(?P<id>cs_\w+)/expire"), self._expire),
            ("POST", re.compile(r"/v1/accounts"), self._account_created),
            ("GET", re.compile(r"/v1/accounts/(?P<id>acct_\w+)"), self._account),
            ("POST", re.compile(r"/v1/account_links"), self._account_link),
            ("POST", re.compile(r"/v1/transfers"), self._transfer),
            ("POST", re.compile(r"/v1/transfers/(?P<id>tr_\w+)/reversals"), self._reversal),
        ]

    def calls_to(self, method: str, path: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method and call.path == path]

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
    ) -> tuple[str | bytes, int, Mapping[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
        form = dict(parse_qsl(body, keep_blank_values=True))
        form.update(parse_qsl(parts.query, keep_blank_values=True))
        call = RecordedCall(method.upper(), parts.path, form, dict(headers or {}))
        self.calls.append(call)
        for route_method, pattern, respond in self._routes:
            match = pattern.fullmatch(parts.path)
            if route_method == call.method and match:
                try:
                    answer, status = self._idempotent(call, partial(respond, call, match)), 200
                except Refusal as refusal:
                    answer, status = refusal.body, refusal.status
                return json.dumps(answer), status, {"Request-Id": "req_recorded"}
        if self.fallback is not None:
            return self.fallback.request(method, url, headers, post_data)
        error = {"type": "invalid_request_error", "message": f"nothing recorded for {url}"}
        return json.dumps({"error": error}), 404, {"Request-Id": "req_recorded"}

    def _idempotent(self, call: RecordedCall, respond: Callable[[], dict[str, Any]]) -> Any:
        """As Stripe keeps a key: its first answer again for the same request, and an
        ``idempotency_error`` for a different request under the same key."""
        key = call.headers.get("Idempotency-Key")
        if key is None or call.method != "POST":
            return respond()
        request = (call.path, call.form)
        if key in self._answered:
            first, answer = self._answered[key]
            if first != request:
                error = recording("idempotency_key_reused_error")
                error["error"]["message"] = error["error"]["message"].replace("KEY", key)
                raise Refusal(400, error)
            return answer
        answer = respond()
        self._answered[key] = (request, answer)
        return answer

    def request_stream(self, method: str, url: str, headers: Any, post_data: Any = None) -> Any:
        raise NotImplementedError("ParkShare streams nothing from Stripe")

    def close(self) -> None:
        if self.fallback is not None:
            self.fallback.close()

    def _session_created(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        body = recording("checkout_session_open")
        amount = int(call.form["line_items[0][price_data][unit_amount]"])
        made = len(self.calls_to("POST", "/v1/checkout/sessions"))
        if made > 1:
            # Each page after the first gets an id of its own.
            recorded_id = body["id"]
            body["id"] = f"{recorded_id[:-6]}{made:06d}"
            body["url"] = body["url"].replace(recorded_id, body["id"])
        body.update(
            amount_subtotal=amount,
            amount_total=amount,
            currency=call.form["line_items[0][price_data][currency]"],
            client_reference_id=call.form.get("client_reference_id"),
            metadata=call.nested("metadata"),
            success_url=call.form.get("success_url"),
            cancel_url=call.form.get("cancel_url"),
        )
        if "expires_at" in call.form:
            body["expires_at"] = int(call.form["expires_at"])
        return body

    def _session(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        session_id = match["id"]
        if session_id in self.expired_sessions:
            return {**recording("checkout_session_expired"), "id": session_id}
        if session_id not in self.paid_sessions:
            return {**recording("checkout_session_open"), "id": session_id}
        return {
            **recording("checkout_session_complete"),
            "id": session_id,
            "payment_intent": self.paid_sessions[session_id],
        }

    def _expire(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        """Stripe expires an open session only; any other is refused with an error."""
        session_id = match["id"]
        if session_id in self.paid_sessions or session_id in self.expired_sessions:
            raise Refusal(400, recording("checkout_session_not_open_error"))
        self.expired_sessions.add(session_id)
        return {**recording("checkout_session_expired"), "id": session_id}

    def _account_created(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        body = recording("account_restricted")
        body.update(country=call.form["country"], metadata=call.nested("metadata"))
        return body

    def _account(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        account_id = match["id"]
        state = (
            "account_onboarded" if account_id in self.onboarded_accounts else "account_restricted"
        )
        return {**recording(state), "id": account_id}

    def _account_link(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        body = recording("account_link")
        body["url"] = body["url"].replace("acct_1QzTA2PxW8mR4kLd", call.form["account"])
        return body

    def _transfer(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        body = recording("transfer")
        body.update(
            amount=int(call.form["amount"]),
            currency=call.form["currency"],
            destination=call.form["destination"],
            transfer_group=call.form.get("transfer_group"),
            source_transaction=call.form.get("source_transaction"),
            metadata=call.nested("metadata"),
        )
        return body

    def _reversal(self, call: RecordedCall, match: re.Match[str]) -> dict[str, Any]:
        if match["id"] in self.unreversible_transfers:
            raise Refusal(400, recording("transfer_reversal_refused_error"))
        body = recording("transfer_reversal")
        body.update(amount=int(call.form["amount"]), transfer=match["id"])
        return body
