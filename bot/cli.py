"""The `parkshare` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import signal
import sys
from pathlib import Path

from core.settings import Settings, SettingsError, load_settings


class _BootstrapFailureFilter(logging.Filter):
    """A failed start is told in one line by `main`; python-telegram-bot's own traceback of it
    would bury that line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


async def _until_stopped() -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await stopping.wait()


def _run_polling(settings: Settings) -> int:
    from bot.app import build_application
    from bot.runtime import BotRuntime

    async def run() -> None:
        async with BotRuntime(build_application(settings), polling=True):
            print("parkshare: running, updates from Telegram by polling (Ctrl-C stops it)",
                  flush=True)  # fmt: skip
            await _until_stopped()

    asyncio.run(run())
    return 0


def cmd_worker(settings: Settings, _args: argparse.Namespace) -> int:
    """A process that only handles what the inbox keeps (`serve --workers N` starts these)."""
    if not settings.bot_token:
        print("parkshare: `worker` needs PARKSHARE_BOT_TOKEN.", file=sys.stderr)
        return 2
    from bot.app import build_application
    from bot.runtime import BotRuntime

    async def run() -> None:
        async with BotRuntime(build_application(settings), polling=False):
            await _until_stopped()

    asyncio.run(run())
    return 0


class _Workers:
    """``count`` worker processes (`parkshare worker`), each started again when it dies."""

    RESTART_AFTER_S = 1.0

    def __init__(self, count: int) -> None:
        self._count = count
        self._processes: list[asyncio.subprocess.Process] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    async def __aenter__(self) -> _Workers:
        self._tasks = [asyncio.create_task(self._keep_running()) for _ in range(self._count)]
        return self

    async def _keep_running(self) -> None:
        while not self._stopping:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "worker"
            )
            self._processes.append(process)
            code = await process.wait()
            self._processes.remove(process)
            if not self._stopping:
                print(f"parkshare: a worker ended ({code}); starting another", file=sys.stderr)
                await asyncio.sleep(self.RESTART_AFTER_S)

    async def __aexit__(self, *_exc: object) -> None:
        # Each worker stops claiming and finishes the updates it holds.
        self._stopping = True
        for process in self._processes:
            process.terminate()
        await asyncio.gather(*self._tasks)


def cmd_run(settings: Settings, _args: argparse.Namespace) -> int:
    if not settings.bot_token:
        print(
            "parkshare: no Telegram token. Set PARKSHARE_BOT_TOKEN (from @BotFather) in the "
            "environment or in .env, or run `parkshare` without a token to try the local sandbox.",
            file=sys.stderr,
        )
        return 2
    return _run_polling(settings)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot_token:
        print("parkshare: `serve` needs PARKSHARE_BOT_TOKEN; `parkshare` alone runs the sandbox.",
              file=sys.stderr)  # fmt: skip
        return 2
    from bot.app import build_application
    from bot.http_server import EmbeddedServer
    from bot.runtime import BotRuntime
    from bot.web import build_web_app, register_webhook

    # With a public address Telegram delivers updates to us; without one we poll for them.
    public_url = settings.public_base_url
    secret = (settings.telegram_webhook_secret or secrets.token_urlsafe(32)) if public_url else None
    workers: int = args.workers

    async def serve() -> None:
        # With worker processes, this one only receives; the workers run the sweeps too.
        application = build_application(settings, sweeps=not workers)
        server = EmbeddedServer(
            build_web_app(application, telegram_secret=secret),
            host=settings.serve_host,
            port=settings.serve_port,
        )
        runtime = BotRuntime(application, polling=not public_url, worker=not workers)
        async with runtime, server, _Workers(workers):
            if public_url and secret:
                await register_webhook(application, public_url, secret)
                how = f"Telegram's webhook at {public_url}"
            else:
                how = "Telegram by polling (set PARKSHARE_PUBLIC_BASE_URL for its webhook)"
            handled = f"{workers} worker processes" if workers else "this process"
            print(f"parkshare: serving {server.url}, updates from {how}, handled by {handled} "
                  "(Ctrl-C stops it)", flush=True)  # fmt: skip
            await _until_stopped()

    asyncio.run(serve())
    return 0


def cmd_default(settings: Settings, args: argparse.Namespace) -> int:
    if settings.bot_token:
        return _run_polling(settings)
    return cmd_sandbox(settings, args)


def cmd_sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from sandbox.runner import SandboxRuntime

    port = getattr(args, "port", None)

    async def serve() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stopping.set)
        async with SandboxRuntime(settings, port=port) as sandbox:
            print(f"parkshare: sandbox ready at {sandbox.url}/ (Ctrl-C stops it)", flush=True)
            await stopping.wait()
            print("parkshare: stopping the sandbox…", flush=True)

    try:
        asyncio.run(serve())
    except OSError as error:
        print(f"parkshare: the sandbox cannot start: {error}", file=sys.stderr)
        return 2
    print("parkshare: sandbox stopped", flush=True)
    return 0


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from core.db.engine import create_engine
    from core.db.migrate import upgrade

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print("parkshare: database is up to date")
    return 0


def cmd_db_cluster(settings: Settings, _args: argparse.Namespace) -> int:
    """Spots and their free time rewritten in the order of their places
    (``core.db.place_order``)."""
    from core.db.migrate import open_database
    from core.db.place_order import Ordered, TableBusy, order_by_place

    async def run() -> Ordered:
        database = await open_database(settings.database_url)
        try:
            return await order_by_place(database)
        finally:
            await database.close()

    try:
        ordered = asyncio.run(run())
    except TableBusy as error:
        print(f"parkshare: stopped: {error}; what was rewritten before stays; run it again "
              "in a quieter moment", file=sys.stderr)  # fmt: skip
        return 1
    if not ordered.done:
        print("parkshare: nothing to do: SQLite keeps spots in the order they were listed")
        return 0
    print("parkshare: spots and their free time are in the order of their places "
          f"({ordered.seconds:.1f} s)")  # fmt: skip
    return 0


def cmd_audit(settings: Settings, _args: argparse.Namespace) -> int:
    """The ledger's sums, and every booking's money against its state; non-zero on any fault."""
    from core.db.migrate import open_database
    from core.services import audit

    async def run() -> audit.AuditReport:
        # The embedded database is brought up to date as the bot does; PostgreSQL must be current.
        database = await open_database(settings.database_url)
        try:
            async with database.reading() as uow:
                return await audit.run(uow)
        finally:
            await database.close()

    report = asyncio.run(run())
    health = report.ledger
    if health.unbalanced:
        ids = ", ".join(map(str, health.unbalanced))
        print(f"parkshare: unbalanced transactions: {ids}", file=sys.stderr)
    for amount in health.negative_escrow:
        print(f"parkshare: escrow is negative: {amount.minor} {amount.currency}", file=sys.stderr)
    for violation in report.violations:
        print(f"parkshare: {violation}", file=sys.stderr)
    if not report.healthy:
        print(f"parkshare: audit failed: {len(report.violations)} violations", file=sys.stderr)
        return 1
    print(f"parkshare: ledger balanced: {health.transactions} transactions, "
          f"{health.entries} entries, every one summing to zero; every booking's money "
          "agrees with its state")  # fmt: skip
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="parkshare",
        description="ParkShare: a Telegram marketplace for private parking spots. Without a "
        "subcommand it runs the bot on Telegram when PARKSHARE_BOT_TOKEN is set, and the local "
        "sandbox otherwise.",
    )
    root.set_defaults(handler=cmd_default)
    commands = root.add_subparsers(title="commands", metavar="COMMAND")
    run = commands.add_parser("run", help="run the bot on Telegram (long polling)")
    run.set_defaults(handler=cmd_run)
    serve = commands.add_parser(
        "serve", help="run the bot with its HTTP endpoints: Stripe's webhook and /healthz"
    )
    serve.add_argument(
        "--workers", type=int, default=0, metavar="N",
        help="handle updates in N worker processes beside this one, which then only receives "
        "them (default: handle them here)",
    )  # fmt: skip
    serve.set_defaults(handler=cmd_serve)
    worker = commands.add_parser(
        "worker", help="handle the updates the inbox keeps (beside `serve`, on PostgreSQL)"
    )
    worker.set_defaults(handler=cmd_worker)
    sandbox = commands.add_parser(
        "sandbox", help="run the local Bot API and web chat with the bot and a demo city"
    )
    sandbox.add_argument("--port", type=int, default=None, help="port (default 8080)")
    sandbox.set_defaults(handler=cmd_sandbox)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="database commands", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply the migrations").set_defaults(
        handler=cmd_db_upgrade
    )
    db_commands.add_parser(
        "cluster",
        help="rewrite the spots and their free time in the order of their places, so that a "
        "search reads fewer pages (PostgreSQL; each table is locked for its rewrite, under a "
        "minute in all at a million spots: run it in a quiet hour)",
    ).set_defaults(handler=cmd_db_cluster)
    ledger = commands.add_parser("ledger", help="the double-entry ledger")
    ledger_commands = ledger.add_subparsers(
        title="ledger commands", metavar="ACTION", required=True
    )
    ledger_commands.add_parser("check", help="the same as `parkshare audit`").set_defaults(
        handler=cmd_audit
    )
    commands.add_parser(
        "audit",
        help="check that the ledger balances and that every booking's money agrees with its "
        "state (held, paid out, refunded); names each booking that does not",
    ).set_defaults(handler=cmd_audit)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("telegram.ext").addFilter(_BootstrapFailureFilter())
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"parkshare: configuration error: {error}", file=sys.stderr)
        return 2
    if (folder := _missing_embedded_folder(settings.database_url)) is not None:
        # SQLite would only say "unable to open database file"; and the driver's thread,
        # failing to connect, may print a trace after the event loop has closed.
        print(f"parkshare: cannot open the database {_shown(settings.database_url)}: "
              f"the folder {folder} does not exist", file=sys.stderr)  # fmt: skip
        return 2
    try:
        return args.handler(settings, args)
    except Exception as error:
        line = _one_line(error, settings)
        if line is None:
            raise
        print(f"parkshare: {line}", file=sys.stderr)
        return 2


def _one_line(error: Exception, settings: Settings) -> str | None:
    """What a failure the person can mend says, in one line; None for a bug, whose trace is
    wanted. Imported here, not at the top: `parkshare audit` need not load the bot."""
    from sqlalchemy.exc import DBAPIError
    from telegram.error import InvalidToken, NetworkError

    from core.db.migrate import DatabaseNotMigrated
    from payments.registry import GatewaySettingsError

    if isinstance(error, GatewaySettingsError):
        # Found when the bot is built: a gateway that cannot take the configured currency.
        return f"configuration error: {error}"
    if isinstance(error, DatabaseNotMigrated):
        return str(error)
    if isinstance(error, InvalidToken):
        return "Telegram refused PARKSHARE_BOT_TOKEN: copy it again from @BotFather"
    if isinstance(error, NetworkError):
        return f"cannot reach Telegram: {error}"
    if isinstance(error, (DBAPIError, OSError)):
        # The store is unreachable, refuses us, or its file cannot be made: one line, not a trace.
        return f"cannot open the database {_shown(settings.database_url)}: {_reason(error)}"
    return None


def _missing_embedded_folder(url: str) -> Path | None:
    """The folder an embedded (SQLite) database file would be in, when it does not exist."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    folder = Path(parsed.database).expanduser().parent
    return None if folder.is_dir() else folder


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _reason(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return (
        str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    )


if __name__ == "__main__":
    sys.exit(main())
