"""Hostile and careless input by the thousand, through the real bot and the sandbox: text in many
scripts, huge strings, places at sea and at the poles, forged and truncated buttons, commands
with junk, photos out of any flow, banned people and a group nobody set up. No handler fails
past the error handler, everybody hears back, and the data stays sound. Then texts, captions
and button data at and just over Telegram's limits, into every place that echoes them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from telegram.ext import AIORateLimiter

from core.db.models import Booking, Payment
from core.services import people
from core.status import LIVE_BOOKING_STATUSES, BookingStatus
from sandbox import actions
from sandbox.client import tiny_png
from sandbox.formatting import utf16_length
from tests.end_to_end.test_bookings import _owner_and_spot
from tests.end_to_end.test_trust import _paid

PEOPLE = 12
BANNED = {10, 11}
# 6,000 updates, each kind of act a thousand times over; 10,000 made this the suite's longest
# test by a minute of one worker.
EXAMPLES, PER_EXAMPLE = 60, 100
FAILED = "An update failed"
PAID = (BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED)
COMMANDS = ("/start", "/help", "/list", "/bookings", "/myspots", "/credit", "/earnings",
            "/payouts", "/language", "/cancel", "/ban", "/spot", "/person", "/report")  # fmt: skip
PREFIXES = ("spot", "book", "bm", "bx", "pb", "pbk", "pbs", "rt", "rts", "rl", "da", "dp",
            "oc", "ci", "sc", "lang", "srch", "mod", "x")  # fmt: skip
AWKWARD = ("", " ", "0", "-1", "9" * 40, "€3/h", "today 25-26", "yesterday 10-12",
           "Mon-Fri 08:00-18:00", "😀" * 50, "مرحبا", "你好，世界", "Привет", "<b>bold</b>",
           "x" * 4096, "\u200b", "../../etc/passwd", "'; DROP TABLE booking; --")  # fmt: skip


@pytest.fixture
def rate_limiter() -> AIORateLimiter:
    # Retries on 429 as in production, without Telegram's pace (30 messages a second, 20 a
    # minute in a group): that is tested on its own, and here would only make thousands wait.
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)


@dataclass(frozen=True)
class Act:
    kind: str
    person: int
    value: object = None


def _text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(AWKWARD), st.text(max_size=80))


def _data() -> st.SearchStrategy[str]:
    ascii_junk = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40)
    forged = st.builds(lambda p, rest: f"{p}:{rest}"[:64], st.sampled_from(PREFIXES), ascii_junk)
    return st.one_of(forged, ascii_junk.map(lambda s: s[:64]))


ACTS = st.one_of(
    st.builds(Act, st.just("text"), st.integers(0, PEOPLE - 1), _text()),
    st.builds(
        Act, st.just("command"), st.integers(0, PEOPLE - 1),
        st.builds(lambda c, junk: f"{c} {junk}".strip(), st.sampled_from(COMMANDS), _text()),
    ),
    st.builds(
        Act, st.just("location"), st.integers(0, PEOPLE - 1),
        st.tuples(st.floats(-90, 90), st.floats(-180, 180)) | st.sampled_from(
            [(52.52, 13.405), (0.0, -30.0), (90.0, 180.0), (-90.0, -180.0), (54.5, 4.0)]
        ),
    ),
    st.builds(Act, st.just("photo"), st.integers(0, PEOPLE - 1)),
    st.builds(Act, st.just("press"), st.integers(0, PEOPLE - 1), _data()),
    st.builds(Act, st.just("group"), st.integers(0, PEOPLE - 1), _text()),
)  # fmt: skip


class Crowd:
    """The generated people, the group nobody set up, and what each was last sent."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.people = [sandbox.person(f"Fuzz {n}", language=("en", "ru", "zh-hans")[n % 3])
                       for n in range(PEOPLE)]  # fmt: skip
        ids = [person.id for person in self.people]
        self.group = sandbox.world.add_group("Neighbours", admins=ids[:1], members=ids[1:])

    async def act(self, act: Act) -> None:
        world, person = self.sandbox.world, self.people[act.person]
        if act.kind in ("text", "command", "group"):
            message = str(act.value) if str(act.value).strip() else "."
            chat = self.group.id if act.kind == "group" else None
            await actions.send_text(world, person.id, message, chat)
        elif act.kind == "location":
            await actions.share_location(world, person.id, *act.value)
        elif act.kind == "photo":
            await actions.send_photo(world, person.id, tiny_png())
        else:
            # On the bot's latest message to them, whatever buttons it had.
            await actions.press_button(world, person.id, person.id, person.last_message().id,
                                       str(act.value))  # fmt: skip


def _bursts() -> list[list[Act]]:
    """Hypothesis as the generator: the same bursts every run (derandomised), none stored."""
    bursts: list[list[Act]] = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.lists(ACTS, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    def collect(acts: list[Act]) -> None:
        bursts.append(acts)

    collect()
    return bursts


async def _invariants(sandbox) -> None:
    async with sandbox.database.reading() as uow:
        live = select(Booking).where(Booking.status.in_(LIVE_BOOKING_STATUSES)).subquery()
        other = aliased(live)
        overlapping = await uow.session.scalar(
            select(func.count()).select_from(live).join(
                other,
                and_(other.c.spot_id == live.c.spot_id, other.c.id > live.c.id,
                     live.c.start_at < other.c.end_at, other.c.start_at < live.c.end_at),
            )
        )  # fmt: skip
        assert overlapping == 0
        # A booking that holds or held a stay was paid for.
        unpaid = await uow.session.scalar(
            select(func.count()).select_from(Booking).where(
                Booking.status.in_(PAID),
                ~select(Payment.id).where(Payment.booking_id == Booking.id).exists(),
            )
        )  # fmt: skip
        assert unpaid == 0


async def test_thousands_of_hostile_updates_leave_everything_sound(sandbox):
    bursts = _bursts()
    assert sum(map(len, bursts)) >= 6_000
    await _owner_and_spot(sandbox)  # a spot to find, book and press buttons on
    crowd = Crowd(sandbox)
    for person in crowd.people:
        await person.send("/start")
    async with sandbox.database.unit_of_work() as uow:
        for n in BANNED:
            found = await uow.people.by_telegram_id(crowd.people[n].id)
            await people.ban(uow, sandbox.clock, found.id, "fuzzing")
    heard_before = {p.id: len(p.messages()) for p in crowd.people}

    for acts in bursts:
        first = sandbox.world.last_update_id + 1
        await asyncio.gather(*(crowd.act(act) for act in acts))
        assert await sandbox.world.wait_handled(first, sandbox.world.last_update_id, 60), acts

    alerts = [m for m in sandbox.manager.messages(chat=sandbox.managers_group) if FAILED in m.text]
    assert alerts == []  # no handler failed past the error handler
    for person in crowd.people:
        assert len(person.messages()) > heard_before[person.id], person
    await _invariants(sandbox)


# --- at and just over Telegram's limits, wherever the bot echoes what people wrote ---------------

TEXT_LIMIT, CAPTION_LIMIT, DATA_LIMIT = 4096, 1024, 64
AWKWARD_PIECE = "<b>&amp;</b> 🚗 停 & <i> "  # markup to escape, two-unit emoji, CJK


def _of_units(units: int) -> str:
    """A text of exactly ``units`` UTF-16 units, as Telegram counts what a person sent."""
    text = ""
    while utf16_length(text) < units:
        text += AWKWARD_PIECE
    while utf16_length(text) > units:
        text = text[:-1]
    if utf16_length(text) < units:  # an emoji cut in two: make up the unit
        text += "x"
    assert utf16_length(text) == units
    return text.strip() + "x" * (len(text) - len(text.strip()))


SIZES = {"text": (TEXT_LIMIT, TEXT_LIMIT + 1), "caption": (CAPTION_LIMIT, CAPTION_LIMIT + 1)}


async def _answered(sandbox, person, act, *, chat=None) -> None:
    """``act`` gets an answer: nothing the bot tried to send was refused or lost."""
    before = len(person.messages(chat=chat))
    await act()
    assert len(person.messages(chat=chat)) > before, person
    alerts = sandbox.manager.messages(chat=sandbox.managers_group)
    assert not [m for m in alerts if FAILED in m.text]


async def _listing_at(sandbox, owner) -> None:
    await owner.send("/list")
    for size in SIZES["text"]:  # an address typed
        await _answered(sandbox, owner, lambda size=size: owner.send(_of_units(size)))
    await owner.share_location(52.52, 13.405)
    for size in SIZES["text"]:  # a name
        await _answered(sandbox, owner, lambda size=size: owner.send(_of_units(size)))
    await owner.send("Garage")
    await owner.send("3")
    await owner.press("Skip")
    await owner.press("Done")
    await _answered(sandbox, owner, lambda: owner.send(_of_units(TEXT_LIMIT + 1)))  # access
    await owner.press("Skip")
    await _answered(sandbox, owner, lambda: owner.send("Mon-Fri 08:00-18:00"))
    assert "✅ Submit" in owner.last_message().buttons


async def _relay_at(sandbox, owner, dana) -> None:
    await dana.send("/bookings")
    await dana.press("Message owner")
    for size in SIZES["text"]:
        text = _of_units(size)
        before = len(owner.messages())
        await _answered(sandbox, owner, lambda text=text: dana.send(text))
        joined = "".join(message.text for message in owner.messages()[before:])
        assert "".join(text.split()) in "".join(joined.split())  # split, never cut
    for size in SIZES["caption"]:
        caption = _of_units(size)
        await _answered(
            sandbox, owner, lambda caption=caption: dana.send_photo(tiny_png(), caption=caption)
        )
    assert "couldn't deliver" not in dana.last_message().text
    await dana.press("Leave the chat")


async def _report_at(sandbox, dana) -> None:
    await dana.send("/bookings")
    await dana.press("Report a problem")
    await dana.press("Can't get in")
    for size in SIZES["text"]:
        await _answered(sandbox, dana, lambda size=size: dana.send(_of_units(size)))
    maria = sandbox.manager
    before = len(maria.messages(chat=sandbox.managers_group))
    await _answered(sandbox, maria, lambda: dana.press("Send report"), chat=sandbox.managers_group)
    card = "".join(m.text for m in maria.messages(chat=sandbox.managers_group)[before:])
    assert "Dispute #1" in card
    assert "A manager is looking at booking #1" in dana.last_message().text


async def _rating_at(sandbox, dana) -> None:
    sandbox.clock.advance(hours=3)
    await sandbox.runtime.run_job("advance_bookings")
    await sandbox.runtime.run_job("advance_bookings")
    await dana.press("Rate the stay #1")
    await dana.press("4⭐")
    await _answered(sandbox, dana, lambda: dana.send(_of_units(TEXT_LIMIT + 1)))
    assert "You gave ★★★★☆ for booking #1" in dana.last_message().text


async def _forged_data_at(sandbox, dana) -> None:
    for size in (DATA_LIMIT, DATA_LIMIT + 1):
        forged = "rt:1:" + "9" * (size - len("rt:1:"))
        assert len(forged.encode()) == size
        answer = await dana.press_data(forged, dana.last_message())
        assert answer is not None  # every press is answered


@pytest.mark.parametrize("place", ["listing", "relay", "report", "rating", "buttons"])
async def test_texts_at_and_just_over_telegrams_limits_are_answered_where_echoed(sandbox, place):
    if place == "listing":
        await _listing_at(sandbox, sandbox.person("Olga"))
        return
    owner, _spot, dana = await _paid(sandbox, when="today 12-14")
    sandbox.clock.advance(hours=1, minutes=5)  # the stay is under way
    await sandbox.runtime.run_job("advance_bookings")
    if place == "relay":
        await _relay_at(sandbox, owner, dana)
    elif place == "report":
        await _report_at(sandbox, dana)
    elif place == "rating":
        await _rating_at(sandbox, dana)
    else:
        await _forged_data_at(sandbox, dana)
