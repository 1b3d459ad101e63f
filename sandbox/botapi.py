"""The Bot API methods the bot calls, with Telegram's checks and answers.

Each method takes the parsed parameters and returns the ``result`` Telegram would return, or
raises ``BotApiError`` with Telegram's own description."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from payments.telegram_invoice import (
    DESCRIPTION_MAX,
    PAYLOAD_MAX_BYTES,
    TITLE_MAX,
    telegram_currencies,
)
from sandbox.formatting import EntityError, parse_html, utf16_length
from sandbox.world import JSON, PRE_CHECKOUT_TIMEOUT_S, BotApiError, Chat, World, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
ADMIN_RIGHTS = dict.fromkeys(
    ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
     "can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
     "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
     "can_send_welcome_messages"),
    False,
)  # fmt: skip

Method = Callable[[World, JSON], Awaitable[Any]]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        METHODS[name.lower()] = function
        return function

    return register


async def call(world: World, name: str, params: JSON) -> Any:
    if (retry_after := world.failures.pop(name.lower(), None)) is not None:
        raise BotApiError(429, f"Too Many Requests: retry after {retry_after}",
                          retry_after=retry_after)  # fmt: skip
    if (refusal := world.refusals.pop(name.lower(), None)) is not None:
        raise bad_request(refusal)
    if world.sending_out_of_service and name.lower().startswith(("send", "edit")):
        raise BotApiError(502, "Bad Gateway")
    if name.lower().startswith("send") and _chat_of(params) in world.blocked_the_bot:
        raise BotApiError(403, "Forbidden: bot was blocked by the user")
    handler = METHODS.get(name.lower())
    if handler is None:
        raise BotApiError(404, f"Not Found: method '{name}' is not implemented by the sandbox")
    return await handler(world, params)


def _chat_of(params: JSON) -> int | None:
    if (chat_id := params.get("chat_id")) is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return None


def _required(params: JSON, *names: str) -> None:
    for name in names:
        if params.get(name) in (None, ""):
            raise bad_request(f'parameter "{name}" is required')


# --- formatting and keyboards ---------------------------------------------------------------


def formatted_text(
    text: str, parse_mode: str | None, explicit: list[JSON] | None
) -> tuple[str, list]:
    if parse_mode is None or parse_mode == "":
        return text, list(explicit or [])
    if parse_mode.upper() != "HTML":
        # Only HTML is checked; Markdown passes through as plain text in the sandbox.
        if parse_mode not in ("MarkdownV2", "Markdown"):
            raise bad_request(f'unsupported parse_mode "{parse_mode}"')
        return text, []
    try:
        return parse_html(text)
    except EntityError as error:
        raise bad_request(f"can't parse entities: {error}") from None


def _check_markup(markup: Any) -> JSON | None:
    if markup is None:
        return None
    invalid = bad_request("can't parse reply keyboard markup JSON object")
    if not isinstance(markup, dict):
        raise invalid
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise invalid
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: Text buttons are "
                                      "unallowed in the inline keyboard")  # fmt: skip
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
                if data is None and not button.get("url"):
                    raise bad_request("can't parse inline keyboard button: Text buttons are "
                                      "unallowed in the inline keyboard")  # fmt: skip
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise invalid
        markup = dict(markup)
        markup["keyboard"] = [
            [button if isinstance(button, dict) else {"text": str(button)} for button in row]
            for row in rows
        ]
        if any(not button.get("text") for row in markup["keyboard"] for button in row):
            raise bad_request("keyboard button text can't be empty")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise invalid


def _apply_markup(chat: Chat, message: JSON, markup: JSON | None) -> None:
    """Inline keyboards belong to the message; reply keyboards replace the chat's keyboard."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    elif "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def _chat_for_bot(world: World, params: JSON) -> Chat:
    _required(params, "chat_id")
    return world.chat(params["chat_id"])


async def _send(
    world: World, chat: Chat, params: JSON, *, viewer_notes: JSON | None = None, **content: Any
) -> JSON:
    """Sends ``content`` as a bot message. ``viewer_notes`` go on the chat event beside the
    message, for the web chat alone: the message itself stays in Telegram's schema."""
    markup = _check_markup(params.get("reply_markup"))
    message = world.new_message(chat, world.bot, **content)
    _apply_markup(chat, message, markup)
    await world.record(chat, {"kind": "message", "message": message,
                              "reply_keyboard": chat.reply_keyboard,
                              **(viewer_notes or {})})  # fmt: skip
    return message


# --- identity, updates, webhooks -------------------------------------------------------------


@method("getMe")
async def get_me(world: World, params: JSON) -> JSON:
    return world.bot


@method("logOut")
async def log_out(world: World, params: JSON) -> bool:
    return True


@method("close")
async def close(world: World, params: JSON) -> bool:
    return True


@method("getUpdates")
async def get_updates(world: World, params: JSON) -> list[JSON]:
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    offset = params.get("offset")
    return await world.get_updates(
        int(offset) if offset is not None else None, limit, float(params.get("timeout") or 0),
        params.get("allowed_updates") or None,
    )  # fmt: skip


@method("setWebhook")
async def set_webhook(world: World, params: JSON) -> bool:
    _required(params, "url")
    world.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
    return True


@method("deleteWebhook")
async def delete_webhook(world: World, params: JSON) -> bool:
    world.webhook = None
    # Updates the webhook failed to take wait for getUpdates, as Telegram keeps them.
    world.updates.extend(world.webhook_pending)
    world.webhook_pending.clear()
    if params.get("drop_pending_updates"):
        world.updates.clear()
    return True


@method("getWebhookInfo")
async def get_webhook_info(world: World, params: JSON) -> JSON:
    return {
        "url": world.webhook["url"] if world.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
        **({"last_error_message": world.webhook_error} if world.webhook_error else {}),
    }


# --- messages --------------------------------------------------------------------------------


@method("sendMessage")
async def send_message(world: World, params: JSON) -> JSON:
    chat = _chat_for_bot(world, params)
    raw = str(params.get("text") or "")
    text, entities = formatted_text(raw, params.get("parse_mode"), params.get("entities"))
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return await _send(world, chat, params, text=text, entities=entities or None)


def _own_message(world: World, params: JSON) -> tuple[Chat, JSON]:
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    chat = _chat_for_bot(world, params)
    message = chat.messages.get(int(params.get("message_id") or 0))
    if message is None:
        raise bad_request("message to edit not found")
    if message["from"]["id"] != world.bot["id"]:
        raise bad_request("message can't be edited")
    return chat, message


async def _edited(world: World, chat: Chat, message: JSON, changes: JSON) -> JSON:
    unchanged = all(message.get(key) == value for key, value in changes.items())
    if unchanged:
        raise bad_request("message is not modified: specified new message content and reply "
                          "markup are exactly the same as a current content and reply markup "
                          "of the message")  # fmt: skip
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(time.time())
    await world.record(chat, {"kind": "edited", "message": dict(message)})
    return message


def _inline_markup(params: JSON) -> JSON | None:
    markup = _check_markup(params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return {"inline_keyboard": markup["inline_keyboard"]} if markup else None


@method("editMessageText")
async def edit_message_text(world: World, params: JSON) -> JSON:
    chat, message = _own_message(world, params)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted_text(
        str(params.get("text") or ""), params.get("parse_mode"), params.get("entities")
    )
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return await _edited(world, chat, message, {
        "text": text, "entities": entities or None, "reply_markup": _inline_markup(params),
    })  # fmt: skip


@method("editMessageCaption")
async def edit_message_caption(world: World, params: JSON) -> JSON:
    chat, message = _own_message(world, params)
    caption, entities = formatted_text(
        str(params.get("caption") or ""), params.get("parse_mode"), params.get("caption_entities")
    )
    if utf16_length(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return await _edited(world, chat, message, {
        "caption": caption or None, "caption_entities": entities or None,
        "reply_markup": _inline_markup(params),
    })  # fmt: skip


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, params: JSON) -> JSON:
    chat, message = _own_message(world, params)
    return await _edited(world, chat, message, {"reply_markup": _inline_markup(params)})


@method("deleteMessage")
async def delete_message(world: World, params: JSON) -> bool:
    chat = _chat_for_bot(world, params)
    message_id = int(params.get("message_id") or 0)
    if chat.messages.pop(message_id, None) is None:
        raise bad_request("message to delete not found")
    await world.record(chat, {"kind": "deleted", "message_id": message_id})
    return True


@method("sendLocation")
async def send_location(world: World, params: JSON) -> JSON:
    chat = _chat_for_bot(world, params)
    return await _send(world, chat, params, location=_location(params))


@method("sendVenue")
async def send_venue(world: World, params: JSON) -> JSON:
    chat = _chat_for_bot(world, params)
    _required(params, "title", "address")
    location = _location(params)
    venue = {"location": location, "title": params["title"], "address": params["address"]}
    return await _send(world, chat, params, location=location, venue=venue)


def _location(params: JSON) -> JSON:
    try:
        latitude, longitude = float(params["latitude"]), float(params["longitude"])
    except (KeyError, TypeError, ValueError):
        raise bad_request("wrong latitude or longitude") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude")
    return {"latitude": latitude, "longitude": longitude}


def photo_sizes(world: World, content: bytes) -> list[JSON]:
    file_id, unique = world.store_file(content, "photos")
    thumb_id, thumb_unique = world.store_file(content, "thumbnails")
    return [
        {"file_id": thumb_id, "file_unique_id": thumb_unique, "width": 90, "height": 90,
         "file_size": len(content)},
        {"file_id": file_id, "file_unique_id": unique, "width": 800, "height": 800,
         "file_size": len(content)},
    ]  # fmt: skip


@method("sendPhoto")
async def send_photo(world: World, params: JSON) -> JSON:
    chat = _chat_for_bot(world, params)
    photo = params.get("photo")
    if isinstance(photo, bytes):
        sizes = photo_sizes(world, photo)
    elif isinstance(photo, str) and photo in world.files:
        content, _ = world.files[photo]
        sizes = photo_sizes(world, content)
        sizes[-1]["file_id"] = photo
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    caption, entities = formatted_text(
        str(params.get("caption") or ""), params.get("parse_mode"), params.get("caption_entities")
    )
    if utf16_length(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return await _send(world, chat, params, photo=sizes, caption=caption or None,
                       caption_entities=entities or None)  # fmt: skip


@method("getFile")
async def get_file(world: World, params: JSON) -> JSON:
    file_id = params.get("file_id")
    if file_id not in world.files:
        raise bad_request("invalid file_id")
    content, path = world.files[file_id]
    return {"file_id": file_id, "file_unique_id": path.rsplit("/", 1)[-1],
            "file_size": len(content), "file_path": path}  # fmt: skip


CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})  # fmt: skip


@method("sendChatAction")
async def send_chat_action(world: World, params: JSON) -> bool:
    chat = _chat_for_bot(world, params)
    _required(params, "action")
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    await world.record(chat, {"kind": "chat_action", "action": params["action"]})
    return True


# --- buttons and payments --------------------------------------------------------------------


@method("answerCallbackQuery")
async def answer_callback_query(world: World, params: JSON) -> bool:
    answer = world.callback_answers.pop(str(params.get("callback_query_id")), None)
    if answer is None or answer.done():
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    answer.set_result({"text": params.get("text"), "show_alert": bool(params.get("show_alert"))})
    return True


# --- inline mode -----------------------------------------------------------------------------

MAX_INLINE_RESULTS = 50
# A /start parameter, in a deep link or a results button: Telegram's limit and alphabet.
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_RESULT_ID_BYTES = 64
INLINE_RESULT_TYPES = {"article", "photo"}


def _inline_result(result: Any) -> JSON:
    """One result as Telegram checks it: an article with a text to send, or a photo already on
    Telegram's servers with a caption; either with an inline keyboard."""
    if not isinstance(result, dict) or result.get("type") not in INLINE_RESULT_TYPES:
        raise bad_request("RESULT_TYPE_INVALID")
    if not 1 <= len(str(result.get("id", "")).encode()) <= MAX_RESULT_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    checked = dict(result)
    if result["type"] == "article":
        content = result.get("input_message_content")
        if not result.get("title") or not isinstance(content, dict):
            raise bad_request("RESULT_TYPE_INVALID")
        text = str(content.get("message_text") or "")
        if not text:
            raise bad_request("MESSAGE_EMPTY")
        if utf16_length(formatted_text(text, content.get("parse_mode"), None)[0]) > MAX_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
    else:
        if not result.get("photo_file_id"):
            raise bad_request("PHOTO_INVALID")
        caption = str(result.get("caption") or "")
        if utf16_length(formatted_text(caption, result.get("parse_mode"), None)[0]) > MAX_CAPTION:
            raise bad_request("MEDIA_CAPTION_TOO_LONG")
    if "reply_markup" in result:
        markup = _check_markup(result["reply_markup"])
        if markup is None or "inline_keyboard" not in markup:
            raise bad_request("REPLY_MARKUP_INVALID")
    return checked


@method("answerInlineQuery")
async def answer_inline_query(world: World, params: JSON) -> bool:
    _required(params, "inline_query_id")
    results = params.get("results")
    if not isinstance(results, list):
        raise bad_request('parameter "results" is required')
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    checked = [_inline_result(result) for result in results]
    if len({str(result["id"]) for result in checked}) != len(checked):
        raise bad_request("RESULT_ID_DUPLICATE")
    button = params.get("button")
    if button is not None and not (
        isinstance(button, dict) and button.get("text")
        and START_PARAMETER.fullmatch(str(button.get("start_parameter", "")))
    ):  # fmt: skip
        raise bad_request("BUTTON_START_PARAM_INVALID")
    answer = world.inline_answers.pop(str(params["inline_query_id"]), None)
    if answer is None or answer.done():
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    answer.set_result({"results": checked, "button": params.get("button")})
    return True


@method("sendInvoice")
async def send_invoice(world: World, params: JSON) -> JSON:
    chat = _chat_for_bot(world, params)
    _required(params, "title", "description", "payload", "currency")
    if not 1 <= len(params["title"]) <= TITLE_MAX:
        raise bad_request("INVOICE_TITLE_INVALID")
    if not 1 <= len(params["description"]) <= DESCRIPTION_MAX:
        raise bad_request("INVOICE_DESCRIPTION_INVALID")
    if not 1 <= len(str(params["payload"]).encode()) <= PAYLOAD_MAX_BYTES:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    prices = params.get("prices")
    if not isinstance(prices, list):
        raise bad_request("can't parse prices JSON object")
    if not prices:
        # The Bot API server's own words (telegram-bot-api, get_labeled_price_parts).
        raise bad_request("there must be at least one price")
    total = 0
    for price in prices:
        if (
            not isinstance(price, dict)
            or not price.get("label")
            or not isinstance(price.get("amount"), int)
        ):
            raise bad_request("can't parse prices JSON object")
        total += price["amount"]
    if total <= 0:
        # TDLib's check inside the Bot API server (InputInvoice.cpp), first letter lowered.
        raise bad_request("total price must be positive")
    # Telegram's servers take only a currency in its table, and a total only between that
    # currency's min_amount and max_amount, in its units (payments/telegram_currencies.json).
    currency = telegram_currencies().get(str(params["currency"]))
    if currency is None:
        raise bad_request("CURRENCY_INVALID")
    if not currency.min_amount <= total <= currency.max_amount:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    invoice = {"title": params["title"], "description": params["description"],
               "start_parameter": params.get("start_parameter") or "",
               "currency": currency.code, "total_amount": total}  # fmt: skip
    # The web chat shows the amount in units of 10**-exp with Telegram's exp, which for
    # HUF, IDR or YER is not the ISO exponent a browser's Intl would use.
    notes = {"currency_exponents": {currency.code: currency.exp}}
    message = await _send(world, chat, params, invoice=invoice, viewer_notes=notes)
    world.invoice_payloads[(chat.id, message["message_id"])] = str(params["payload"])
    return message


@method("answerPreCheckoutQuery")
async def answer_pre_checkout_query(world: World, params: JSON) -> bool:
    pending = world.checkouts.get(str(params.get("pre_checkout_query_id")))
    too_old = bad_request("query is too old and response timeout expired or query ID is invalid")
    if pending is None or pending.answer.done():
        raise too_old
    if time.monotonic() - pending.sent_at > PRE_CHECKOUT_TIMEOUT_S:
        raise too_old
    ok = params.get("ok")
    if ok is None:
        raise bad_request('parameter "ok" is required')
    if not ok and not params.get("error_message"):
        raise bad_request("error_message must be non-empty when ok is False")
    pending.answer.set_result({"ok": bool(ok), "error_message": params.get("error_message")})
    return True


# --- commands, chats, members ----------------------------------------------------------------


def _scope_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
    return key, str(params.get("language_code") or "")


@method("setMyCommands")
async def set_my_commands(world: World, params: JSON) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        name = str(command.get("command", ""))
        if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    world.commands[_scope_key(params)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(world: World, params: JSON) -> list[JSON]:
    return world.commands.get(_scope_key(params), [])


@method("deleteMyCommands")
async def delete_my_commands(world: World, params: JSON) -> bool:
    world.commands.pop(_scope_key(params), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(world: World, params: JSON) -> bool:
    return True


@method("getChat")
async def get_chat(world: World, params: JSON) -> JSON:
    chat = _chat_for_bot(world, params)
    gifts = dict.fromkeys(
        ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
    )
    return {
        **chat.as_json(world), "accent_color_id": 0, "max_reaction_count": 11,
        "accepted_gift_types": gifts,
    }  # fmt: skip


def member_json(world: World, chat: Chat, person_id: int) -> JSON:
    user = world.bot if person_id == world.bot["id"] else world.person(person_id)
    status = chat.members.get(person_id, "left")
    if chat.type == "private":
        status = "member"
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {"status": "administrator", "user": user, **ADMIN_RIGHTS}
    return {"status": status, "user": user}


@method("getChatMember")
async def get_chat_member(world: World, params: JSON) -> JSON:
    chat = _chat_for_bot(world, params)
    _required(params, "user_id")
    return member_json(world, chat, int(params["user_id"]))


@method("getChatAdministrators")
async def get_chat_administrators(world: World, params: JSON) -> list[JSON]:
    chat = _chat_for_bot(world, params)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    return [
        member_json(world, chat, person_id)
        for person_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


@method("getChatMemberCount")
async def get_chat_member_count(world: World, params: JSON) -> int:
    return len(_chat_for_bot(world, params).members)


async def wait_answer(future: asyncio.Future[JSON | None], wait_s: float) -> JSON | None:
    try:
        return await asyncio.wait_for(asyncio.shield(future), wait_s)
    except TimeoutError:
        return None
