"""One transaction per user action: everything an action writes commits together or not at all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    AsyncSessionTransaction,
    async_sessionmaker,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.db import driver_reads, free_time_changes
from core.db.audit_reads import AuditReads
from core.db.driver_reads import DriverStatement
from core.db.engine import create_engine, create_sync_engine, read_only
from core.db.free_time_changes import TrackingSession
from core.db.models import Delivery
from core.db.repositories import (
    Bookings,
    Deliveries,
    FreeTimes,
    KeptStates,
    Ledger,
    Payments,
    People,
    SavedSearches,
    Spots,
    Trust,
)
from core.errors import StaleBooking

T = TypeVar("T")


class AlreadyProcessed(Exception):
    """The delivery being handled was handled before: its first write would record it twice."""


class WrittenMeanwhile(Exception):
    """A unique key refused what the unit of work wrote: a concurrent writer recorded the same
    thing first (one webhook event delivered twice at once). The unit of work is rolled back."""


@dataclass
class _Delivery:
    source: int
    update_id: int
    at: datetime
    recorded: bool = False
    # Units of work that ended since the handlers began (see ``handlers_begin``), and how many
    # of them committed writes: an update's use case is one of each at most, or a crash
    # between two could leave it half done with its delivery recorded.
    units: int = 0
    writes: int = 0
    # Units that ended after a write had committed: what the answer shows should come from
    # the use case's own unit, not from a read of a state the update may not have left.
    after_write: int = 0


@dataclass(frozen=True, slots=True)
class UnitsOfWork:
    """How one update was handled: its id and the units of work its handlers ran."""

    update_id: int
    units: int
    writes: int
    after_write: int


_delivery: ContextVar[_Delivery | None] = ContextVar("parkshare_delivery", default=None)


def record_delivery_with_first_write(source: int, update_id: int, at: datetime) -> None:
    """From here on in this context (one update's handling), the first unit of work that
    commits also records the delivery, in its own transaction: if the delivery was recorded
    already, that unit of work rolls back and raises ``AlreadyProcessed``."""
    _delivery.set(_Delivery(source, update_id, at))


def handlers_begin() -> None:
    """What ran so far (knowing the person, the ban check) precedes the use case; the units of
    work counted for this update start here."""
    delivery = _delivery.get()
    if delivery is not None:
        delivery.units = delivery.writes = delivery.after_write = 0


def units_of_work_so_far() -> UnitsOfWork | None:
    """The units of work the update being handled in this context ran since its handlers
    began; None outside an update."""
    delivery = _delivery.get()
    if delivery is None:
        return None
    return UnitsOfWork(delivery.update_id, delivery.units, delivery.writes, delivery.after_write)


def _count_unit(*, wrote: bool) -> None:
    delivery = _delivery.get()
    if delivery is not None:
        delivery.units += 1
        delivery.after_write += 1 if delivery.writes else 0
        delivery.writes += 1 if wrote else 0


class UnitOfWork:
    """Opens a session; commits when the block ends normally, rolls back when it raises.
    Repositories never commit on their own."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        writes: bool = True,
        counted: bool = True,
    ) -> None:
        self._sessions = sessions
        self._writes = writes
        self._counted = counted

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.people = People(self.session)
        self.spots = Spots(self.session)
        self.bookings = Bookings(self.session)
        self.ledger = Ledger(self.session)
        self.payments = Payments(self.session)
        self.kept_states = KeptStates(self.session)
        self.saved_searches = SavedSearches(self.session)
        self.free_times = FreeTimes(self.session)
        self.trust = Trust(self.session)
        self.deliveries = Deliveries(self.session)
        self.audit = AuditReads(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        committed = False
        try:
            if exc_type is None:
                delivery = _delivery.get() if self._writes else None
                if delivery is not None and not delivery.recorded:
                    await self._record(delivery)
                try:
                    await self._keep_free_time()
                    await self.session.commit()
                except StaleDataError:
                    # A booking's conditional UPDATE matched nothing: someone changed it first.
                    await self.session.rollback()
                    raise StaleBooking("a booking changed while this was decided") from None
                except IntegrityError as error:
                    await self.session.rollback()
                    raise WrittenMeanwhile(str(error.orig)) from error
                committed = True
                if delivery is not None:
                    delivery.recorded = True
            else:
                await self.session.rollback()
                if isinstance(exc, IntegrityError):
                    raise WrittenMeanwhile(str(exc.orig)) from exc
        finally:
            await self.session.close()
            if self._counted:
                _count_unit(wrote=committed and self._writes)

    async def _keep_free_time(self) -> None:
        """Rewrite the free time of every spot this unit of work changed, in its transaction.
        Last, so that the rows stay locked for no longer than the commit, and in spot order
        (``FreeTimes.refresh``), so that two writers lock them in the same order."""
        sync_session = self.session.sync_session
        if not free_time_changes.pending(sync_session):
            return
        await self.session.flush()
        await self.free_times.refresh(free_time_changes.take(sync_session))

    async def one_at_a_time(self, name: str) -> None:
        """Hold a lock named ``name`` until this unit of work ends, so that every process
        running the same sweep takes its turn (PostgreSQL's advisory lock; SQLite's writers
        take turns already)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name}
            )

    def savepoint(self) -> AsyncSessionTransaction:
        """A nested transaction: a write that may break a constraint is tried inside it, so a
        refusal undoes that write alone and the rest of the unit of work goes on."""
        return self.session.begin_nested()

    async def _record(self, delivery: _Delivery) -> None:
        self.session.add(
            Delivery(source=delivery.source, update_id=delivery.update_id, processed_at=delivery.at)
        )
        try:
            await self.session.flush()
        except IntegrityError:
            await self.session.rollback()
            raise AlreadyProcessed(f"{delivery.source}:{delivery.update_id}") from None


class Database:
    """The application's handle on its store: hands out units of work, and runs hot read-only
    queries (search) by the fastest path each store offers."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self.bind = bind
        if isinstance(bind, AsyncEngine):
            self._sessions = async_sessionmaker(
                bind, expire_on_commit=False, sync_session_class=TrackingSession
            )
            self._read_sessions = async_sessionmaker(read_only(bind), expire_on_commit=False)
            self._autocommit_sessions = async_sessionmaker(
                bind.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
            )
        else:
            # Tests bind to a connection whose outer transaction is rolled back afterwards.
            self._sessions = async_sessionmaker(
                bind,
                expire_on_commit=False,
                join_transaction_mode="create_savepoint",
                sync_session_class=TrackingSession,
            )
            self._read_sessions = self._sessions
        # SQLite's read engine for work off the async driver (see ``run_read``), made once.
        self._sync_engine: Engine | None = None

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    def single_statement(self) -> UnitOfWork:
        """A unit of work for a use case that writes in one statement, whose condition re-checks
        what was read (a booking attempt): on PostgreSQL its statements run with no transaction
        around them, so it saves the round trips of BEGIN and COMMIT. Elsewhere, and within an
        update whose delivery its first write would record, it is an ordinary unit of work."""
        delivery = _delivery.get()
        if (
            isinstance(self.bind, AsyncEngine)
            and self.dialect == "postgresql"
            and (delivery is None or delivery.recorded)
        ):
            return UnitOfWork(self._autocommit_sessions)
        return self.unit_of_work()

    def after_gateway(self) -> UnitOfWork:
        """A unit of work recording what a payment gateway answered, after the use case's own
        transaction: no transaction is held open across the network, and a crash before this
        one loses nothing the gateway would not answer again (each call has its own
        idempotency key, and the sweeps reconcile). Not counted as the update's use case."""
        return UnitOfWork(self._sessions, counted=False)

    def reading(self) -> UnitOfWork:
        """A unit of work for queries only; on SQLite it does not take the write lock."""
        return UnitOfWork(self._read_sessions, writes=False)

    async def run_read(self, query: Callable[[Session], T]) -> T:
        """Run a read-only function over a plain (synchronous) session.

        aiosqlite hops to its own thread for every statement (about 0.25 ms each), so on an
        SQLite file the whole function runs in one worker thread with the sync driver
        instead (about 0.02 ms a statement). PostgreSQL's asyncpg has no such cost and runs it
        in place; so does a test's connection, whose uncommitted rows only it can see."""
        _count_unit(wrote=False)
        if isinstance(self.bind, AsyncEngine) and self.dialect == "sqlite":
            return await asyncio.to_thread(self._run_sync_read, self.bind, query)
        async with self._read_sessions() as session:
            return await session.run_sync(query)

    def _run_sync_read(self, engine: AsyncEngine, query: Callable[[Session], T]) -> T:
        with Session(self._sync_engine_of(engine)) as session:
            return query(session)

    def _sync_engine_of(self, engine: AsyncEngine) -> Engine:
        if self._sync_engine is None:
            self._sync_engine = create_sync_engine(engine.url)
        return self._sync_engine

    async def read_rows(
        self, statement: DriverStatement, parameters: Mapping[str, Any]
    ) -> driver_reads.Rows:
        """One read-only statement through the store's driver (``core.db.driver_reads``),
        whose reads are bounded (a search reads at most so many spots): on an SQLite file in
        place, since the hop to a worker thread and back cost more than such a statement (1.26
        against 0.53 ms a search at p50 on a busy machine); on PostgreSQL with no transaction
        around it, which would cost two more round trips than the statement."""
        _count_unit(wrote=False)
        if isinstance(self.bind, AsyncEngine) and self.dialect == "sqlite":
            return self._read_rows_sync(self.bind, statement, parameters)
        if isinstance(self.bind, AsyncEngine):
            async with self.bind.connect() as connection:
                return await driver_reads.fetch(connection, statement, parameters)
        return await driver_reads.fetch(self.bind, statement, parameters)

    def _read_rows_sync(
        self, engine: AsyncEngine, statement: DriverStatement, parameters: Mapping[str, Any]
    ) -> driver_reads.Rows:
        pooled = self._sync_engine_of(engine).raw_connection()
        try:
            return driver_reads.fetch_sync(pooled.driver_connection, statement, parameters)
        finally:
            pooled.close()

    async def close(self) -> None:
        if isinstance(self.bind, AsyncEngine):
            await self.bind.dispose()
        if self._sync_engine is not None:
            self._sync_engine.dispose()
            self._sync_engine = None
