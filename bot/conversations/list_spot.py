"""/list: an owner lists a spot by chatting — where it is, its name, price, features, access,
photos and when it is free — then submits it for the managers' review."""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import IntEnum, auto
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, ReplyKeyboardRemove, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.availability_view import describe_weekly, describe_windows
from bot.buttons import on_button
from bot.context import ParkShareContext, required
from bot.drafts import ListingDraft
from bot.errors import explain
from bot.flow import DEFAULT_TIMEOUT, conversation, end_flow, stale_button
from bot.hours_readings import reading_buttons, reading_question, reading_text
from bot.i18n import N_, Translator
from bot.incoming import location_of, message_of, text_of
from bot.keyboards import CallbackData, inline, location_request
from bot.listing_card import post_listing_card
from bot.operator_buttons import PortfolioAction
from bot.telegram_text import fit_html
from bot.vehicle_labels import VEHICLE_LABELS
from core.availability_text import (
    OVERNIGHT,
    SAME_DAY,
    AmbiguousHours,
    ParsedAvailability,
    parse_availability,
)
from core.db.models import VehicleSize
from core.errors import DomainError, InvalidInput
from core.geo import GeoPoint
from core.geocoding import locate_typed
from core.price_text import parse_price
from core.services import listings, operators, people, spots
from core.timezones import timezone_of

MAX_PHOTOS = spots.MAX_PHOTOS
QUIET_MINUTES = int(DEFAULT_TIMEOUT.total_seconds() // 60)
VEHICLE_SIZES = [size.value for size in VehicleSize]
AVAILABILITY_EXAMPLES = N_(
    "For example:\n• Mon-Fri 08:00-18:00\n• weekends all day\n• every day 7-23\n"
    "• today until 20:00\n• tomorrow 9-17"
)

# Said when the person cancels the flow.
CANCELLED = N_("Listing cancelled. Nothing was saved.")


class ListState(IntEnum):
    LOCATION = auto()
    TITLE = auto()
    PRICE = auto()
    DAILY_PRICE = auto()
    FEATURES = auto()
    ACCESS = auto()
    PHOTOS = auto()
    AVAILABILITY = auto()
    REVIEW = auto()


# The questions in the order they are asked: each step names the one after it, answered or
# skipped, so a new step is one more entry here (with its question in ``_ask``).
NEXT_STEP = {
    ListState.LOCATION: ListState.TITLE,
    ListState.TITLE: ListState.PRICE,
    ListState.PRICE: ListState.DAILY_PRICE,
    ListState.DAILY_PRICE: ListState.FEATURES,
    ListState.FEATURES: ListState.ACCESS,
    ListState.ACCESS: ListState.PHOTOS,
    ListState.PHOTOS: ListState.AVAILABILITY,
    ListState.AVAILABILITY: ListState.REVIEW,
}


@dataclass(frozen=True)
class ListingStep(CallbackData):
    """Buttons inside the flow: skip a step, finish photos, toggle a feature, submit, edit."""

    prefix = "ls"
    choices = {  # noqa: RUF012
        "action": frozenset(
            {"skip", "done", "covered", "ev", "size", "submit", "edit", "cancel"}
            | {OVERNIGHT, SAME_DAY}  # which reading of hours such as "18-8" was meant
            | {f"edit_{state.name.lower()}" for state in ListState if state != ListState.REVIEW}
        )
    }
    action: str


def _draft(context: ParkShareContext) -> ListingDraft:
    if context.user_data.listing_draft is None:
        context.user_data.listing_draft = ListingDraft()
    return context.user_data.listing_draft


def _skip_keyboard(i18n: Translator):
    return inline([[(i18n.gettext("Skip"), ListingStep("skip"))]])


# --- entry -----------------------------------------------------------------------------------


async def start_listing(update: Update, context: ParkShareContext) -> ListState:
    async with context.db.reading() as uow:
        await people.get_active(uow, context.person_id)
    context.user_data.listing_draft = ListingDraft()
    await message_of(update).reply_text(
        context.i18n.gettext(
            "Let's list your spot. Where is it? Share its location with the button below, "
            "or type the address. Send /cancel at any time to stop."
        ),
        reply_markup=location_request(context.i18n.gettext("📍 Share the spot's location")),
    )
    return ListState.LOCATION


@on_button(PortfolioAction, pattern=r"^pf:list:", forged=ConversationHandler.END)
async def start_listing_for_owner(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PortfolioAction
) -> ListState:
    """An operator lists a spot on behalf of an owner they manage spots for."""
    async with context.db.reading() as uow:
        await people.get_active(uow, context.person_id)
        await operators.acting_for(uow, person_id=context.person_id, owner_id=pressed.owner_id)
        owner = await people.get(uow, pressed.owner_id)
    await query.answer()
    context.user_data.listing_draft = ListingDraft(for_owner_id=pressed.owner_id)
    await message_of(update).reply_text(
        context.i18n.gettext(
            "Let's list a spot for {name}. Where is it? Share its location with the button "
            "below, or type the address. Send /cancel at any time to stop."
        ).format(name=html.escape(owner.first_name or "—")),
        reply_markup=location_request(context.i18n.gettext("📍 Share the spot's location")),
    )
    return ListState.LOCATION


# --- each step: take the answer, then ask the next question -----------------------------------


async def _place_found(
    update: Update, context: ParkShareContext, point: GeoPoint, address: str
) -> ListState:
    draft = _draft(context)
    draft.timezone = timezone_of(point)
    draft.lat, draft.lon, draft.address = point.lat, point.lon, address
    await message_of(update).reply_text(
        context.i18n.gettext("Got it."), reply_markup=ReplyKeyboardRemove()
    )
    return await _next(update, context, ListState.LOCATION)


async def location_shared(update: Update, context: ParkShareContext) -> ListState:
    shared = location_of(update)
    try:
        point = GeoPoint(shared.latitude, shared.longitude)
        return await _place_found(update, context, point, _draft(context).address)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return ListState.LOCATION


async def address_typed(update: Update, context: ParkShareContext) -> ListState:
    text = text_of(update).strip()
    try:
        place = await locate_typed(context.bot_data.geocoder, text, language=context.language)
        return await _place_found(update, context, place.point, place.address)
    except DomainError as error:
        await message_of(update).reply_text(
            explain(error, context.i18n),
            reply_markup=location_request(context.i18n.gettext("📍 Share the spot's location")),
        )
        return ListState.LOCATION


async def title_typed(update: Update, context: ParkShareContext) -> ListState:
    title = " ".join(text_of(update).split())
    if not 1 <= len(title) <= spots.MAX_TITLE:
        await message_of(update).reply_text(
            context.i18n.ngettext(
                "Please give a short name of up to {count} character.",
                "Please give a short name of up to {count} characters.",
                spots.MAX_TITLE,
            ).format(count=spots.MAX_TITLE)
        )
        return ListState.TITLE
    _draft(context).title = title
    return await _next(update, context, ListState.TITLE)


async def price_typed(update: Update, context: ParkShareContext) -> ListState:
    try:
        price = parse_price(text_of(update), default_currency=context.settings.default_currency)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return ListState.PRICE
    draft = _draft(context)
    draft.hourly_minor, draft.currency = price.minor, price.currency
    if draft.daily_minor is not None and draft.currency != price.currency:
        draft.daily_minor = None
    return await _next(update, context, ListState.PRICE)


async def daily_price_typed(update: Update, context: ParkShareContext) -> ListState:
    draft = _draft(context)
    try:
        price = parse_price(text_of(update), default_currency=draft.currency)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return ListState.DAILY_PRICE
    if price.currency != draft.currency:
        await message_of(update).reply_text(
            context.i18n.gettext("Please use the same currency as the hourly price.")
        )
        return ListState.DAILY_PRICE
    draft.daily_minor = price.minor
    return await _next(update, context, ListState.DAILY_PRICE)


async def access_typed(update: Update, context: ParkShareContext) -> ListState:
    _draft(context).access_instructions = text_of(update).strip()[:1000]
    return await _next(update, context, ListState.ACCESS)


async def photo_sent(update: Update, context: ParkShareContext) -> ListState:
    draft = _draft(context)
    if len(draft.photo_file_ids) >= MAX_PHOTOS:
        await message_of(update).reply_text(
            context.i18n.ngettext(
                "That's already {count} photo, the most a listing can have.",
                "That's already {count} photos, the most a listing can have.",
                MAX_PHOTOS,
            ).format(count=MAX_PHOTOS)
        )
        return await _next(update, context, ListState.PHOTOS)
    draft.photo_file_ids.append(message_of(update).photo[-1].file_id)
    if len(draft.photo_file_ids) == MAX_PHOTOS:
        return await _next(update, context, ListState.PHOTOS)
    await message_of(update).reply_text(
        context.i18n.gettext("Photo {count} of up to {most} saved. Send another or press Done.")
        .format(count=len(draft.photo_file_ids), most=MAX_PHOTOS),
        reply_markup=inline([[(context.i18n.gettext("Done"), ListingStep("done"))]]),
    )  # fmt: skip
    return ListState.PHOTOS


def _parse_draft_availability(draft: ListingDraft, context: ParkShareContext) -> ParsedAvailability:
    return parse_availability(
        draft.availability_text, zone=ZoneInfo(draft.timezone), now=context.clock.now()
    )


async def photo_beyond_the_limit(update: Update, context: ParkShareContext) -> ListState:
    await message_of(update).reply_text(
        context.i18n.ngettext(
            "A listing has at most {count} photo, so I kept the first. Now, when is the spot free?",
            "A listing has at most {count} photos, so I kept the first {count}. Now, when is the "
            "spot free?",
            MAX_PHOTOS,
        ).format(count=MAX_PHOTOS)
    )
    return ListState.AVAILABILITY


async def availability_typed(update: Update, context: ParkShareContext) -> ListState:
    draft = _draft(context)
    draft.availability_text = text_of(update).strip()
    try:
        parsed = _parse_draft_availability(draft, context)
        if parsed.blocked:
            raise InvalidInput("a new listing needs open hours, not blocked ones")
    except AmbiguousHours as error:
        # Kept until a reading is picked; only those two buttons leave this step with it.
        await message_of(update).reply_text(
            reading_question(error, draft.availability_text, draft.timezone, context.i18n),
            reply_markup=inline(reading_buttons(ListingStep, context.i18n)),
        )
        return ListState.AVAILABILITY
    except DomainError as error:
        draft.availability_text = ""
        if error.code in ("input.availability", "input.invalid"):
            answer = context.i18n.gettext("I couldn't read that as opening hours.")
            answer += "\n\n" + context.i18n.gettext(AVAILABILITY_EXAMPLES)
        else:
            answer = explain(error, context.i18n)
        await message_of(update).reply_text(answer)
        return ListState.AVAILABILITY
    return await _review(update, context)


# --- buttons within the flow -----------------------------------------------------------------


def _buttons(state: ListState) -> CallbackQueryHandler:
    """The flow's buttons, read in the light of the step the owner is at now: an older "Skip"
    pressed later skips the current question, never one already answered."""

    @on_button(ListingStep, forged=state)
    async def pressed(
        update: Update, context: ParkShareContext, query: CallbackQuery, step: ListingStep
    ) -> ListState | int:
        await query.answer()
        draft = _draft(context)
        if state == ListState.FEATURES and step.action in ("covered", "ev", "size"):
            _toggle(draft, step.action)
            await query.edit_message_reply_markup(_features_keyboard(draft, context.i18n))
            return state
        await query.edit_message_reply_markup(reply_markup=None)
        if state == ListState.AVAILABILITY:
            return await _reading_picked(update, context, step.action)
        if state != ListState.REVIEW and step.action in ("skip", "done"):
            return await _next(update, context, state)
        if state == ListState.REVIEW and step.action == "submit":
            return await _submit(update, context)
        if state == ListState.REVIEW and step.action == "cancel":
            return await end_flow(
                update, context, forget=_forget, said=CANCELLED, removes_keyboard=True
            )
        if state == ListState.REVIEW and step.action == "edit":
            await message_of(update).reply_text(
                context.i18n.gettext("What would you like to change?"),
                reply_markup=_edit_keyboard(context.i18n),
            )
            return state
        if state == ListState.REVIEW and step.action.startswith("edit_"):
            draft.editing = True
            return await _ask(update, context, ListState[step.action.removeprefix("edit_").upper()])
        await message_of(update).reply_text(context.i18n.gettext("This button is no longer valid."))
        return state

    return pressed


async def _reading_picked(update: Update, context: ParkShareContext, kind: str) -> ListState:
    """The owner said which reading of hours such as "18-8" was meant: the draft keeps the
    hours written out that way, so every later reading of it reads the same."""
    draft = _draft(context)
    text = None
    if draft.availability_text and kind in (OVERNIGHT, SAME_DAY):
        text = reading_text(draft.availability_text, kind, draft.timezone, context.clock.now())
    if text is None:
        await message_of(update).reply_text(context.i18n.gettext("This button is no longer valid."))
        return ListState.AVAILABILITY
    draft.availability_text = text
    return await _review(update, context)


def _toggle(draft: ListingDraft, feature: str) -> None:
    if feature == "covered":
        draft.covered = not draft.covered
    elif feature == "ev":
        draft.ev_charger = not draft.ev_charger
    else:
        position = VEHICLE_SIZES.index(draft.max_vehicle_size)
        draft.max_vehicle_size = VEHICLE_SIZES[(position + 1) % len(VEHICLE_SIZES)]


def _features_keyboard(draft: ListingDraft, i18n: Translator):
    _ = i18n.gettext
    tick = {True: "☑️", False: "⬜"}
    covered, ev_charger = _("Covered"), _("EV charger")
    return inline(
        [
            [(f"{tick[draft.covered]} {covered}", ListingStep("covered"))],
            [(f"{tick[draft.ev_charger]} {ev_charger}", ListingStep("ev"))],
            [
                (
                    _("Largest vehicle: {size}").format(
                        size=_(VEHICLE_LABELS[VehicleSize(draft.max_vehicle_size)])
                    ),
                    ListingStep("size"),
                )
            ],
            [(_("Done"), ListingStep("done"))],
        ]
    )


def _edit_keyboard(i18n: Translator):
    _ = i18n.gettext
    labels = [
        (ListState.LOCATION, _("Location")),
        (ListState.TITLE, _("Name")),
        (ListState.PRICE, _("Hourly price")),
        (ListState.DAILY_PRICE, _("Daily price")),
        (ListState.FEATURES, _("Features")),
        (ListState.ACCESS, _("Access")),
        (ListState.PHOTOS, _("Photos")),
        (ListState.AVAILABILITY, _("Hours")),
    ]
    return inline([[(label, ListingStep(f"edit_{state.name.lower()}"))] for state, label in labels])


# --- asking ------------------------------------------------------------------------------------


async def _next(update: Update, context: ParkShareContext, answered: ListState) -> ListState:
    """After ``answered`` (or skipping it): back to the summary when correcting one answer,
    else the question after it."""
    following = NEXT_STEP[answered]
    if _draft(context).editing or following == ListState.REVIEW:
        return await _review(update, context)
    return await _ask(update, context, following)


async def _ask(update: Update, context: ParkShareContext, state: ListState) -> ListState:
    _ = context.i18n.gettext
    draft = _draft(context)
    reply = message_of(update).reply_text
    if state == ListState.LOCATION:
        await reply(
            _("Share the spot's location with the button below, or type the address."),
            reply_markup=location_request(_("📍 Share the spot's location")),
        )
    elif state == ListState.TITLE:
        await reply(_("What should drivers see as its name? For example: Garage on Elm St."))
    elif state == ListState.PRICE:
        await reply(_("What is the price per hour? For example: 3.50, €3/h, 30 元 or 200 ₽."))
    elif state == ListState.DAILY_PRICE:
        await reply(
            _("Is there a cheaper price for a whole day? Send it, or skip."),
            reply_markup=_skip_keyboard(context.i18n),
        )
    elif state == ListState.FEATURES:
        await reply(
            _("Tap what applies, then Done."), reply_markup=_features_keyboard(draft, context.i18n)
        )
    elif state == ListState.ACCESS:
        await reply(
            _(
                "How does a driver get in (gate code, level, bay number)? Only drivers with a "
                "paid booking see this. Send it, or skip."
            ),
            reply_markup=_skip_keyboard(context.i18n),
        )
    elif state == ListState.PHOTOS:
        draft.photo_file_ids = [] if draft.editing else draft.photo_file_ids
        await reply(
            context.i18n.ngettext(
                "Send up to {count} photo of the spot and its entrance, or skip.",
                "Send up to {count} photos of the spot and its entrance, or skip.",
                MAX_PHOTOS,
            ).format(count=MAX_PHOTOS),
            reply_markup=_skip_keyboard(context.i18n),
        )
    elif state == ListState.AVAILABILITY:
        await reply(_("When is the spot free? Write it in your own words.") + "\n\n" + _(
            AVAILABILITY_EXAMPLES
        ))  # fmt: skip
    else:
        return await _review(update, context)
    return state


async def _review(update: Update, context: ParkShareContext) -> ListState:
    _ = context.i18n.gettext
    draft = _draft(context)
    draft.editing = False
    missing = _first_missing(draft)
    if missing is not None:
        return await _ask(update, context, missing)
    i18n = context.i18n
    parsed = _parse_draft_availability(draft, context)
    hours = describe_weekly(parsed.weekly, i18n) + describe_windows(
        parsed.windows, draft.timezone, i18n
    )
    features = [
        label
        for present, label in (
            (draft.covered, _("covered")),
            (draft.ev_charger, _("EV charger")),
        )
        if present
    ] + [_("up to a {size}").format(size=_(VEHICLE_LABELS[VehicleSize(draft.max_vehicle_size)]))]
    daily = _("none") if draft.daily_price is None else i18n.money(draft.daily_price)
    summary = _(
        "<b>{title}</b>\n{address}\n"
        "Price: {hourly} per hour; per day: {daily}\n"
        "Features: {features}\n"
        "Access: {access}\n"
        "Photos: {photos}\n"
        "Free: {hours}"
    ).format(
        title=html.escape(draft.title),
        address=html.escape(draft.address or f"{draft.lat:.5f}, {draft.lon:.5f}"),
        hourly=i18n.money(required(draft.hourly_price, "hourly price")),
        daily=daily,
        features=", ".join(features),
        access=html.escape(draft.access_instructions) or "—",
        photos=len(draft.photo_file_ids),
        hours=html.escape("; ".join(hours)),
    )
    await message_of(update).reply_text(
        # Name, access and hours are the owner's words: long ones are cut, the buttons stay.
        fit_html(summary),
        reply_markup=inline(
            [
                [(_("✅ Submit"), ListingStep("submit")), (_("✏️ Edit"), ListingStep("edit"))],
                [(_("Cancel"), ListingStep("cancel"))],
            ]
        ),
    )
    return ListState.REVIEW


def _first_missing(draft: ListingDraft) -> ListState | None:
    if draft.lat is None:
        return ListState.LOCATION
    if not draft.title:
        return ListState.TITLE
    if draft.hourly_minor is None:
        return ListState.PRICE
    if not draft.availability_text:
        return ListState.AVAILABILITY
    return None


async def _submit(update: Update, context: ParkShareContext) -> int:
    _ = context.i18n.gettext
    draft = _draft(context)
    parsed = _parse_draft_availability(draft, context)
    moderated = context.settings.moderation
    async with context.db.unit_of_work() as uow:
        decision = await listings.submit(
            uow,
            context.clock,
            owner_id=draft.for_owner_id or context.person_id,
            listed_by=context.person_id,
            draft=spots.SpotDraft(
                title=draft.title,
                point=required(draft.point, "location"),
                address=draft.address,
                hourly_price=required(draft.hourly_price, "hourly price"),
                daily_price=draft.daily_price,
                covered=draft.covered,
                ev_charger=draft.ev_charger,
                max_vehicle_size=VehicleSize(draft.max_vehicle_size),
                access_instructions=draft.access_instructions,
                photo_file_ids=list(draft.photo_file_ids),
            ),
            availability=parsed,
            moderated=moderated,
        )
    spot = decision.spot
    context.user_data.listing_draft = None
    if moderated and context.settings.manager_chat_id is not None:
        await post_listing_card(
            context.bot, context.settings.manager_chat_id, decision, context.managers_i18n
        )
    if moderated and draft.for_owner_id is not None:
        text = _("Thanks! “{title}” is submitted. A manager will review it soon; its owner hears "
                 "the answer.")  # fmt: skip
    elif moderated:
        text = _(
            "Thanks! “{title}” is submitted. A manager will review it soon; I'll tell you here."
        )
    else:
        text = _("“{title}” is live. Drivers nearby can book it now.")
    await message_of(update).reply_text(text.format(title=html.escape(spot.title)))
    return ConversationHandler.END


# --- leaving -----------------------------------------------------------------------------------


def _forget(context: ParkShareContext) -> None:
    context.user_data.listing_draft = None


def timed_out(i18n: Translator) -> str:
    return i18n.ngettext(
        "I stopped the listing after {count} quiet minute. Send /list to start again.",
        "I stopped the listing after {count} quiet minutes. Send /list to start again.",
        QUIET_MINUTES,
    ).format(count=QUIET_MINUTES)


async def not_expected(update: Update, context: ParkShareContext) -> None:
    """Anything the current step cannot use gets a hint rather than silence."""
    await message_of(update).reply_text(
        context.i18n.gettext(
            "That isn't what I asked for. Please answer the question above, or send /cancel."
        )
    )


def build_list_spot_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        name="list_spot",
        stopped=N_("Listing a spot stopped."),
        cancelled=CANCELLED,
        forget=_forget,
        removes_keyboard=True,  # the location button of the first step
        timed_out=timed_out,
        entry_points=[
            CommandHandler("list", start_listing, filters=filters.ChatType.PRIVATE),
            start_listing_for_owner,
        ],
        states={
            ListState.LOCATION: [
                MessageHandler(filters.LOCATION, location_shared),
                MessageHandler(text, address_typed),
            ],
            ListState.TITLE: [MessageHandler(text, title_typed)],
            ListState.PRICE: [MessageHandler(text, price_typed)],
            ListState.DAILY_PRICE: [
                MessageHandler(text, daily_price_typed),
                _buttons(ListState.DAILY_PRICE),
            ],
            ListState.FEATURES: [_buttons(ListState.FEATURES)],
            ListState.ACCESS: [MessageHandler(text, access_typed), _buttons(ListState.ACCESS)],
            ListState.PHOTOS: [
                MessageHandler(filters.PHOTO, photo_sent),
                _buttons(ListState.PHOTOS),
            ],
            ListState.AVAILABILITY: [
                MessageHandler(text, availability_typed),
                MessageHandler(filters.PHOTO, photo_beyond_the_limit),
                _buttons(ListState.AVAILABILITY),
            ],
            ListState.REVIEW: [_buttons(ListState.REVIEW)],
        },
        fallbacks=[
            CallbackQueryHandler(stale_button),
            MessageHandler(filters.ALL & ~filters.COMMAND, not_expected),
        ],
    )


def handlers() -> list[BaseHandler]:
    return [build_list_spot_conversation()]
