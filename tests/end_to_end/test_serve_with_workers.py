"""`parkshare serve --workers 2` as it runs in production: this process receives (by polling
here, with no public address) and keeps updates, two `parkshare worker` processes handle them,
one that dies is started again, and a stop (SIGTERM) stops them all."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from core.db.uow import Database
from core.settings import load_settings
from sandbox.client import SandboxClient
from sandbox.runner import SandboxRuntime, follow_the_inbox

ROOT = Path(__file__).resolve().parents[2]


async def test_serve_with_two_workers_answers_and_stops_cleanly(tmp_path):
    url = f"sqlite:///{tmp_path}/parkshare.db"
    runtime = SandboxRuntime(load_settings(_env_file=None, database_url=url), port=0, city=None)
    async with runtime:
        await runtime.stop_bot()  # the sandbox's own bot steps aside for `serve`
        env = {key: value for key, value in os.environ.items() if not key.startswith("PARKSHARE_")}
        env.update({
            "PARKSHARE_BOT_TOKEN": runtime.world.token, "PARKSHARE_BOT_API_URL": runtime.url,
            "PARKSHARE_DATABASE_URL": url, "PARKSHARE_SERVE_PORT": "0",
            "PARKSHARE_GEOCODER_URL": "", "PARKSHARE_PAYMENT_GATEWAY": "sandbox",
        })  # fmt: skip
        serve = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "serve", "--workers", "2", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        database = Database.from_url(url)
        following = asyncio.create_task(follow_the_inbox(runtime.world, database))
        try:
            assert serve.stdout is not None
            banner = (await asyncio.wait_for(serve.stdout.readline(), 30)).decode()
            assert "handled by 2 worker processes" in banner
            people = [SandboxClient(runtime.world).person(f"Person {n}") for n in range(4)]
            await asyncio.gather(*(person.send("/start") for person in people))
            for person in people:
                assert person.last_message().text.endswith("What brings you here?")

            # A worker that dies is started again, and the work goes on.
            before = await _workers_of(serve.pid)
            assert len(before) == 2
            os.kill(before[0], signal.SIGKILL)
            after = await _workers_of(serve.pid, other_than=before[0], count=2)
            assert before[0] not in after
            late = SandboxClient(runtime.world).person("Late")
            await late.send("/start")
            assert late.last_message().text.endswith("What brings you here?")
        finally:
            following.cancel()
            await database.close()
            serve.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(serve.wait(), 30)
        assert code == 0


async def _workers_of(
    serve_pid: int, *, other_than: int | None = None, count: int | None = None
) -> list[int]:
    """The worker processes `serve` runs now; with ``count``, once there are that many."""
    for _ in range(100):
        listing = Path(f"/proc/{serve_pid}/task/{serve_pid}/children")
        children = (await asyncio.to_thread(listing.read_text)).split()
        pids = [int(pid) for pid in children if int(pid) != other_than]
        if count is None or len(pids) == count:
            return pids
        await asyncio.sleep(0.1)
    raise AssertionError(f"serve runs {pids}, not {count} workers")
