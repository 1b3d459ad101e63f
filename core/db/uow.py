"""One transaction per user action: everything an action writes commits together or not at all."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from asyncpg import exceptions as postgres_errors  # type: ignore[import-untyped]
from sqlalchemy import CursorResult, Engine, Executable, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    AsyncSessionTransaction,
    async_sessionmaker,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool, Pool, PoolProxiedConnection, QueuePool
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.util import greenlet_spawn

from core.db import driver_reads, free_time_changes
from core.db import inbox_statements as statements
from core.db.audit_reads import AuditReads
from core.db.driver_reads import DriverStatement
from core.db.engine import (
    IDLE_SINCE,
    create_engine,
    create_sync_engine,
    create_sync_writer,
    read_only,
)
from core.db.free_time_changes import TrackingSession
from core.db.models import InboxState
from core.db.repositories import (
    Bookings,
    FreeTimes,
    Inbox,
    Ledger,
    Operators,
    Payments,
    People,
    PersonStates,
    SavedSearches,
    Spots,
    Trust,
)
from core.db.rows import ClaimedUpdate, claimed_updates
from core.errors import StaleBooking

T = TypeVar("T")
A = TypeVar("A")
# A piece of work on one connection, and whether its transaction is to be committed.
SyncWork = Callable[[sqlite3.Connection, A], tuple[T, bool]]
DriverWork = Callable[[Any, A], Awaitable[tuple[T, bool]]]


class AlreadyProcessed(Exception):
    """The update being handled is not this worker's to finish any more (handled already, or
    its lease ran out and another worker took it over): its first write is undone."""


class WrittenMeanwhile(Exception):
    """A unique key refused what the unit of work wrote: a concurrent writer recorded the same
    thing first (one webhook event delivered twice at once). The unit of work is rolled back."""


@dataclass(frozen=True, slots=True)
class HeldCall:
    """A call to the chat platform (a message sent, edited, a button's answer) made by an
    update's handlers after its first write: kept with that write and made once it commits."""

    method: str
    # As the platform's HTTP API takes them: each value a string.
    parameters: dict[str, str]


def held_calls_json(calls: list[HeldCall]) -> str:
    return json.dumps([[call.method, call.parameters] for call in calls], ensure_ascii=False)


def held_calls_from_json(kept: str | None) -> list[HeldCall]:
    return [HeldCall(method, parameters) for method, parameters in json.loads(kept or "[]")]


@dataclass
class _Delivery:
    # The update's row in the inbox, and the worker whose lease holds it.
    inbox_id: int
    update_id: int
    worker: str
    at: Callable[[], datetime]
    # Whether a failure the next attempt may not meet is left to that attempt.
    may_retry: bool = False
    recorded: bool = False
    retry_for: BaseException | None = None
    # Units of work that ended since the handlers began (see ``handlers_begin``), and how many
    # of them committed writes: an update's use case is one of each at most, or a crash
    # between two could leave it half done with its delivery recorded.
    units: int = 0
    writes: int = 0
    # Units that ended after a write had committed: what the answer shows should come from
    # the use case's own unit, not from a read of a state the update may not have left.
    after_write: int = 0
    # The unit of work of the first write, its transaction held open until the update ends
    # (``Database.end_update``), and the calls the handlers made to answer since then: they
    # commit with that write, and are made once it has committed. Units of work opened
    # meanwhile join its transaction.
    parked: UnitOfWork | None = None
    held: list[HeldCall] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class UpdateEnd:
    """What the last transaction of an update's handling writes: the update done (unless its
    first write marked it) and finished, and its person's state when it has a person."""

    inbox_id: int
    update_id: int
    worker: str
    at: datetime
    person: int | None = None
    user_data: str = "{}"
    flows: str = "{}"
    flows_expire_at: datetime | None = None
    # Until when its worker holds it to send the answers held with it, if any.
    lease_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class UnitsOfWork:
    """How one update was handled: its id and the units of work its handlers ran."""

    update_id: int
    units: int
    writes: int
    after_write: int


_delivery: ContextVar[_Delivery | None] = ContextVar("parkshare_delivery", default=None)


def record_delivery_with_first_write(
    inbox_id: int,
    update_id: int,
    worker: str,
    at: Callable[[], datetime],
    *,
    may_retry: bool = False,
) -> None:
    """From here on in this context (one update's handling), the first unit of work that
    writes also marks the inbox's update done, in its own transaction: if the update is not
    ``worker``'s to finish any more, that unit of work rolls back and raises
    ``AlreadyProcessed``. That transaction is not committed when the unit of work ends but
    with the update's end (``Database.end_update``), with the calls its handlers made to
    answer (``held_calls``), so that a worker stopping anywhere leaves either nothing done or
    the update done with its answers kept. ``may_retry`` says whether a transient failure may
    be left to a later attempt (see ``leave_to_retry``)."""
    _delivery.set(_Delivery(inbox_id, update_id, worker, at, may_retry=may_retry))


def end_of_delivery() -> None:
    """The update being handled in this context is over: units of work from here on (the
    worker recording its failure) record nothing for it."""
    _delivery.set(None)


def _parked_session() -> AsyncSession | None:
    """The session of the update's first write while it waits for the update's end: reads on
    PostgreSQL run on its connection, so that an update holds one pooled connection at most
    (the pools are sized so) and reads what it wrote."""
    delivery = _delivery.get()
    return delivery.parked.session if delivery is not None and delivery.parked else None


def held_calls() -> list[HeldCall] | None:
    """Where the calls made to answer the update being handled go while its first write waits
    for the update's end; None when they are to be made at once (outside an update, or before
    its first write)."""
    delivery = _delivery.get()
    return delivery.held if delivery is not None and delivery.parked is not None else None


def taken_held_calls() -> list[HeldCall]:
    """The calls the update being handled made after its first write, now that it has ended."""
    delivery = _delivery.get()
    if delivery is None:
        return []
    held, delivery.held = delivery.held, []
    return held


async def discard_parked_write() -> None:
    """The update being handled ended without its end being kept (its handling failed, its
    end could not be written): its first write is rolled back, and its held calls dropped."""
    delivery = _delivery.get()
    if delivery is None or delivery.parked is None:
        return
    parked, delivery.parked = delivery.parked, None
    delivery.held = []
    delivery.recorded = False
    await parked.end_parked(commit=False)


def delivery_recorded() -> bool:
    """Whether the update being handled in this context is marked done already."""
    delivery = _delivery.get()
    return delivery is not None and delivery.recorded


def leave_to_retry(error: BaseException) -> bool:
    """A transient ``error`` met while handling an update: True when a later attempt will
    handle the update afresh (nothing of it was committed, and attempts remain), so that
    nobody is told of the failure now; False when this attempt must answer for it."""
    delivery = _delivery.get()
    if delivery is None or delivery.recorded or not delivery.may_retry:
        return False
    delivery.retry_for = error
    return True


def retry_asked_for() -> BaseException | None:
    """The transient failure the update being handled left to a later attempt, if any."""
    delivery = _delivery.get()
    return None if delivery is None else delivery.retry_for


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


class WriterTurn:
    """SQLite's writers in one process take turns here, first come first served, rather than
    at the file's lock, where a writer that finds it taken sleeps and polls (for up to 100 ms
    at a time): with a handful of updates writing at once, those sleeps were most of their
    time. A unit of work opened inside another of the same task does not wait for itself."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    async def take(self) -> bool:
        """Whether the turn was taken (and must be given back)."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            return False
        await self._lock.acquire()
        self._holder = task
        return True

    def give_back(self) -> None:
        self._holder = None
        self._lock.release()


class UnitOfWork:
    """Opens a session; commits when the block ends normally, rolls back when it raises.
    Repositories never commit on their own."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        writes: bool = True,
        counted: bool = True,
        turn: WriterTurn | None = None,
    ) -> None:
        self._sessions = sessions
        self._writes = writes
        self._counted = counted
        self._turn = turn
        self._has_turn = False
        # The last unit of an update's handling: marking it done also says its worker is done.
        self.finishes_update = False
        self.session: AsyncSession
        # Opened while the update's first write waits for its end: a savepoint of that write's
        # transaction.
        self._within: AsyncSessionTransaction | None = None

    async def __aenter__(self) -> Self:
        delivery = _delivery.get()
        parked = delivery.parked if delivery is not None else None
        if parked is not None:
            self.session = parked.session
            self._within = await self.session.begin_nested()
        else:
            if self._turn is not None:
                self._has_turn = await self._turn.take()
            self.session = self._sessions()
        self.people = People(self.session)
        self.spots = Spots(self.session)
        self.bookings = Bookings(self.session)
        self.ledger = Ledger(self.session)
        self.payments = Payments(self.session)
        self.person_states = PersonStates(self.session)
        self.inbox = Inbox(self.session)
        self.saved_searches = SavedSearches(self.session)
        self.free_times = FreeTimes(self.session)
        self.trust = Trust(self.session)
        self.operators = Operators(self.session)
        self.audit = AuditReads(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._within is not None:
            await self._end_within(exc_type is None, exc)
            return
        committed = parked = False
        try:
            if exc_type is None:
                delivery = _delivery.get() if self._writes else None
                try:
                    if delivery is not None and not delivery.recorded:
                        await self._record(delivery)
                        if not self.finishes_update:
                            await self._keep_free_time()
                            await self.session.flush()
                            delivery.parked, delivery.recorded = self, True
                            parked = committed = True
                            return
                    await self._keep_free_time()
                    await self.session.commit()
                    if delivery is not None:
                        delivery.recorded = True
                except StaleDataError:
                    # A booking's conditional UPDATE matched nothing: someone changed it first.
                    await self.session.rollback()
                    raise StaleBooking("a booking changed while this was decided") from None
                except IntegrityError as error:
                    await self.session.rollback()
                    raise WrittenMeanwhile(str(error.orig)) from error
                committed = True
            else:
                await self.session.rollback()
                if isinstance(exc, IntegrityError):
                    raise WrittenMeanwhile(str(exc.orig)) from exc
        finally:
            if not parked:
                await self._close()
            if self._counted:
                _count_unit(wrote=committed and self._writes)

    async def _close(self) -> None:
        try:
            await self.session.close()
        finally:  # cancelled while closing, the turn still goes back
            if self._has_turn:
                assert self._turn is not None
                self._turn.give_back()
                self._has_turn = False

    async def _end_within(self, succeeded: bool, exc: BaseException | None) -> None:
        """A unit of work opened while the update's first write waits: its writes stand or
        fall as a savepoint, and commit with that write."""
        assert self._within is not None
        wrote = False
        try:
            if succeeded:
                try:
                    await self._keep_free_time()
                    await self.session.flush()
                except StaleDataError:
                    await self._within.rollback()
                    raise StaleBooking("a booking changed while this was decided") from None
                except IntegrityError as error:
                    await self._within.rollback()
                    raise WrittenMeanwhile(str(error.orig)) from error
                except BaseException:
                    await self._within.rollback()
                    raise
                await self._within.commit()
                wrote = self._writes
            else:
                await self._within.rollback()
                if isinstance(exc, IntegrityError):
                    raise WrittenMeanwhile(str(exc.orig)) from exc
        finally:
            if self._counted:
                _count_unit(wrote=wrote)

    async def end_parked(self, *, commit: bool, writes: Sequence[statements.Bound] = ()) -> bool:
        """The update whose first write this unit of work made has ended: ``writes`` (the
        first a compare-and-set) join that write, and all commit, or nothing does. False when
        the compare-and-set matched nothing."""
        try:
            if not commit:
                await self.session.rollback()
                return False
            first, *rest = writes
            changed = cast(CursorResult[Any], await self.session.execute(*first)).rowcount
            if changed == 1:
                for write in rest:
                    await self.session.execute(*write)
                await self.session.commit()
                return True
            await self.session.rollback()
            return False
        except BaseException:
            await self.session.rollback()
            raise
        finally:
            await self._close()

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
        finished = await self.inbox.finish(
            delivery.inbox_id, delivery.worker, InboxState.DONE, delivery.at(),
            worker_done=self.finishes_update,
        )  # fmt: skip
        if not finished:
            await self.session.rollback()
            raise AlreadyProcessed(f"update {delivery.update_id}")


# How long a pooled connection is held for the next read or light write (``_HeldConnection``):
# in a busy bot the next comes within milliseconds; in a quiet one the next lease gives the
# connection back to the pool, which tests it first.
HOLD_CONNECTION_S = 1.0


class Database:
    """The application's handle on its store: hands out units of work, and runs hot read-only
    queries (search) by the fastest path each store offers."""

    def __init__(
        self, bind: AsyncEngine | AsyncConnection, *, hold_connection_s: float = HOLD_CONNECTION_S
    ) -> None:
        self.bind = bind
        self._held = _HeldConnection(hold_connection_s)
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
        self._health_engine: AsyncEngine | None = None
        self._sync_writer: Engine | None = None
        self._writer_turn = (
            WriterTurn()
            if isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite"
            else None
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, turn=self._writer_turn)

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
        transaction: outside an update no transaction is held open across the network, and a
        crash before this one loses nothing the gateway would not answer again (each call has
        its own idempotency key, and the sweeps reconcile). Within an update after its first
        write, it joins that write's transaction, which commits with the update's answers (a
        payment page's link among them). Not counted as the update's use case."""
        return UnitOfWork(self._sessions, counted=False, turn=self._writer_turn)

    def finishing_update(self) -> UnitOfWork:
        """The last unit of work of an update's handling, which keeps what the front end
        remembers of the person and marks the update done unless a write did already; not
        counted as the update's use case."""
        unit = UnitOfWork(self._sessions, counted=False, turn=self._writer_turn)
        unit.finishes_update = True
        return unit

    async def end_update(self, end: UpdateEnd) -> None:
        """The last transaction of an update's handling (see ``UpdateEnd``); raises
        ``AlreadyProcessed`` when the update is not ``end.worker``'s to finish any more. On an
        SQLite file it runs through the standard library's driver in one hop to a thread, its
        writers' turn taken as every unit of work takes it; on PostgreSQL straight through
        asyncpg. Either costs a fraction of a unit of work's machinery."""
        delivery = _delivery.get()
        if delivery is not None and delivery.parked is not None:
            await self._end_parked_update(delivery, delivery.parked, end)
            return
        recorded = delivery_recorded()
        writes = [statements.stamp_finished(end.inbox_id, end.worker, end.at) if recorded
                  else statements.mark_done(end.inbox_id, end.worker, end.at)]  # fmt: skip
        writes.extend(self._person_state_writes(end))
        if not self._has_light_path:
            async with self.finishing_update() as uow:
                # Not recorded yet, marking it done as this unit of work ends says so.
                if recorded and not await uow.inbox.stamp_finished(
                    end.inbox_id, end.worker, end.at
                ):
                    raise AlreadyProcessed(f"update {end.update_id}")
                for write in writes[1:]:
                    await uow.session.execute(*write)
            return
        if not await self._lightly(_write_all_or_none, _write_all_or_none_asyncpg, writes):
            raise AlreadyProcessed(f"update {end.update_id}")
        if delivery is not None:
            delivery.recorded = True

    async def _end_parked_update(
        self, delivery: _Delivery, parked: UnitOfWork, end: UpdateEnd
    ) -> None:
        """The update's first write commits, with its person's state and the answers its
        handlers held; with none held, its worker is done with it."""
        held = delivery.held
        first = (
            statements.hold_answers(
                end.inbox_id, end.worker, held_calls_json(held), end.lease_until or end.at
            )
            if held
            else statements.stamp_finished(end.inbox_id, end.worker, end.at)
        )
        delivery.parked = None
        try:
            if not await parked.end_parked(
                commit=True, writes=[first, *self._person_state_writes(end)]
            ):
                raise AlreadyProcessed(f"update {end.update_id}")
        except BaseException:
            delivery.held, delivery.recorded = [], False
            raise

    def _person_state_writes(self, end: UpdateEnd) -> list[statements.Bound]:
        if end.person is None:
            return []
        return [statements.put_person_state(
            self.dialect, end.person, end.user_data, end.flows, end.flows_expire_at
        )]  # fmt: skip

    async def finish_answered(self, inbox_id: int, worker: str, at: datetime) -> bool:
        """``worker`` has made the calls its update held: it is finished. False when another
        worker took them over meanwhile."""
        return await self._set_on_inbox(statements.stamp_finished(inbox_id, worker, at))

    async def hold_remaining(
        self, inbox_id: int, worker: str, calls: list[HeldCall], at: datetime
    ) -> bool:
        """The calls ``worker`` could not make yet (Telegram unreachable), left from ``at`` to
        whoever takes the update over."""
        return await self._set_on_inbox(
            statements.hold_answers(inbox_id, worker, held_calls_json(calls), at)
        )

    async def _set_on_inbox(self, write: statements.Bound) -> bool:
        """One compare-and-set on the inbox, by the light path where the store has one."""
        if not self._has_light_path:
            async with self.finishing_update() as uow:
                result = await uow.session.execute(*write)
                return cast(CursorResult[Any], result).rowcount == 1
        return await self._lightly(_write_all_or_none, _write_all_or_none_asyncpg, [write])

    async def claim_updates(
        self, worker: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedUpdate]:
        """``Inbox.claim`` by the same light paths as ``end_update``: a worker claims a few
        times for every handful of updates."""
        if not self._has_light_path:
            async with self.unit_of_work() as uow:
                return await uow.inbox.claim(worker, now, lease_until, limit)
        claim = statements.claim(worker, now, lease_until, limit)
        return claimed_updates(await self._lightly(_fetch_all, _claim_asyncpg, claim), lease_until)

    async def keep_updates(self, keeps: list[statements.Bound]) -> int:
        """Keep updates (``inbox_statements.keep``) in one transaction, by the same light paths
        as ``end_update``; how many were new. On PostgreSQL, workers elsewhere hear of new ones
        as it commits."""
        if self._has_light_path:
            # Telegram hears they were received once this commits.
            return await self._lightly(_count_kept, _count_kept_asyncpg, keeps, durable=True)
        async with self.unit_of_work() as uow:
            new = sum([(await uow.session.execute(*keep)).first() is not None for keep in keeps])
            if new:
                await uow.inbox.announce()
            return new

    @property
    def _has_light_path(self) -> bool:
        """Whether the store takes the inbox's writes by a path lighter than a unit of work:
        an SQLite file, or PostgreSQL (not a test's connection, whose transaction is its own)."""
        return isinstance(self.bind, AsyncEngine) and (
            self._writer_turn is not None or self.dialect == "postgresql"
        )

    async def _lightly(
        self,
        on_sqlite_file: SyncWork[A, T],
        on_asyncpg: DriverWork[A, T],
        argument: A,
        *,
        durable: bool = False,
    ) -> T:
        if self._writer_turn is not None:
            return await self._on_sqlite_file(on_sqlite_file, argument, durable)
        return await self._on_asyncpg(on_asyncpg, argument)

    async def _on_sqlite_file(self, work: SyncWork[A, T], argument: A, durable: bool) -> T:
        """``work`` in one transaction of the SQLite file's synchronous writer, in one hop to a
        thread, with the writers' turn (``_in_transaction``)."""
        assert isinstance(self.bind, AsyncEngine)
        assert self._writer_turn is not None
        took_turn = await self._writer_turn.take()
        try:
            writer = self._sync_writer_of(self.bind)
            return await asyncio.to_thread(_in_transaction, writer, work, argument, durable)
        finally:
            if took_turn:
                self._writer_turn.give_back()

    async def _on_asyncpg(self, work: DriverWork[A, T], argument: A) -> T:
        """``work`` on a pooled connection's asyncpg connection, in a transaction of its own."""
        assert isinstance(self.bind, AsyncEngine)
        async with _pooled_driver(self.bind, self._held) as pooled:
            transaction = pooled.driver.transaction()
            await transaction.start()
            try:
                result, keep = await work(pooled.driver, argument)
            except BaseException:
                try:
                    await transaction.rollback()
                except Exception:
                    pooled.broken = True
                raise
            await (transaction.commit() if keep else transaction.rollback())
            return result

    def _sync_writer_of(self, engine: AsyncEngine) -> Engine:
        if self._sync_writer is None:
            self._sync_writer = create_sync_writer(engine.url)
        return self._sync_writer

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
        if (parked := _parked_session()) is not None:
            return await parked.run_sync(query)
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
        if (parked := _parked_session()) is not None:
            return await driver_reads.fetch(await parked.connection(), statement, parameters)
        if isinstance(self.bind, AsyncEngine):
            async with _pooled_driver(self.bind, self._held) as pooled:
                return await driver_reads.fetch_on_driver(pooled.driver, statement, parameters)
        return await driver_reads.fetch(self.bind, statement, parameters)

    def _read_rows_sync(
        self, engine: AsyncEngine, statement: DriverStatement, parameters: Mapping[str, Any]
    ) -> driver_reads.Rows:
        pooled = self._sync_engine_of(engine).raw_connection()
        try:
            return driver_reads.fetch_sync(pooled.driver_connection, statement, parameters)
        finally:
            pooled.close()

    async def ping(self) -> None:
        """Ask the server something on a connection of its own, outside the pool, so that a
        health check never waits behind the updates holding every pooled connection."""
        if not isinstance(self.bind, AsyncEngine):
            await self.bind.execute(text("SELECT 1"))
            return
        if self._health_engine is None:
            self._health_engine = create_engine(self.bind.url, poolclass=NullPool)
        # Read-only: on SQLite it does not wait for the write lock either.
        async with read_only(self._health_engine).connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def discard_connections(self) -> None:
        """Open fresh connections from now on: after the server went away, pooled ones may be
        dead, or left mid-protocol by the driver, and each would fail one more attempt."""
        if isinstance(self.bind, AsyncEngine):
            await self._held.release(broken=True)
            await self.bind.dispose(close=False)

    async def close(self) -> None:
        await self._held.release(closing=True)
        if self._health_engine is not None:
            await self._health_engine.dispose()
            self._health_engine = None
        if isinstance(self.bind, AsyncEngine):
            await self.bind.dispose()
        if self._sync_engine is not None:
            self._sync_engine.dispose()
            self._sync_engine = None
        if self._sync_writer is not None:
            self._sync_writer.dispose()
            self._sync_writer = None


@dataclass(slots=True)
class _PooledDriver:
    driver: Any  # asyncpg's connection
    # What the driver met may have broken the connection: the pool must not hand it out again.
    broken: bool = False


@contextlib.asynccontextmanager
async def _pooled_driver(
    engine: AsyncEngine, holder: _HeldConnection | None = None
) -> AsyncIterator[_PooledDriver]:
    """A pooled connection's asyncpg connection, without SQLAlchemy's connection objects around
    it, which cost twice the checkout itself. The pool knows nothing of what the driver meets,
    so any error but the server's refusal of a statement retires the connection: a server
    shutting down or a connection lost is a ``PostgresError`` too, raised while the connection
    still waits for the rest of the server's answer, and handed out again it would refuse
    every statement ("another operation is in progress")."""
    # The pool the connection goes back to, even if the engine has a new one by then
    # (``discard_connections``); read before the checkout, which takes from it at once.
    pool = engine.sync_engine.pool
    pooled = None if holder is None else await holder.take(pool)
    if pooled is None:
        pool = engine.sync_engine.pool  # a new one, if discarded while ``take`` gave one back
        pooled = await engine.raw_connection()
    lease = _PooledDriver(pooled.driver_connection)
    try:
        yield lease
    except BaseException as error:
        if not _refused_statement(error) or lease.driver.is_closed():
            lease.broken = True
        raise
    finally:
        if lease.broken or holder is None or not holder.keep(pooled, pool, engine):
            if lease.broken or not _has_room(pool):
                await _to_completion(_give_back(pooled, broken=lease.broken))
            else:
                await greenlet_spawn(pooled.close)


@dataclass(frozen=True, slots=True)
class _Held:
    pooled: PoolProxiedConnection
    pool: Pool
    idle_since: float


class _HeldConnection:
    """The pooled connection the last read or light write used, held for the next one: reads
    back to back (a search, the inbox's light paths) then skip the pool's checkout and checkin,
    two hops into SQLAlchemy's greenlet that cost a search a tenth of a millisecond.

    Held only while another connection is at hand or may be opened within the pool's size, and
    never one past that size, so that no one waits on the pool for it (the engine's pool counts
    one more for it, ``core.db.engine``). Held longer than ``hold_s``, it goes back at the next
    lease with the time it has lain idle, and the pool tests it before handing it out again, as
    any idle connection."""

    def __init__(self, hold_s: float) -> None:
        self._hold_s = hold_s
        self._held: _Held | None = None
        self._closed = False

    async def take(self, pool: Pool) -> PoolProxiedConnection | None:
        held, self._held = self._held, None
        if held is None:
            return None
        fresh = time.monotonic() - held.idle_since < self._hold_s
        if held.pool is pool and fresh and held.pooled.is_valid:
            return held.pooled
        await self._give_back(held)
        return None

    def keep(self, pooled: PoolProxiedConnection, pool: Pool, engine: AsyncEngine) -> bool:
        """Whether ``pooled`` is held for the next lease: only one, only of the engine's current
        pool (not one ``Database.discard_connections`` left behind) and not while closing."""
        if self._held is not None or self._closed or pool is not engine.sync_engine.pool:
            return False
        if not isinstance(pool, QueuePool) or pool.overflow() > 0:
            return False  # past the pool's size: the pool closes it when it comes back
        if pool.checkedin() < 1 and pool.overflow() == 0:
            return False  # no other at hand, nor room to open one within the pool's size
        self._held = _Held(pooled, pool, time.monotonic())
        return True

    async def release(self, *, broken: bool = False, closing: bool = False) -> None:
        """Give the held connection back; ``broken`` when it may be dead (the server went
        away), so that the pool closes it rather than keeping it; ``closing`` when none is to
        be held again."""
        self._closed = self._closed or closing
        held, self._held = self._held, None
        if held is not None:
            await self._give_back(held, broken=broken)

    @staticmethod
    async def _give_back(held: _Held, *, broken: bool = False) -> None:
        held.pooled.info[IDLE_SINCE] = held.idle_since
        await _to_completion(_give_back(held.pooled, broken=broken))


def _has_room(pool: Pool) -> bool:
    """Whether ``pool`` keeps a connection given back now. A healthy one then goes back
    without waiting for anything (the pool has no transaction of its own to roll back on it),
    so no cancellation can stop it halfway and it needs no task of its own, which costs as
    much as the checkout itself. One the pool would close instead waits for the server."""
    if not isinstance(pool, QueuePool):
        return False
    return pool.size() == 0 or pool.checkedin() < pool.size()


def _refused_statement(error: BaseException) -> bool:
    """The server refused a statement and the connection is fit for the next one."""
    return isinstance(error, postgres_errors.PostgresError) and not isinstance(
        error,
        postgres_errors.PostgresConnectionError | postgres_errors.OperatorInterventionError,
    )


async def _give_back(pooled: PoolProxiedConnection, *, broken: bool) -> None:
    try:
        if broken:
            await greenlet_spawn(pooled.invalidate)
    finally:
        await greenlet_spawn(pooled.close)


async def _to_completion(cleanup: Awaitable[None]) -> None:
    """``cleanup`` run to its end even if the task awaiting it is cancelled meanwhile, and the
    cancellation raised after it: a connection left halfway would reach the pool only through
    the garbage collector."""
    task = asyncio.ensure_future(cleanup)
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError as error:
            if task.done():
                raise
            cancelled = error
        else:
            break
    if cancelled is not None:
        raise cancelled


def _in_transaction(writer: Engine, work: SyncWork[A, T], argument: A, durable: bool) -> T:
    """``work`` in one transaction on the writer's sqlite3 connection, straight through the
    driver: SQLAlchemy's execution cost twice the statements' own time. Its errors come out as
    SQLAlchemy's, as a unit of work's would (``bot.transient`` tells which to try again). A
    ``durable`` one waits for the disk as it commits: in WAL, SQLite's NORMAL may lose the last
    commits to a power loss, which the store's other transactions accept."""
    pooled = writer.raw_connection()
    try:
        driver = cast(sqlite3.Connection, pooled.driver_connection)
        try:
            driver.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            return _committed(driver, work, argument)
        except sqlite3.Error as error:
            invalidated = writer.dialect.is_disconnect(cast(Any, error), None, None)
            if invalidated:
                pooled.invalidate()
            raise DBAPIError.instance(
                None, None, error, sqlite3.Error, connection_invalidated=invalidated
            ) from error
    finally:
        pooled.close()


def _committed(driver: sqlite3.Connection, work: SyncWork[A, T], argument: A) -> T:
    driver.execute("BEGIN IMMEDIATE")
    try:
        result, keep = work(driver, argument)
        driver.execute("COMMIT" if keep else "ROLLBACK")
    except BaseException:
        if driver.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                driver.execute("ROLLBACK")
        raise
    return result


def _on_sqlite(driver: sqlite3.Connection, bound: statements.Bound) -> sqlite3.Cursor:
    compiled = _compiled(bound.statement, "sqlite")
    return driver.execute(compiled.text, compiled.arguments(bound.parameters))


def _write_all_or_none(
    driver: sqlite3.Connection, writes: list[statements.Bound]
) -> tuple[bool, bool]:
    """Each write, the first a compare-and-set: False (and nothing written) when it fails."""
    first, *rest = writes
    if _on_sqlite(driver, first).rowcount != 1:
        return False, False
    for write in rest:
        _on_sqlite(driver, write)
    return True, True


async def _write_all_or_none_asyncpg(
    driver: Any, writes: list[statements.Bound]
) -> tuple[bool, bool]:
    first, *rest = writes
    status: str = await driver.execute(*_for_asyncpg(first))
    if status != "UPDATE 1":
        return False, False
    for write in rest:
        await driver.execute(*_for_asyncpg(write))
    return True, True


def _count_kept(driver: sqlite3.Connection, keeps: list[statements.Bound]) -> tuple[int, bool]:
    new = sum(bool(_on_sqlite(driver, keep).fetchall()) for keep in keeps)
    return new, True


async def _count_kept_asyncpg(driver: Any, keeps: list[statements.Bound]) -> tuple[int, bool]:
    new = 0
    for keep in keeps:
        new += await driver.fetchval(*_for_asyncpg(keep)) is not None
    if new:
        await driver.execute(statements.ANNOUNCE)
    return new, True


def _fetch_all(driver: sqlite3.Connection, bound: statements.Bound) -> tuple[list[Any], bool]:
    return _on_sqlite(driver, bound).fetchall(), True


async def _claim_asyncpg(driver: Any, claim: statements.Bound) -> tuple[list[Any], bool]:
    await driver.execute(statements.CLAIM_PLAN_SETTING)
    rows: list[Any] = await driver.fetch(*_for_asyncpg(claim))
    return rows, True


def _for_asyncpg(bound: statements.Bound) -> tuple[Any, ...]:
    compiled = _compiled(bound.statement, "postgresql")
    return (compiled.text, *compiled.arguments(bound.parameters))


@functools.cache
def _compiled(statement: Executable, dialect: str) -> DriverStatement:
    """An inbox statement compiled for the light paths' driver, once."""
    return DriverStatement.compile(cast(ClauseElement, statement), dialect)
