"""A driver shares a location (or types an address) at any time and gets the nearest spots that
are free for the window they need, with buttons to change the window, the order and filters."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.arrival_eta import follow_live_location
from bot.booking_buttons import SearchNearBooking
from bot.button_width import fit_label
from bot.buttons import on_button
from bot.context import ParkShareContext
from bot.drafts import BookingDraft, SearchDraft, SearchInput
from bot.edge import copies_unread
from bot.errors import explain
from bot.feedback import action_if_slow
from bot.hours_readings import reading_buttons, reading_question, reading_text
from bot.i18n import N_, Translator
from bot.incoming import location_of, message_of, text_of
from bot.keyboards import CallbackData, KeyboardRow, inline
from bot.requirement_text import asked_lines
from bot.spot_buttons import BookSeriesAt, OpenSpot
from bot.stay_text import duration_text
from bot.telegram_text import fit_html
from bot.vehicle_labels import VEHICLE_LABELS
from core.availability_text import (
    OVERNIGHT,
    SAME_DAY,
    AmbiguousHours,
    parse_window,
)
from core.credit import CreditTier
from core.db.models import VehicleSize
from core.errors import (
    AddressNotFound,
    DomainError,
    GeocoderUnavailable,
    WindowInPast,
    WindowTooFarAhead,
)
from core.geo import GeoPoint
from core.geocoding import locate_typed
from core.money import Money
from core.price_text import parse_price
from core.recurrence import NotAPattern, parse_pattern
from core.services import passes, people, saved_searches, series, stays
from core.services.search import (
    MAX_RADIUS_M,
    SearchFilters,
    SearchResult,
    ServiceArea,
    SortOrder,
    nearest_free,
    service_areas,
)
from core.timezones import timezone_of
from core.window import DEFAULT_WINDOW, QuickWindow, Window, window_for

PAGE_SIZE = 5
# The most a driver can page through.
RESULTS = 15
WIDE_RADIUS_M = 50_000.0
WINDOWS = tuple(choice.value for choice in QuickWindow)
VEHICLE_CHOICES = (None, *(size.value for size in VehicleSize))
RATING_CHOICES = (None, 4.0, 4.5)
WINDOW_EXAMPLES = N_(
    "For which time? Write it in your own words, for example: today 14-18, tomorrow 9-17, "
    "today until 20:00."
)


@dataclass(frozen=True)
class ChangeSearch(CallbackData):
    """One button under the results: a window, an order, a filter, a page, or widen."""

    prefix = "srch"
    choices = {  # noqa: RUF012
        "option": frozenset(
            {*WINDOWS, *(order.value for order in SortOrder), "ev", "covered", "wide",
             "next", "previous", "other", "size", "rating", "max_price",
             "notify", "monthly"}
        )
    }  # fmt: skip
    option: str


@dataclass(frozen=True)
class PickWindowReading(CallbackData):
    """Which of two readings of a window such as "today 18-8" the driver meant."""

    prefix = "srr"
    choices = {"kind": frozenset({OVERNIGHT, SAME_DAY})}  # noqa: RUF012
    kind: str


async def location_shared(update: Update, context: ParkShareContext) -> None:
    # A live location at a booking's spot, or on the way to it, is not a new search.
    if await follow_live_location(update, context, answer_driver=True):
        return
    shared = location_of(update)
    await _start_search(update, context, GeoPoint(shared.latitude, shared.longitude))


async def try_address(update: Update, context: ParkShareContext) -> bool:
    """Search near a typed address; False when the text names no place we can find."""
    try:
        place = await locate_typed(
            context.bot_data.geocoder, text_of(update), language=context.language
        )
    except (AddressNotFound, GeocoderUnavailable):
        return False
    await _start_search(update, context, place.point)
    return True


async def try_window(update: Update, context: ParkShareContext) -> bool:
    """Text as the time a driver needs, for the search under way. Unless the driver pressed
    "Other time", text that is not one stretch of time is left to others (False)."""
    draft = context.user_data.search
    if draft is None:
        return False
    asked = draft.awaiting == SearchInput.WINDOW
    text = text_of(update)
    if await _pattern_searched(update, context, draft, text):
        return True
    try:
        window = _one_window(text, draft.timezone, context)
    except AmbiguousHours as error:
        if not asked and not all(r.parsed.is_one_window for r in error.readings):
            return False
        # "today 18-8": overnight or the same evening is asked, never guessed.
        draft.pending_window = text
        await message_of(update).reply_text(
            reading_question(error, text, draft.timezone, context.i18n),
            reply_markup=inline(reading_buttons(PickWindowReading, context.i18n)),
        )
        return True
    except DomainError as error:
        if not asked:
            return False
        hint = (
            explain(error, context.i18n)
            if isinstance(error, WindowInPast | WindowTooFarAhead)
            else ""
        )
        await message_of(update).reply_text(
            "\n".join(filter(None, [hint, context.i18n.gettext(WINDOW_EXAMPLES)]))
        )
        return True
    await _show_window(update, context, window)
    return True


async def _pattern_searched(
    update: Update, context: ParkShareContext, draft: SearchDraft, text: str
) -> bool:
    """A weekly pattern ("Mon-Fri 8-18 for 2 weeks") where a time was asked: the nearest
    spots free for all of its stays, each priced for all of them, a tap from its offer."""
    i18n = context.i18n
    try:
        pattern = parse_pattern(text, zone=ZoneInfo(draft.timezone), now=context.clock.now())
    except NotAPattern:
        return False
    except AmbiguousHours:
        await message_of(update).reply_text(
            i18n.gettext("Please write the hours with minutes, for example: Mon-Fri 19:00-08:00.")
        )
        return True
    except DomainError as error:
        await message_of(update).reply_text(explain(error, i18n))
        return True
    found = await series.nearest_for_pattern(
        context.db, context.clock, point=GeoPoint(draft.lat, draft.lon), pattern=pattern,
        driver_id=context.person_id, most=PAGE_SIZE,
    )  # fmt: skip
    draft.awaiting = None
    if not found:
        await message_of(update).reply_text(
            i18n.gettext("No spot nearby is free for all of these times.")
        )
        return True
    first = pattern.stays[0]
    context.user_data.booking_draft = BookingDraft(
        spot_id=found[0].hit.spot_id, start_at=first.start.isoformat(),
        end_at=first.end.isoformat(), pattern=pattern.text,
    )  # fmt: skip
    lines = [
        i18n.ngettext(
            "🔁 Spots near you free for every stay of “{pattern}” ({count} stay). Each price is "
            "for all of them:",
            "🔁 Spots near you free for every stay of “{pattern}” ({count} stays). Each price is "
            "for all of them:",
            len(pattern.stays),
        ).format(pattern=html.escape(pattern.text), count=len(pattern.stays)),
        "",
    ]
    lines += [
        f"{number}. <b>{html.escape(each.hit.title)}</b>\n"
        f"    {i18n.distance(each.hit.distance_m)} · {i18n.money(each.price)}"
        for number, each in enumerate(found, start=1)
    ]
    await message_of(update).reply_text(
        fit_html("\n".join(lines)),
        reply_markup=inline([
            [(fit_label(f"{number}. {each.hit.title}",
                        keep=f" · {i18n.distance(each.hit.distance_m)}"),
              BookSeriesAt(each.hit.spot_id))]
            for number, each in enumerate(found, start=1)
        ]),
    )  # fmt: skip
    return True


def _one_window(text: str, zone: str, context: ParkShareContext) -> Window:
    return parse_window(text, zone=ZoneInfo(zone), now=context.clock.now())


async def _show_window(update: Update, context: ParkShareContext, window: Window) -> None:
    draft = context.user_data.current_search()
    draft.start_at, draft.end_at = window.start.isoformat(), window.end.isoformat()
    draft.window_option = None
    draft.page, draft.awaiting, draft.pending_window = 0, None, ""
    text, keyboard = await _results(context)
    with copies_unread():
        await message_of(update).reply_text(text, reply_markup=keyboard)


@on_button(PickWindowReading)
async def window_reading_picked(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: PickWindowReading
) -> None:
    draft = context.user_data.search
    text = None
    if draft is not None and draft.pending_window:
        text = reading_text(draft.pending_window, pressed.kind, draft.timezone, context.clock.now())
    try:
        window = _one_window(text, draft.timezone, context) if draft is not None and text else None
    except DomainError:
        window = None
    if window is None:
        await query.answer(context.i18n.gettext("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _show_window(update, context, window)


async def try_max_price(update: Update, context: ParkShareContext) -> bool:
    """The most a driver will pay, typed after pressing "Max price"."""
    draft = context.user_data.search
    if draft is None or draft.awaiting != SearchInput.MAX_PRICE:
        return False
    try:
        limit = parse_price(text_of(update), default_currency=context.settings.default_currency)
    except DomainError as error:
        await message_of(update).reply_text(explain(error, context.i18n))
        return True
    draft.max_price_minor, draft.max_price_currency = limit.minor, limit.currency
    draft.awaiting, draft.page = None, 0
    text, keyboard = await _results(context)
    with copies_unread():
        await message_of(update).reply_text(text, reply_markup=keyboard)
    return True


def _next_in(choices: tuple, current):
    """The choice after ``current``, round to the first (None, "any")."""
    return choices[(choices.index(current) + 1) % len(choices)]


async def _start_search(update: Update, context: ParkShareContext, point: GeoPoint) -> None:
    # The gate (bot/handlers/gate.py) has refused a banned person before this runs.
    zone = timezone_of(point)
    window = window_for(DEFAULT_WINDOW, context.clock.now(), zone)
    context.user_data.search = SearchDraft(
        lat=point.lat, lon=point.lon, timezone=zone, start_at=window.start.isoformat(),
        end_at=window.end.isoformat(),
    )  # fmt: skip
    message = message_of(update)
    async with action_if_slow(message, "find_location", context.settings.slow_answer_ms / 1000):
        text, keyboard = await _results(context)
    with copies_unread():
        await message.reply_text(text, reply_markup=keyboard)


@on_button(SearchNearBooking)
async def search_near_booking(
    update: Update, context: ParkShareContext, query: CallbackQuery, pressed: SearchNearBooking
) -> None:
    """Free spots near a booking's spot for the rest of its window: where to go instead when
    the spot may be taken."""
    async with context.db.reading() as uow:
        booked = await stays.remaining_window(
            uow, context.clock, booking_id=pressed.booking_id, driver_id=context.person_id
        )
    await query.answer()
    start, end, spot = booked
    context.user_data.search = SearchDraft(
        lat=spot.lat, lon=spot.lon, timezone=spot.timezone, start_at=start.isoformat(),
        end_at=end.isoformat(), window_option=None,
    )  # fmt: skip
    text, keyboard = await _results(context)
    with copies_unread():
        await message_of(update).reply_text(text, reply_markup=keyboard)


@on_button(ChangeSearch)
async def search_changed(
    update: Update, context: ParkShareContext, query: CallbackQuery, change: ChangeSearch
) -> None:
    draft = context.user_data.search
    if draft is None:
        await query.answer(
            context.i18n.gettext("Share your location again to start a new search."),
            show_alert=True,
        )
        return
    option = change.option
    if option in ASKING:
        await ASKING[option](update, context, query, draft)
        return
    REFINING[option](draft, option, context)
    await query.answer()
    text, keyboard = await _results(context)
    with copies_unread():
        await query.edit_message_text(text, reply_markup=keyboard)


# --- the buttons under the results, one entry per button -------------------------------------

Refine = Callable[[SearchDraft, str, ParkShareContext], None]
Ask = Callable[[Update, ParkShareContext, CallbackQuery, SearchDraft], Awaitable[None]]


def _refined(change: Callable[[SearchDraft, str, ParkShareContext], None]) -> Refine:
    """A change of what is searched for: the results start again from their first page."""

    def refine(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
        change(draft, option, context)
        draft.page = 0

    return refine


def _set_window(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    window = window_for(QuickWindow(option), context.clock.now(), draft.timezone)
    draft.start_at, draft.end_at = window.start.isoformat(), window.end.isoformat()
    draft.window_option = option


def _set_order(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.order = option


def _toggle_ev(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.ev_charger = not draft.ev_charger


def _toggle_covered(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.covered = not draft.covered


def _toggle_monthly(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.monthly = not draft.monthly


def _widen(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.wide = True


def _next_size(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.vehicle_size = _next_in(VEHICLE_CHOICES, draft.vehicle_size)


def _next_rating(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.min_rating = _next_in(RATING_CHOICES, draft.min_rating)


def _next_page(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.page += 1


def _previous_page(draft: SearchDraft, option: str, context: ParkShareContext) -> None:
    draft.page = max(draft.page - 1, 0)


async def _ask_window(
    update: Update, context: ParkShareContext, query: CallbackQuery, draft: SearchDraft
) -> None:
    draft.awaiting = SearchInput.WINDOW
    await query.answer()
    await message_of(update).reply_text(context.i18n.gettext(WINDOW_EXAMPLES))


async def _ask_max_price(
    update: Update, context: ParkShareContext, query: CallbackQuery, draft: SearchDraft
) -> None:
    """Asks for the most the driver will pay; pressed again with one set, it drops it."""
    if draft.max_price_minor is not None:
        draft.max_price_minor = draft.max_price_currency = None
        draft.page = 0
        await query.answer()
        text, keyboard = await _results(context)
        with copies_unread():
            await query.edit_message_text(text, reply_markup=keyboard)
        return
    draft.awaiting = SearchInput.MAX_PRICE
    await query.answer()
    await message_of(update).reply_text(
        context.i18n.gettext("Up to how much for this time? For example: 10 or €12.50")
    )


async def _notify_when_free(
    update: Update, context: ParkShareContext, query: CallbackQuery, draft: SearchDraft
) -> None:
    async with context.db.unit_of_work() as uow:
        await saved_searches.save(
            uow, context.clock, person_id=context.person_id,
            point=GeoPoint(draft.lat, draft.lon), radius_m=saved_searches.MAX_RADIUS_M,
            start=datetime.fromisoformat(draft.start_at),
            end=datetime.fromisoformat(draft.end_at),
        )  # fmt: skip
    await query.answer(
        context.i18n.gettext("I'll tell you here as soon as a spot near there is free."),
        show_alert=True,
    )
    await query.edit_message_reply_markup(reply_markup=None)


# Buttons that change the search, and the results shown again.
REFINING: dict[str, Refine] = {
    **dict.fromkeys(WINDOWS, _refined(_set_window)),
    **dict.fromkeys((order.value for order in SortOrder), _refined(_set_order)),
    "ev": _refined(_toggle_ev),
    "covered": _refined(_toggle_covered),
    "monthly": _refined(_toggle_monthly),
    "wide": _refined(_widen),
    "size": _refined(_next_size),
    "rating": _refined(_next_rating),
    "next": _next_page,
    "previous": _previous_page,
}
# Buttons that ask the driver something or act, instead of showing the results again.
ASKING: dict[str, Ask] = {
    "other": _ask_window,
    "max_price": _ask_max_price,
    "notify": _notify_when_free,
}


async def _results(context: ParkShareContext) -> tuple[str, InlineKeyboardMarkup]:
    draft = context.user_data.current_search()
    i18n = context.i18n
    result = await nearest_free(
        context.db,
        point=GeoPoint(draft.lat, draft.lon),
        start=datetime.fromisoformat(draft.start_at),
        end=datetime.fromisoformat(draft.end_at),
        now=context.clock.now(),
        k=spots_wanted(SortOrder(draft.order), draft.page),
        filters=SearchFilters(
            ev_charger=draft.ev_charger,
            covered=draft.covered,
            vehicle_size=VehicleSize(draft.vehicle_size) if draft.vehicle_size else None,
            min_rating=draft.min_rating,
            max_price=draft.max_price,
            monthly=draft.monthly,
        ),
        order=SortOrder(draft.order),
        max_radius_m=WIDE_RADIUS_M if draft.wide else MAX_RADIUS_M,
    )
    monthly: dict[int, Money] = {}
    if draft.monthly and result.hits:
        async with context.db.reading() as uow:
            monthly = await passes.monthly_prices(uow, [hit.spot_id for hit in result.hits])
    locked: set[int] = set()
    if any(hit.requirements.any for hit in result.hits):
        async with context.db.reading() as uow:
            record = await people.driver_record(uow, context.person_id)
        locked = {hit.spot_id for hit in result.hits if record.short_of(hit.requirements)}
    pages = max((len(result.hits) - 1) // PAGE_SIZE + 1, 1)
    draft.page = min(draft.page, pages - 1)
    areas = (
        await service_areas(context.db, point=GeoPoint(draft.lat, draft.lon))
        if not result.hits
        else []
    )
    return (
        _render(result, draft, i18n, areas, monthly, locked),
        _keyboard(result, draft, pages, i18n, areas),
    )


def spots_wanted(order: SortOrder, page: int) -> int:
    """Nearest first, a page needs the spots up to its last and one more, which says whether
    another page follows: the first asks for six spots, not all fifteen a driver may page
    through, and a search tests each spot it returns. Other orders rank a pool of the nearest
    free spots that grows with what is asked, so they ask for all ``RESULTS`` on every page."""
    if order != SortOrder.NEAREST:
        return RESULTS
    return min((max(page, 0) + 1) * PAGE_SIZE + 1, RESULTS)


def _render(
    result: SearchResult,
    draft: SearchDraft,
    i18n: Translator,
    areas: list[ServiceArea],
    monthly: dict[int, Money],
    locked: set[int],
) -> str:
    """``locked``: spots whose owners ask more of drivers than this one has, each marked with
    what is asked."""
    _ = i18n.gettext
    start = datetime.fromisoformat(draft.start_at)
    end = datetime.fromisoformat(draft.end_at)
    window = _("{start} – {end}").format(
        start=i18n.moment(start, draft.timezone), end=i18n.moment(end, draft.timezone)
    )
    if not result.hits and areas and areas[0].distance_m > result.radius_m:
        # Far from every spot: other times or filters would not help, so say where we are.
        places = ", ".join(
            _("{area} ({distance} away)").format(
                area=html.escape(area.name),
                distance=i18n.distance(area.distance_m),
            )
            for area in areas
        )
        return _("ParkShare has no spots near here yet. It has spots in {places}.").format(
            places=places
        )
    if not result.hits:
        return _(
            "No spot is free within {distance} for {window}. Try another time, or widen the search."
        ).format(distance=i18n.distance(result.radius_m), window=window)
    length = duration_text(end - start, i18n)
    heading = (
        _("🗓 Spots near you offered by the month, free for {window}. Each price is a month's:")
        .format(window=window)
        if draft.monthly
        else _("🅿️ Free spots near you for {window}. Each price is for the whole {length}:")
        .format(window=window, length=length)
    )  # fmt: skip
    lines = [heading, ""]
    first = draft.page * PAGE_SIZE
    for number, hit in enumerate(result.hits[first : first + PAGE_SIZE], start=first + 1):
        rating = (
            _("★{rating} ({count})").format(
                rating=i18n.number(round(hit.rating, 1)), count=hit.rating_count
            )
            if hit.rating is not None
            else _("new")
        )
        extras = ("⚡" if hit.ev_charger else "") + ("☂️" if hit.covered else "")
        if hit.owner_tier == CreditTier.TRUSTED:
            rating += " · " + _("🛡 trusted owner")
        price = (
            _("{price} a month").format(price=i18n.money(monthly[hit.spot_id]))
            if hit.spot_id in monthly
            else i18n.money(hit.price)
        )
        lines.append(
            f"{number}. <b>{html.escape(hit.title)}</b> {extras}\n"
            f"    {i18n.distance(hit.distance_m)} · {price} · {rating}"
        )
        if hit.spot_id in locked:
            lines += [f"    {line}" for line in asked_lines(hit.requirements, i18n)]
    return "\n".join(lines)


def _keyboard(
    result: SearchResult,
    draft: SearchDraft,
    pages: int,
    i18n: Translator,
    areas: list[ServiceArea],
) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    first = draft.page * PAGE_SIZE
    # A spot's name is the owner's text: cut where a phone would, keeping the distance.
    rows: list[KeyboardRow] = [
        [(fit_label(f"{number}. {hit.title}", keep=f" · {i18n.distance(hit.distance_m)}"),
          OpenSpot(hit.spot_id))]
        for number, hit in enumerate(result.hits[first : first + PAGE_SIZE], start=first + 1)
    ]  # fmt: skip
    paging = []
    if draft.page > 0:
        paging.append((_("◀ Back"), ChangeSearch("previous")))
    if draft.page + 1 < pages:
        paging.append((_("More ▶"), ChangeSearch("next")))
    if paging:
        rows.append(paging)
    marks = {True: "✅ ", False: ""}

    def choice(label: str, option: str, chosen: str | None) -> tuple[str, ChangeSearch]:
        return marks[option == chosen] + label, ChangeSearch(option)

    window = draft.window_option
    rows.append([choice(_("1 h"), "1h", window), choice(_("2 h"), "2h", window),
                 choice(_("4 h"), "4h", window)])  # fmt: skip
    rows.append(
        [
            choice(_("Tonight"), "tonight", window),
            choice(_("Tomorrow"), "tomorrow", window),
            (
                "✅ " + _("Other time") if window is None else _("🕒 Other time"),
                ChangeSearch("other"),
            ),
        ]
    )
    rows.append(
        [
            choice(_("Nearest"), SortOrder.NEAREST.value, draft.order),
            choice(_("Cheapest"), SortOrder.CHEAPEST.value, draft.order),
            choice(_("Best rated"), SortOrder.BEST_RATED.value, draft.order),
        ]
    )
    rows.append(
        [
            (marks[draft.ev_charger] + _("⚡ EV charger"), ChangeSearch("ev")),
            (marks[draft.covered] + _("☂️ Covered"), ChangeSearch("covered")),
        ]
    )
    size = (
        _("🚙 Any vehicle")
        if draft.vehicle_size is None
        else _("🚙 {size}").format(size=_(VEHICLE_LABELS[VehicleSize(draft.vehicle_size)]))
    )
    rating = _("★ Any rating") if draft.min_rating is None else f"★ {draft.min_rating:.1f}+"
    price = _("💶 Max price") if draft.max_price is None else "✅ ≤ " + i18n.money(draft.max_price)
    rows.append([(size, ChangeSearch("size")), (rating, ChangeSearch("rating"))])
    rows.append(
        [(price, ChangeSearch("max_price")),
         (marks[draft.monthly] + _("🗓 Monthly"), ChangeSearch("monthly"))]
    )  # fmt: skip
    if not result.hits:
        rows.append([(_("🔔 Tell me when one is free"), ChangeSearch("notify"))])
    # Searching farther is offered only when it could reach a spot.
    reachable = not areas or areas[0].distance_m <= WIDE_RADIUS_M
    if not result.hits and not draft.wide and reachable:
        rows.append([(_("🔭 Search farther"), ChangeSearch("wide"))])
    return inline(rows)


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(private & filters.LOCATION, location_shared),
        search_changed,
        search_near_booking,
        window_reading_picked,
    ]
