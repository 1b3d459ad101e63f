"""The sandbox's HTTP face: the Bot API at ``/bot<token>/<method>`` and file downloads for the
bot, and the web chat with its small JSON API for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sandbox import actions
from sandbox.botapi import call
from sandbox.world import JSON, BotApiError, World, bad_request

STATIC = Path(__file__).with_name("static")
# Form fields PTB sends JSON-encoded; everything else is a plain string or number.
JSON_FIELDS = {
    "reply_markup", "prices", "commands", "scope", "entities", "caption_entities",
    "allowed_updates", "link_preview_options", "reply_parameters", "menu_button",
    "suggested_tip_amounts", "media", "show_caption_above_media", "results", "button",
}  # fmt: skip
BOOL_FIELDS = {"ok", "show_alert", "drop_pending_updates", "disable_notification",
               "protect_content", "need_name", "need_email", "is_flexible",
               "is_personal"}  # fmt: skip
NUMBER_FIELDS = {"latitude", "longitude", "offset", "limit", "timeout", "message_id", "user_id",
                 "cache_time", "live_period", "horizontal_accuracy"}  # fmt: skip
SSE_KEEPALIVE_S = 15.0
IMAGE_SIGNATURES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif",
                    b"RIFF": "image/webp"}  # fmt: skip


def _value(name: str, raw: Any) -> Any:
    if isinstance(raw, UploadFile):
        return raw
    text = str(raw)
    try:
        if name in JSON_FIELDS:
            return json.loads(text)
        if name in BOOL_FIELDS:
            return text.lower() in ("true", "1")
        if name in NUMBER_FIELDS:
            return float(text) if "." in text else int(text)
    except ValueError:
        raise bad_request(f'can\'t parse parameter "{name}"') from None
    return text


async def _params(request: Request) -> JSON:
    params: JSON = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body:
            try:
                params.update(json.loads(body))
            except ValueError:
                raise bad_request("can't parse JSON request") from None
        return params
    if request.method == "POST":
        async with request.form() as form:
            for name, raw in form.multi_items():
                params[name] = await raw.read() if isinstance(raw, UploadFile) else raw
    for name, value in list(params.items()):
        if name not in ("text", "caption") and isinstance(value, str):
            params[name] = _value(name, value)
    return params


def _error(error: BotApiError) -> JSONResponse:
    body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return JSONResponse(body, status_code=error.code)


def build_app(
    world: World, *, city: JSON | None = None, managers_group_id: int | None = None
) -> Starlette:
    async def bot_api(request: Request) -> Response:
        if request.path_params["token"] != world.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        try:
            result = await call(world, request.path_params["method"], await _params(request))
        except BotApiError as error:
            return _error(error)
        return JSONResponse({"ok": True, "result": result})

    async def download(request: Request) -> Response:
        if request.path_params["token"] != world.token:
            return Response(status_code=401)
        path = request.path_params["path"]
        for content, file_path in world.files.values():
            if file_path == path:
                return Response(content, media_type="application/octet-stream")
        return Response(status_code=404)

    async def file(request: Request) -> Response:
        """A photo for the web chat to show; the bot's own download route needs the token."""
        stored = world.files.get(request.path_params["file_id"])
        if stored is None:
            return Response(status_code=404)
        return Response(stored[0], media_type=_image_type(stored[0]))

    async def person_action(request: Request) -> Response:
        """The web chat's and test client's actions: /sandbox/api/people/{id}/{action}."""
        action = request.path_params["action"]
        try:
            if action == "create" or request.path_params["person_id"] == "new":
                body = await request.json()
                person = world.add_person(
                    str(body.get("name") or "Guest")[:64], language=body.get("language") or "en"
                )
                # Managers are the administrators of the managers' group, as on Telegram.
                if body.get("role") == "manager" and managers_group_id is not None:
                    world.chat(managers_group_id).members[person["id"]] = "administrator"
                return JSONResponse(person)
            person_id = int(request.path_params["person_id"])
            actions.require_person(world, person_id)
            if action == "photo":
                content, _name, _kind = await _upload(request, "photo")
                return JSONResponse(await actions.send_photo(world, person_id, content))
            if action == "document":
                content, name, kind = await _upload(request, "document")
                return JSONResponse(
                    await actions.send_document(world, person_id, content, name, kind)
                )
            body = await request.json()
            result = await _act(world, person_id, action, body)
        except BotApiError as error:
            return _error(error)
        except (ValueError, KeyError, TypeError):
            return _error(bad_request("malformed request"))
        return JSONResponse(result)

    async def state(request: Request) -> Response:
        return JSONResponse({
            "bot": world.bot,
            "people": list(world.people.values()),
            "groups": [
                {**chat.as_json(world), "members": list(chat.members)}
                for chat in world.chats.values() if chat.type != "private"
            ],
            "city": city,
        })  # fmt: skip

    async def events(request: Request) -> Response:
        chat_id = int(request.path_params["chat_id"])
        after = int(request.query_params.get("after", 0))
        try:
            chat = world.chat(chat_id)
        except BotApiError as error:
            return _error(error)
        return JSONResponse({"events": chat.events[after:], "reply_keyboard": chat.reply_keyboard})

    async def stream(request: Request) -> Response:
        chat_id = int(request.path_params["chat_id"])
        after = int(request.query_params.get("after", 0))

        async def feed():
            position = after
            while not world.closed and not await request.is_disconnected():
                fresh = await world.wait_for_events(chat_id, position, SSE_KEEPALIVE_S)
                if not fresh:
                    yield ": keep-alive\n\n"
                    continue
                for event in fresh:
                    yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n"
                position += len(fresh)

        return StreamingResponse(feed(), media_type="text/event-stream")

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", bot_api, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", download),
            Route("/sandbox/api/state", state),
            Route("/sandbox/api/files/{file_id}", file),
            Route("/sandbox/api/people/{person_id}/{action}", person_action, methods=["POST"]),
            Route("/sandbox/api/chats/{chat_id}/events", events),
            Route("/sandbox/api/chats/{chat_id}/stream", stream),
            Route("/", index),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )


def _image_type(content: bytes) -> str:
    for signature, media_type in IMAGE_SIGNATURES.items():
        if content.startswith(signature):
            return media_type
    return "application/octet-stream"


async def _act(world: World, person_id: int, action: str, body: JSON) -> Any:
    if action == "send":
        chat_id = body.get("chat_id")
        return await actions.send_text(
            world, person_id, str(body["text"]), int(chat_id) if chat_id else None
        )
    if action == "press":
        return await actions.press_button(
            world, person_id, int(body["chat_id"]), int(body["message_id"]), str(body["data"])
        )
    if action == "location":
        return await actions.share_location(
            world, person_id, float(body["latitude"]), float(body["longitude"])
        )
    if action == "pay":
        return await actions.pay_invoice(world, person_id, int(body["message_id"]))
    if action == "inline":
        at = body.get("location")
        return await actions.inline_query(
            world, person_id, str(body.get("query") or ""),
            location=(float(at["latitude"]), float(at["longitude"])) if at else None,
        )  # fmt: skip
    if action == "choose":
        return await actions.choose_inline_result(
            world, person_id, int(body["chat_id"]), str(body.get("query") or ""),
            dict(body["result"]),
        )  # fmt: skip
    raise bad_request(f"unknown action {action}")


async def _upload(request: Request, field: str) -> tuple[bytes, str, str | None]:
    """A file the web chat sends as a form field: its bytes, name and type."""
    async with request.form() as form:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise bad_request(f"{field} is required")
        return await upload.read(), upload.filename or "file", upload.content_type
