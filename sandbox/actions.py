"""What people do in the sandbox's Telegram, turned into the updates the bot receives: typing,
pressing buttons, sharing a place or a photo, paying an invoice, joining a group."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable

from sandbox.botapi import formatted_text, member_json, photo_sizes, wait_answer
from sandbox.formatting import command_entities
from sandbox.world import (
    JSON,
    PRE_CHECKOUT_TIMEOUT_S,
    BotApiError,
    PendingCheckout,
    World,
    bad_request,
)

# How long a person's app waits for the bot to answer a button before giving up on the spinner.
CALLBACK_WAIT_S = 15.0


def _member_chat(world: World, person_id: int, chat_id: int | None):
    chat = world.chat(person_id if chat_id is None else chat_id)
    if chat.type == "private" and chat.person_id != person_id:
        raise bad_request("not your chat")
    if chat.type != "private" and person_id not in chat.members:
        raise bad_request("not a member of this chat")
    return chat


async def _person_message(world: World, person_id: int, chat_id: int | None, **content) -> JSON:
    chat = _member_chat(world, person_id, chat_id)
    message = world.new_message(chat, world.person(person_id), **content)
    await world.record(chat, {"kind": "sent", "message": message})
    await world.push_update("message", message)
    return message


async def send_text(world: World, person_id: int, text: str, chat_id: int | None = None) -> JSON:
    if not text.strip():
        raise bad_request("message text is empty")
    return await _person_message(
        world, person_id, chat_id, text=text, entities=command_entities(text) or None
    )


async def share_location(
    world: World,
    person_id: int,
    latitude: float,
    longitude: float,
    *,
    live_period: int | None = None,
) -> JSON:
    location = {"latitude": latitude, "longitude": longitude}
    if live_period:
        location["live_period"] = live_period
    return await _person_message(world, person_id, None, location=location)


async def move_live_location(
    world: World, person_id: int, message_id: int, latitude: float, longitude: float
) -> JSON:
    chat = _member_chat(world, person_id, None)
    message = chat.messages.get(message_id)
    if message is None or "location" not in message:
        raise bad_request("message to edit not found")
    message["location"] = {**message["location"], "latitude": latitude, "longitude": longitude}
    message["edit_date"] = int(time.time())
    await world.record(chat, {"kind": "edited", "message": dict(message)})
    await world.push_update("edited_message", dict(message))
    return message


async def send_photo(
    world: World, person_id: int, content: bytes, caption: str | None = None
) -> JSON:
    return await _person_message(
        world, person_id, None, photo=photo_sizes(world, content), caption=caption or None
    )


async def send_document(
    world: World, person_id: int, content: bytes, file_name: str, mime_type: str | None = None
) -> JSON:
    """A file sent as a document (a spreadsheet, say): Telegram keeps its name and type."""
    file_id, unique = world.store_file(content, "documents")
    document: JSON = {"file_id": file_id, "file_unique_id": unique,
                      "file_name": file_name[:255], "file_size": len(content)}  # fmt: skip
    if mime_type:
        document["mime_type"] = mime_type
    return await _person_message(world, person_id, None, document=document)


async def press_button(
    world: World, person_id: int, chat_id: int, message_id: int, data: str
) -> JSON | None:
    """A press on an inline button: a callback query, then the bot's answer (or None)."""
    chat = _member_chat(world, person_id, chat_id)
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request("message not found")
    query_id = secrets.token_hex(8)
    answer = asyncio.get_running_loop().create_future()
    world.callback_answers[query_id] = answer
    await world.push_update("callback_query", {
        "id": query_id, "from": world.person(person_id), "message": message,
        "chat_instance": chat.instance, "data": data,
    }, answer=answer)  # fmt: skip
    result = await wait_answer(answer, CALLBACK_WAIT_S)
    world.callback_answers.pop(query_id, None)
    if result is not None:
        await world.record(chat, {"kind": "callback_answer", **result})
    return result


async def inline_query(
    world: World, person_id: int, query: str, *, location: tuple[float, float] | None = None
) -> JSON:
    """Typing ``@bot query`` in a chat: an inline query (with the person's location when their
    app shares it), then the results the bot answered, or none when it did not in time."""
    query_id = secrets.token_hex(8)
    answer = asyncio.get_running_loop().create_future()
    world.inline_answers[query_id] = answer
    asked: JSON = {"id": query_id, "from": world.person(person_id), "query": query[:256],
                   "offset": "", "chat_type": "sender"}  # fmt: skip
    if location is not None:
        asked["location"] = {"latitude": location[0], "longitude": location[1]}
    await world.push_update("inline_query", asked, answer=answer)
    result = await wait_answer(answer, CALLBACK_WAIT_S)
    world.inline_answers.pop(query_id, None)
    if result is None:
        return {"query": query, "answered": False, "results": []}
    return {"query": query, "answered": True, **result}


async def choose_inline_result(
    world: World, person_id: int, chat_id: int, query: str, result: JSON
) -> JSON:
    """The person picks one of the results: its message is sent to the chat in their name, via
    the bot, and the bot hears which one was chosen (inline feedback is on)."""
    chat = _member_chat(world, person_id, chat_id)
    if result["type"] == "photo":
        text, entities = formatted_text(result.get("caption") or "", result.get("parse_mode"), None)
        content: JSON = {"photo": [{"file_id": result["photo_file_id"],
                                    "file_unique_id": result["photo_file_id"][-16:],
                                    "width": 320, "height": 320}]}  # fmt: skip
        if text:
            content["caption"] = text
            if entities:
                content["caption_entities"] = entities
    else:
        source = result["input_message_content"]
        text, entities = formatted_text(source["message_text"], source.get("parse_mode"), None)
        content = {"text": text, **({"entities": entities} if entities else {})}
    message = world.new_message(chat, world.person(person_id), via_bot=world.bot, **content)
    if "reply_markup" in result:
        message["reply_markup"] = {"inline_keyboard": result["reply_markup"]["inline_keyboard"]}
    await world.record(chat, {"kind": "message", "message": message})
    await world.push_update("chosen_inline_result", {
        "result_id": str(result["id"]), "from": world.person(person_id), "query": query,
    })  # fmt: skip
    return message


async def pay_invoice(
    world: World,
    person_id: int,
    message_id: int,
    *,
    while_charging: Callable[[], Awaitable[object]] | None = None,
) -> JSON:
    """The payment form: a pre-checkout query the bot must answer within 10 seconds, then, if it
    agreed, the successful payment. ``while_charging`` runs between the two, as anything can
    while the card is charged (an expiry sweep, the owner cancelling)."""
    chat = _member_chat(world, person_id, None)
    message = chat.messages.get(message_id)
    payload = world.invoice_payloads.get((chat.id, message_id))
    if message is None or payload is None:
        raise bad_request("invoice not found")
    if (chat.id, message_id) in world.paid_invoices:
        raise bad_request("invoice already paid")
    invoice = message["invoice"]
    query = {"id": secrets.token_hex(8), "from": world.person(person_id),
             "currency": invoice["currency"], "total_amount": invoice["total_amount"],
             "invoice_payload": payload}  # fmt: skip
    pending = PendingCheckout(
        query=query, chat_id=chat.id, invoice_message_id=message_id, sent_at=time.monotonic(),
        answer=asyncio.get_running_loop().create_future(),
    )  # fmt: skip
    world.checkouts[query["id"]] = pending
    await world.push_update("pre_checkout_query", query, answer=pending.answer)
    answer = await wait_answer(pending.answer, PRE_CHECKOUT_TIMEOUT_S)
    world.checkouts.pop(query["id"], None)
    if answer is None or not answer["ok"]:
        error = answer["error_message"] if answer else "The bot did not confirm the payment."
        outcome = {"kind": "payment_failed", "error_message": error}
        await world.record(chat, outcome)
        return outcome
    if while_charging is not None:
        await while_charging()
    charge = {"currency": invoice["currency"], "total_amount": invoice["total_amount"],
              "invoice_payload": payload,
              "telegram_payment_charge_id": f"sbx_tg_{secrets.token_hex(10)}",
              "provider_payment_charge_id": f"sbx_ch_{secrets.token_hex(10)}"}  # fmt: skip
    paid = await _person_message(world, person_id, None, successful_payment=charge)
    # Telegram shows a paid invoice with a receipt instead of its Pay button.
    world.paid_invoices.add((chat.id, message_id))
    await world.record(chat, {"kind": "invoice_paid", "message_id": message_id})
    return {"kind": "paid", "message": paid}


async def report_payment_again(world: World, person_id: int) -> JSON:
    """The person's last successful payment arrives once more, as a second message: what a
    bot sees when Telegram reports one charge twice."""
    chat = _member_chat(world, person_id, None)
    paid = next((m for m in reversed(chat.messages.values()) if "successful_payment" in m), None)
    if paid is None:
        raise bad_request("no payment to report again")
    return await _person_message(
        world, person_id, None, successful_payment=dict(paid["successful_payment"])
    )


async def join_group_with_bot(world: World, chat_id: int, added_by: int) -> None:
    """The bot is added to a group: Telegram tells it with my_chat_member."""
    chat = world.chat(chat_id)
    chat.members[world.bot["id"]] = "administrator"
    await world.push_update("my_chat_member", {
        "chat": chat.as_json(world), "from": world.person(added_by), "date": int(time.time()),
        "old_chat_member": {"status": "left", "user": world.bot},
        "new_chat_member": member_json(world, chat, world.bot["id"]),
    })  # fmt: skip


def require_person(world: World, person_id: int) -> None:
    if person_id not in world.people:
        raise BotApiError(404, "Not Found: no such person in the sandbox")
