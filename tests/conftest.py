"""Every database test runs on SQLite and on PostgreSQL; the test id names which."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import create_engine
from core.db.migrate import upgrade
from core.db.uow import Database
from core.services import audit
from tests.fakes import FrozenClock
from tests.support import postgres
from tests.support.localstripe import LocalStripe
from tests.support.recorded_stripe import RecordedStripe
from tests.support.stripe_side import StripeSide

DATABASES = ["sqlite", "postgresql"]


# Files that keep a worker busy for a minute or more. They are handed out first, so that the
# last file to start is a short one, not one that leaves the other worker idle until it ends.
LONGEST_FIRST = (
    "tests/end_to_end/test_fuzz.py",
    "tests/integration/test_money_model.py",
    "tests/test_cli.py",
)


def _group(item: pytest.Item) -> str:
    module = item.nodeid.split("::")[0]
    return "browser" if Path(module).name.startswith("test_web_chat") else module


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Iterator[None]:
    """Under pytest-xdist (``--dist loadgroup``) a test file runs on one worker, with its
    module's fixtures built once, and the browser tests all run on the same worker: two
    chromiums at once on a two-core machine starve each other past their timeouts. The files
    are handed out longest first (``--no-loadscope-reorder`` keeps this order): the known long
    ones, then by their number of tests."""
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))
    yield
    if getattr(config.option, "loadgroup", False):
        sizes = Counter(map(_group, items))
        items.sort(key=lambda item: (_rank(_group(item)), -sizes[_group(item)]))


def _rank(group: str) -> int:
    return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """pytest-xdist groups a test by adding ``@group`` to its id; a pytest it does not know may
    keep the id elsewhere, and every file's tests would then quietly spread over the workers."""
    if node.config.getoption("dist") != "loadgroup":
        return
    ungrouped = [nodeid for nodeid in ids if "@" not in nodeid]
    if ungrouped:
        pytest.exit(
            f"pytest-xdist did not group {len(ungrouped)} tests (first: {ungrouped[0]}): "
            "this pytest and pytest-xdist do not work together, see pyproject.toml",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """The server `.ci/run` started, or one of our own from the machine's binaries."""
    url = os.environ.get("PARKSHARE_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    directory = Path(tempfile.mkdtemp(prefix="parkshare-pg-"))
    try:
        yield postgres.start(directory)
    finally:
        postgres.stop(directory)
        shutil.rmtree(directory, ignore_errors=True)


class DatabaseFactory:
    """Creates empty, migrated databases of one kind."""

    def __init__(self, kind: str, postgres_url: str | None, workdir: Path) -> None:
        self.kind = kind
        self.postgres_url = postgres_url
        self.workdir = workdir
        self.engines: list[AsyncEngine] = []

    async def new_url(self) -> str:
        name = f"parkshare_test_{uuid.uuid4().hex[:12]}"
        if self.kind == "sqlite":
            return f"sqlite:///{self.workdir / name}.db"
        assert self.postgres_url is not None
        admin = create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        return make_url(self.postgres_url).set(database=name).render_as_string(hide_password=False)

    async def new_engine(self) -> AsyncEngine:
        return await self.new_engine_at(await self.new_url())

    async def new_engine_at(self, url: str) -> AsyncEngine:
        engine = create_engine(url)
        await upgrade(engine)
        self.engines.append(engine)
        return engine

    async def close(self) -> None:
        for engine in self.engines:
            await engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
async def database_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DatabaseFactory]:
    url = request.getfixturevalue("postgres_server_url") if request.param == "postgresql" else None
    factory = DatabaseFactory(request.param, url, tmp_path_factory.mktemp(request.param))
    yield factory
    await factory.close()


@pytest.fixture(scope="session")
async def shared_engine(database_factory: DatabaseFactory) -> AsyncEngine:
    return await database_factory.new_engine()


@pytest.fixture
async def db(shared_engine: AsyncEngine) -> AsyncIterator[Database]:
    """A database whose every change is rolled back after the test."""
    async with shared_engine.connect() as connection:
        transaction = await connection.begin()
        database = Database(connection)
        yield database
        await assert_ledger_sound(database)
        await transaction.rollback()


@pytest.fixture
async def committing_db(database_factory: DatabaseFactory) -> AsyncIterator[Database]:
    """A fresh database of its own, for tests whose writers must really commit (concurrency)."""
    database = Database(await database_factory.new_engine())
    yield database
    await assert_ledger_sound(database)
    await database.close()


async def assert_ledger_sound(database: Database) -> None:
    """After every test: each ledger transaction sums to zero, and every booking's money agrees
    with its state (the money audit)."""
    async with database.reading() as uow:
        report = await audit.run(uow)
    assert report.ledger.healthy, report.ledger
    assert report.violations == [], "\n".join(map(str, report.violations))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


# --- Stripe: localstripe on loopback (one per process), recorded answers for the rest ------


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[LocalStripe]:
    server = LocalStripe().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_server(localstripe_server: LocalStripe) -> LocalStripe:
    localstripe_server.reset()
    return localstripe_server


@pytest.fixture
def recorded() -> Iterator[RecordedStripe]:
    client = RecordedStripe(fallback=stripe.RequestsClient())
    yield client
    client.close()


@pytest.fixture
def at_stripe(stripe_server: LocalStripe) -> StripeSide:
    return StripeSide(stripe_server)
