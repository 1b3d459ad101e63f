"""Hostile and careless input by the thousand, through the real bot and the sandbox: text in many
scripts, huge strings, places at sea and at the poles, forged and truncated buttons, commands
with junk, photos out of any flow, banned people and a group nobody set up. No handler fails
past the error handler, everybody hears back, and the data stays sound."""

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
from tests.end_to_end.test_bookings import _owner_and_spot

PEOPLE = 12
BANNED = {10, 11}
EXAMPLES, PER_EXAMPLE = 100, 100  # 10,000 updates
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
    # minute in a group): that is tested on its own, and here would only make 10,000 wait.
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
    assert sum(map(len, bursts)) >= 10_000
    await _owner_and_spot(sandbox)  # a spot to find, book and press buttons on
    crowd = Crowd(sandbox)
    for person in crowd.people:
        await person.send("/start")
    async with sandbox.database.unit_of_work() as uow:
        for n in BANNED:
            found = await uow.people.by_telegram_id(crowd.people[n].id)
            await people.ban(uow, found.id, "fuzzing")
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
