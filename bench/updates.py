"""How many updates a second the bot answers, against python-telegram-bot's own floor.

Synthetic updates go through a real ``Application`` whose request object answers like the Bot
API, in process (no network): once to a bare echo handler, the framework's floor, and once to
the bot that ``bot.app`` builds, as drivers sharing their location in a city of ``--spots``
spots (``bench.city``). Every driver sends one untimed message first (to the bot, /start
before it); the timed updates are then handed to the application's update processor all at once, as
its update fetcher would, and the replies are checked to be search results. The bot's batch ends
with the write of what changed for each person (its drafts), which python-telegram-bot makes
every few seconds. Besides updates a second, it prints the CPU time each update costs the
process (every thread of it: SQLite's driver runs in threads, the search too) and the event
loop's thread alone, the whole update from parsing it to sending the reply. A third batch
answers each search with one the warm-up recorded, without asking the store: what a location
share costs outside the search. A fourth sends text messages that an echo handler placed
before all of the bot's answers: the floor of an update that goes the bot's whole way (kept,
claimed, its person's state read and written, finished) and does nothing else.

    python -m bench.updates                               # 2,400 updates over 100,000 spots
    python -m bench.updates --updates 200 --spots 2000    # what CI runs
    python -m bench.updates --profile flow.prof           # and cProfile's view of the flow
    python -m bench.updates --workers 2 --store postgresql  # 1, then 2 worker processes

cProfile sees the event loop's thread only; ``py-spy record --gil`` sees the read threads too.

With ``--workers N`` the location shares are handled instead by worker processes, as
``parkshare serve --workers N`` runs them: first by one, then by N, each process building the
bot as this bench does and running its inbox worker. This process keeps each batch in the
inbox and times it until the inbox holds no update waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import json
import multiprocessing
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseRateLimiter,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

import bot.handlers.search
from bench.city import Box, build_city
from bench.stores import fresh_database, fresh_url
from bot.app import build_application
from bot.edge import ParkShareApplication
from bot.inbox import bot_id_of, keep_updates
from core.clock import FixedClock
from core.db.models import InboxState
from core.db.uow import Database
from core.services.search import SearchResult
from core.settings import load_settings

TOKEN = "123456789:bench-updates"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "ParkShare", "username": "bench_bot"}
DRIVER_ID_BASE = 7_000_000_000
# The demo city's nine kilometres around Berlin's centre, ten times denser than the search
# bench's 50 km square at a million spots.
CITY = Box(side_km=9.0)
# A Wednesday morning in Berlin: most of the demo city's weekly patterns are open then.
NOW = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)
RESULTS_HEADER = "Free spots near you"
UPDATES_A_POLL = 100

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class BotApi(BaseRequest):
    """Answers every call the way the Bot API would, and remembers what the bot sent."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.texts: list[str] = []
        self._message_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def forget(self) -> None:
        self.calls.clear()
        self.texts.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        parameters = request_data.parameters if request_data else {}
        self.calls[endpoint] += 1
        return 200, json.dumps({"ok": True, "result": self._result(endpoint, parameters)}).encode()

    def _result(self, endpoint: str, parameters: dict[str, Any]) -> object:
        if endpoint == "getMe":
            return BOT_USER
        if endpoint not in ("sendMessage", "editMessageText"):
            return True  # chat actions, menus, answered button presses
        text = str(parameters.get("text", ""))
        if endpoint == "sendMessage":
            self.texts.append(text)
        chat_id = int(parameters["chat_id"])
        message: dict[str, Any] = {
            "message_id": parameters.get("message_id") or next(self._message_ids),
            "date": int(NOW.timestamp()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": text,
        }
        if "reply_markup" in parameters:
            message["reply_markup"] = parameters["reply_markup"]
        return message


class NoRateLimit(BaseRateLimiter[None]):
    """Both cases run unthrottled: the bot's AIORateLimiter keeps it under Telegram's 30
    messages a second, which would measure that limit instead of the code."""

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Any:
        return await callback(*args, **kwargs)


def message(update_id: int, driver: int, **content: Any) -> dict[str, Any]:
    person = {"id": DRIVER_ID_BASE + driver, "first_name": f"Driver {driver}"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(NOW.timestamp()),
            "chat": {**person, "type": "private"},
            "from": {**person, "is_bot": False, "language_code": "en"},
            **content,
        },
    }


def start(update_id: int, driver: int) -> dict[str, Any]:
    command = [{"type": "bot_command", "offset": 0, "length": 6}]
    return message(update_id, driver, text="/start", entities=command)


def shared_location(update_id: int, driver: int, rng: random.Random) -> dict[str, Any]:
    lat, lon = CITY.random_point(rng).to_latlon()
    return message(update_id, driver, location={"latitude": lat, "longitude": lon})


@dataclass(frozen=True)
class Timing:
    """What handling a batch of updates took: time on the clock, and the process's CPU time."""

    updates: int
    seconds: float
    cpu_seconds: float
    # The thread that runs the event loop: parsing, handlers, replies; not the store's threads.
    loop_cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms_each(self) -> float:
        return 1000 * self.cpu_seconds / self.updates

    @property
    def loop_cpu_ms_each(self) -> float:
        return 1000 * self.loop_cpu_seconds / self.updates


@contextmanager
def timed(count: int, profiler: cProfile.Profile | None = None) -> Iterator[list[Timing]]:
    """The block's timing, in the list yielded once the block ends."""
    timing: list[Timing] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    loop_cpu_started = time.thread_time()
    if profiler is not None:
        profiler.enable()
    yield timing
    if profiler is not None:
        profiler.disable()
    timing.append(Timing(
        count,
        time.perf_counter() - started,
        time.process_time() - cpu_started,
        time.thread_time() - loop_cpu_started,
    ))  # fmt: skip


async def feed(
    application: AnyApplication,
    updates: list[dict[str, Any]],
    profiler: cProfile.Profile | None = None,
) -> Timing:
    """python-telegram-bot's own way: the updates handed to its update processor at once, as
    its update fetcher does."""
    processor = application.update_processor
    with timed(len(updates), profiler) as timing:
        parsed = [Update.de_json(data, application.bot) for data in updates]
        await asyncio.gather(*(
            processor.process_update(update, application.process_update(update))
            for update in parsed
        ))  # fmt: skip
    return timing[0]


async def feed_the_inbox(
    application: ParkShareApplication,
    updates: list[dict[str, Any]],
    profiler: cProfile.Profile | None = None,
) -> Timing:
    """The bot's way: the updates kept in the inbox a hundred at a time, as polls bring them
    (Telegram's most, and ``getUpdates``' default), and timed until its worker has finished
    every one."""
    finished = asyncio.Event()
    left = len(updates)

    def one_finished(_update_id: int) -> None:
        nonlocal left
        left -= 1
        if not left:
            finished.set()

    application.worker.observers.append(one_finished)
    try:
        with timed(len(updates), profiler) as timing:
            parsed = [Update.de_json(data, application.bot) for data in updates]
            bodies = [json.dumps(data) for data in updates]
            database = application.bot_data.database
            assert database is not None
            for first in range(0, len(parsed), UPDATES_A_POLL):
                polled = parsed[first : first + UPDATES_A_POLL]
                bodies_polled = bodies[first : first + UPDATES_A_POLL]
                with application.worker.handing_over(polled):  # as the poller does
                    await keep_updates(database, bot_id_of(application.bot), polled, bodies_polled)
            await finished.wait()
    finally:
        application.worker.observers.remove(one_finished)
    return timing[0]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    # Registered for text messages only.
    assert message is not None
    assert message.text is not None
    await message.reply_text(message.text)


async def echo_first(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The echo, and none of the bot's own handlers after it."""
    await echo(update, context)
    raise ApplicationHandlerStop


def echo_application(api: BotApi) -> AnyApplication:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(api)
        .get_updates_request(BotApi())
        .rate_limiter(NoRateLimit())
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=None))
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


async def echo_floor(drivers: int, count: int) -> Timing:
    api = BotApi()
    application = echo_application(api)
    texts = [message(n, n % drivers, text=f"hello {n}") for n in range(count + drivers)]
    await application.initialize()
    try:
        await feed(application, texts[:drivers])
        api.forget()
        timing = await feed(application, texts[drivers:])
    finally:
        await application.shutdown()
    if api.calls["sendMessage"] != count:
        raise SystemExit(f"echo: {api.calls['sendMessage']} replies to {count} messages")
    return timing


class RecordedSearches:
    """Stands in for the search where the bot's handler calls it: first passing searches on to
    it and keeping what they answer, then answering with those again in turn, without the
    store, so that a batch measures what a location share costs outside the search."""

    def __init__(self) -> None:
        self.search = bot.handlers.search.nearest_free
        self.answers: list[SearchResult] = []

    @contextmanager
    def recording(self) -> Iterator[None]:
        async def record(*args: Any, **kwargs: Any) -> SearchResult:
            answer = await self.search(*args, **kwargs)
            self.answers.append(answer)
            return answer

        with self._in_place_of_search(record):
            yield

    @contextmanager
    def replaying(self) -> Iterator[None]:
        answers = itertools.cycle(self.answers)

        async def replay(*args: Any, **kwargs: Any) -> SearchResult:
            return next(answers)

        with self._in_place_of_search(replay):
            yield

    @contextmanager
    def _in_place_of_search(self, stand_in: Callable[..., Any]) -> Iterator[None]:
        bot.handlers.search.nearest_free = stand_in  # type: ignore[assignment]
        try:
            yield
        finally:
            bot.handlers.search.nearest_free = self.search


def search_application(database: Database, api: BotApi, backlog: int) -> ParkShareApplication:
    url = database.bind.engine.url.render_as_string(hide_password=False)
    # The burst arrives at once, more a person than anyone types: flood control would drop
    # most of it, and this measures throughput, not that.
    settings = load_settings(
        _env_file=None, database_url=url, geocoder_url="", flood_backlog=backlog
    )
    return build_application(
        settings,
        token=TOKEN,
        database=database,
        clock=FixedClock(NOW),
        request=api,
        get_updates_request=BotApi(),
        rate_limiter=NoRateLimit(),
    )


async def location_search(
    store: str,
    postgres_url: str | None,
    spots: int,
    drivers: int,
    count: int,
    profiler: cProfile.Profile | None = None,
) -> tuple[Timing, Timing, Timing]:
    """The flow, the same flow with searches answered from the warm-up's (see
    ``RecordedSearches``), and the echo through the bot's inbox."""
    rng = random.Random(11)
    searches = RecordedSearches()
    async with fresh_database(store, postgres_url) as database:
        await build_city(database, spots, box=CITY)
        api = BotApi()
        application = search_application(database, api, backlog=-(-count // drivers))
        replies: list[str] = []
        await application.initialize()
        # run_polling() would call this hook; fed by hand, the bench calls it itself.
        if application.post_init is not None:
            await application.post_init(application)
        await application.worker.start()
        try:
            await feed_the_inbox(application, [start(n, n) for n in range(drivers)])
            ids = itertools.count(drivers)
            warm_up = [shared_location(next(ids), n, rng) for n in range(drivers)]
            with searches.recording():
                await feed_the_inbox(application, warm_up)
            api.forget()
            shares = [shared_location(next(ids), n % drivers, rng) for n in range(count)]
            timing = await feed_the_inbox(application, shares, profiler)
            replies = list(api.texts)
            api.forget()
            shares = [shared_location(next(ids), n % drivers, rng) for n in range(count)]
            with searches.replaying():
                replayed = await feed_the_inbox(application, shares)
            replayed_texts = list(api.texts)
            api.forget()
            application.add_handler(
                MessageHandler(filters.TEXT & ~filters.COMMAND, echo_first), group=-1000
            )
            hellos = [message(next(ids), n % drivers, text=f"hello {n}") for n in range(count)]
            echoed = await feed_the_inbox(application, hellos)
            if api.calls["sendMessage"] != count:
                raise SystemExit(f"echo through the inbox: {api.calls['sendMessage']} replies "
                                 f"to {count} messages")  # fmt: skip
        finally:
            await application.worker.stop()
            await application.shutdown()
    for case, texts in (("location search", replies), ("replayed searches", replayed_texts)):
        results = sum(RESULTS_HEADER in text for text in texts)
        if results != count:
            sample = next((text for text in texts if RESULTS_HEADER not in text), "(no reply)")
            raise SystemExit(f"{case}: {results} result lists for {count} locations; "
                             f"one reply was: {sample[:200]!r}")  # fmt: skip
    return timing, replayed, echoed


# How often the bench looks whether the worker processes have finished a batch: often enough
# to time a batch of seconds, seldom enough to cost the store and the machine next to nothing.
FINISHED_LOOK_S = 0.05


@dataclass(frozen=True)
class Replies:
    """What one worker process sent since it last forgot: how many result lists, of how many
    messages, and one message that was not a result list (if any); and the CPU time the process
    spent meanwhile."""

    results: int
    messages: int
    other: str | None
    cpu_seconds: float

    @classmethod
    def of(cls, texts: list[str], cpu_seconds: float) -> Replies:
        other = next((text for text in texts if RESULTS_HEADER not in text), None)
        return cls(sum(RESULTS_HEADER in text for text in texts), len(texts), other, cpu_seconds)


def worker_process(url: str, backlog: int, commands: Connection) -> None:
    """A worker process's body: the bot as ``search_application`` builds it, its inbox worker
    running, until told to stop. Told to ``wake`` it looks at the inbox at once (otherwise it
    looks every ``bot.workers.IDLE_LOOK_S``)."""
    asyncio.run(_work(url, backlog, commands))


async def _work(url: str, backlog: int, commands: Connection) -> None:
    database = Database.from_url(url)
    api = BotApi()
    application = search_application(database, api, backlog)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.worker.start()
    cpu_started = time.process_time()
    try:
        commands.send("ready")
        while (command := await asyncio.to_thread(commands.recv)) != "stop":
            if command == "wake":
                application.worker.wake()
            elif command == "replies":
                commands.send(Replies.of(api.texts, time.process_time() - cpu_started))
            elif command == "forget":
                api.forget()
                cpu_started = time.process_time()
                commands.send("forgotten")
    finally:
        await application.worker.stop()
        await application.shutdown()
        await database.close()


class WorkerProcesses:
    """``count`` worker processes (``worker_process``) on the database at ``url``."""

    def __init__(self, url: str, count: int, backlog: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipes: list[Connection] = []
        self._processes: list[Any] = []
        for _ in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=worker_process, args=(url, backlog, theirs), daemon=True
            )
            self._pipes.append(ours)
            self._processes.append(process)

    async def __aenter__(self) -> WorkerProcesses:
        for process in self._processes:
            process.start()
        for answer in await self._ask(None):
            if answer != "ready":
                raise SystemExit(f"a worker process did not start: {answer!r}")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for pipe in self._pipes:
            pipe.send("stop")
        for process in self._processes:
            await asyncio.to_thread(process.join, 30)
            if process.is_alive():
                process.kill()

    def wake(self) -> None:
        for pipe in self._pipes:
            pipe.send("wake")

    async def forget(self) -> None:
        await self._ask("forget")

    async def replies(self) -> list[Replies]:
        return await self._ask("replies")

    async def _ask(self, command: str | None) -> list[Any]:
        if command is not None:
            for pipe in self._pipes:
                pipe.send(command)
        return [await asyncio.to_thread(pipe.recv) for pipe in self._pipes]


async def keep_and_wait(
    database: Database, workers: WorkerProcesses, updates: list[dict[str, Any]]
) -> Timing:
    """The updates kept in the inbox in one batch, as a poll brings them, timed until the
    worker processes have finished every one (no update left waiting). The CPU times are this
    process's, not the workers'."""
    bot = Bot(TOKEN)
    with timed(len(updates)) as timing:
        parsed = [Update.de_json(data, bot) for data in updates]
        await keep_updates(database, bot_id_of(bot), parsed, [json.dumps(u) for u in updates])
        workers.wake()
        while True:
            async with database.reading() as uow:
                counts = await uow.inbox.counts()
            if not counts.get(InboxState.WAITING):
                break
            await asyncio.sleep(FINISHED_LOOK_S)
    unfinished = {str(state): n for state, n in counts.items() if state != InboxState.DONE}
    if unfinished:
        raise SystemExit(f"updates not handled: {unfinished}")
    return timing[0]


async def forget_the_inbox(database: Database) -> None:
    """Each run starts with an empty inbox, not with the finished rows of the one before."""
    async with database.unit_of_work() as uow:
        await uow.inbox.forget_finished_before(datetime.max.replace(tzinfo=UTC))


async def shares_by_processes(
    store: str, postgres_url: str | None, spots: int, drivers: int, count: int,
    process_counts: list[int],
) -> list[tuple[int, Timing, float]]:  # fmt: skip
    """The location shares handled by 1, then N worker processes, each run warmed first: every
    worker process has answered a search (its connections opened, its first search done)
    before the timed batch is kept."""
    rng = random.Random(11)
    ids = itertools.count()
    timings: list[tuple[int, Timing, float]] = []
    backlog = -(-count // drivers)
    async with fresh_url(store, postgres_url) as url:
        database = Database.from_url(url)
        try:
            await build_city(database, spots, box=CITY)
            for processes in process_counts:
                await forget_the_inbox(database)
                async with WorkerProcesses(url, processes, backlog) as workers:
                    await keep_and_wait(
                        database, workers, [start(next(ids), n) for n in range(drivers)]
                    )
                    for _attempt in range(5):
                        warm_up = [shared_location(next(ids), n, rng) for n in range(drivers)]
                        await keep_and_wait(database, workers, warm_up)
                        if all(replies.results for replies in await workers.replies()):
                            break
                    else:
                        raise SystemExit("a worker process answered no search while warming up")
                    await workers.forget()
                    shares = [shared_location(next(ids), n % drivers, rng) for n in range(count)]
                    timing = await keep_and_wait(database, workers, shares)
                    replies = await workers.replies()
                check_results(f"{processes} worker processes", replies, count)
                cpu_seconds = sum(each.cpu_seconds for each in replies)
                timings.append((processes, timing, cpu_seconds))
        finally:
            await database.close()
    return timings


def check_results(case: str, replies: list[Replies], count: int) -> None:
    results = sum(each.results for each in replies)
    if results != count:
        sample = next((each.other for each in replies if each.other), None) or "(no reply)"
        raise SystemExit(f"{case}: {results} result lists for {count} locations; "
                         f"one reply was: {sample[:200]!r}")  # fmt: skip


def print_processes(timings: list[tuple[int, Timing, float]], store: str, spots: int) -> None:
    print(f"{'workers':>7} {'updates':>8} {'seconds':>9} {'updates/s':>10} "
          f"{'workers CPU ms each':>20}")  # fmt: skip
    for processes, timing, cpu_seconds in timings:
        cpu_ms_each = 1000 * cpu_seconds / timing.updates
        print(f"{processes:>7} {timing.updates:>8} {timing.seconds:>9.2f} "
              f"{timing.per_second:>10,.0f} {cpu_ms_each:>20.2f}")  # fmt: skip
    (one, alone, _), *more = timings
    for processes, timing, _ in more:
        print(f"ratio: {processes} workers / {one} worker = "
              f"{timing.per_second / alone.per_second:.2f} (location shares over {spots:,} spots "
              f"on {store})")  # fmt: skip
    if store == "sqlite":
        print(
            "(SQLite takes one writer at a time, whichever process it is in: the processes' "
            "writes wait their turn on its lock; their reads and the rest run side by side)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2400, help="timed updates per case")
    parser.add_argument("--spots", type=int, default=100_000)
    parser.add_argument("--drivers", type=int, default=50, help="distinct people sending them")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PARKSHARE_TEST_POSTGRES_URL"),
        help="a PostgreSQL server to create the benchmark's database on",
    )
    parser.add_argument(
        "--profile", metavar="PATH", help="write cProfile's statistics of the timed flow here"
    )
    parser.add_argument(
        "--workers", type=int, metavar="N",
        help="handle the location shares in worker processes instead: 1, then N",
    )  # fmt: skip
    args = parser.parse_args()
    if args.store == "postgresql" and not args.postgres_url:
        raise SystemExit("--store postgresql needs --postgres-url")
    if args.workers is not None:
        if args.workers < 1:
            raise SystemExit("--workers needs at least 1")
        counts = sorted({1, args.workers})
        timings = asyncio.run(
            shares_by_processes(
                args.store, args.postgres_url, args.spots, args.drivers, args.updates, counts
            )
        )
        print_processes(timings, args.store, args.spots)
        return
    profiler = cProfile.Profile() if args.profile else None
    echo = asyncio.run(echo_floor(args.drivers, args.updates))
    flow, outside_search, inbox_echo = asyncio.run(
        location_search(
            args.store, args.postgres_url, args.spots, args.drivers, args.updates, profiler
        )
    )
    if profiler is not None:
        profiler.dump_stats(args.profile)
    share = 100 * flow.per_second / echo.per_second
    print(f"{'case':<26} {'updates':>8} {'seconds':>9} {'updates/s':>10} {'CPU ms each':>12} "
          f"{'of it, loop':>12}")  # fmt: skip
    cases = (("echo", echo), ("location share", flow),
             ("location share, replayed", outside_search),
             ("echo through the inbox", inbox_echo))  # fmt: skip
    for case, timing in cases:
        print(f"{case:<26} {timing.updates:>8} {timing.seconds:>9.2f} "
              f"{timing.per_second:>10,.0f} {timing.cpu_ms_each:>12.2f} "
              f"{timing.loop_cpu_ms_each:>12.2f}")  # fmt: skip
    print(f"ratio: {share:.0f} % of the floor (goal: at least 30 %); with searches answered "
          f"from memory {100 * outside_search.per_second / echo.per_second:.0f} %")  # fmt: skip
    print(f"the inbox's own floor: {100 * inbox_echo.per_second / echo.per_second:.0f} % of "
          f"the framework's; a location share reaches "
          f"{100 * flow.per_second / inbox_echo.per_second:.0f} % of it")  # fmt: skip
    print(f"CPU per location share: {flow.cpu_ms_each:.2f} ms (goal: at most 3 ms); "
          f"outside the search {outside_search.cpu_ms_each:.2f} ms")  # fmt: skip
    print(f"updates: echo {echo.per_second:,.0f}/s, location share {flow.per_second:,.0f}/s "
          f"over {args.spots:,} spots on {args.store} ({share:.0f} % of the floor, "
          f"{flow.cpu_ms_each:.2f} ms CPU each)")  # fmt: skip


if __name__ == "__main__":
    main()
