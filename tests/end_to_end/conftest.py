"""The sandbox and the real bot, in this pytest process, over real HTTP on loopback.

After every test, each update the sandbox emitted and each message in its chats is read back by
python-telegram-bot and validated by aiogram: two independent readings of Telegram's schema."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import types as aiogram_types
from playwright.async_api import Browser, Page, async_playwright, expect
from telegram import Bot, Message, Update
from telegram.ext import BaseRateLimiter

from bot.app import build_application
from bot.button_width import labels_that_do_not_fit
from bot.edge import ParkShareApplication
from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.settings import load_settings
from sandbox.client import SandboxClient
from sandbox.demo_city import BERLIN
from sandbox.runner import SandboxRuntime
from sandbox.world import World
from tests.conftest import assert_ledger_sound
from tests.fakes import FrozenClock


class Sandbox(SandboxClient):
    def __init__(self, runtime: SandboxRuntime) -> None:
        super().__init__(runtime.world)
        self.runtime = runtime
        self.manager = self.known(runtime.cast.manager)
        self.group_member = self.known(runtime.cast.member)
        self.managers_group = runtime.cast.managers_group.id

    @property
    def database(self):
        return self.runtime.database

    @property
    def clock(self) -> FrozenClock:
        return self.runtime.clock


def assert_speaks_telegrams_schema(world: World) -> None:
    bot = Bot(world.token)
    assert world.log is not None
    for update in world.log:
        parsed = Update.de_json(update, bot)
        assert parsed is not None
        assert parsed.update_id == update["update_id"]
        aiogram_types.Update.model_validate(update)
    for chat in world.chats.values():
        for message in chat.messages.values():
            assert Message.de_json(message, bot) is not None
            aiogram_types.Message.model_validate(message)


def assert_buttons_fit_a_phone(world: World) -> None:
    """Every keyboard the bot sent in the test, in whatever language it spoke."""
    too_wide = {
        label
        for chat in world.chats.values()
        for event in chat.events
        for label in labels_that_do_not_fit(_markup(event))
    }
    assert not too_wide, "labels Telegram would cut on a phone: " + ", ".join(sorted(too_wide))


def assert_one_unit_of_work_per_update(runtime: SandboxRuntime) -> None:
    """An update that changes anything does it in one unit of work, which also reads all that
    its answer shows: its delivery is recorded with its first write, so a second writing
    transaction that a crash could lose would be lost for good, and a read after the commit
    could show a state the update did not leave. Reads before it (is this text an owner's
    hours?) and updates that only read (a search) are counted, not refused."""
    assert runtime.units_of_work is not None
    updates = {update["update_id"]: update for update in runtime.world.log or []}
    too_many = [
        f"update {counted.update_id} ({_what(updates.get(counted.update_id))}): "
        f"{counted.units} units of work, {counted.writes} writing, "
        f"{counted.after_write} after a write"
        for counted in runtime.units_of_work
        if counted.writes > 1 or counted.after_write
    ]
    assert not too_many, "updates that changed things in more than one unit of work:\n" + "\n".join(
        too_many
    )


def another_bot(runtime: SandboxRuntime, *, lease_seconds: int) -> ParkShareApplication:
    """The application of a second bot process on the sandbox's Telegram and store, with a
    lease of its own and no sweeps: a worker for a test to slow down, cut off or stop."""
    settings = runtime.settings.model_copy(update={"inbox_lease_seconds": lease_seconds})
    return build_application(
        settings, token=runtime.world.token, base_url=f"{runtime.url}/bot",
        base_file_url=f"{runtime.url}/file/bot", database=runtime.database,
        clock=runtime.clock, sandbox=True, sweeps=False,
    )  # fmt: skip


async def initialized(application: ParkShareApplication) -> None:
    """As running it would: initialized, and its start-up hook called."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)


def _what(update: dict | None) -> str:
    if update is None:
        return "?"
    if "callback_query" in update:
        return f"pressed {update['callback_query'].get('data')!r}"
    message = update.get("message") or update.get("edited_message") or {}
    for kind in ("text", "location", "photo", "successful_payment", "contact"):
        if kind in message:
            return f"{kind} {str(message[kind])[:40]!r}" if kind == "text" else kind
    return ", ".join(key for key in update if key != "update_id")


def _markup(event: dict) -> dict | None:
    message = event.get("message", event)
    return message.get("reply_markup") if isinstance(message, dict) else None


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Settings a test wants changed; parametrize this name to change them."""
    return {}


@pytest.fixture
def demo_spots() -> int:
    """How many spots the demo city has; none unless a test parametrizes this name."""
    return 0


@pytest.fixture
def rate_limiter() -> BaseRateLimiter | None:
    """The bot's limiter; None keeps the one ``parkshare run`` uses, Telegram's pace."""
    return None


@pytest.fixture(scope="session")
async def migrated_database(tmp_path_factory) -> Path:
    """An empty database at the newest schema, copied for each sandbox: the bot would migrate
    a new one itself, at a quarter of a second a test."""
    path = tmp_path_factory.mktemp("schema") / "sandbox.db"
    engine = create_engine(f"sqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    return path


@pytest.fixture
async def sandbox(
    tmp_path, settings_overrides, demo_spots, rate_limiter, migrated_database
) -> AsyncIterator[Sandbox]:
    shutil.copyfile(migrated_database, tmp_path / "sandbox.db")
    settings = load_settings(
        _env_file=None, database_url=f"sqlite:///{tmp_path}/sandbox.db", **settings_overrides
    )
    runtime = SandboxRuntime(
        settings, port=0, city=BERLIN if demo_spots else None, demo_spots=demo_spots,
        clock=FrozenClock(), keep_log=True, rate_limiter=rate_limiter,
    )  # fmt: skip
    async with runtime:
        yield Sandbox(runtime)
        assert_speaks_telegrams_schema(runtime.world)
        assert_buttons_fit_a_phone(runtime.world)
        assert_one_unit_of_work_per_update(runtime)
        await assert_ledger_sound(runtime.database)


# --- the web chat in a real browser (tests/end_to_end/test_web_chat*.py) ---

CHROMIUM = "/usr/bin/chromium"
# Without these, chromium on a closed network stalls reaching for Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
WAIT_MS = 15_000


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One chromium for the browser tests (they share one xdist worker)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser, sandbox, request) -> AsyncIterator[Page]:
    expect.set_options(timeout=WAIT_MS)
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(sandbox.runtime.url)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    await context.close()
    assert errors == []
