"""How long a newcomer in the sandbox's web chat waits for the bot's answer to /start.

Each round creates a person through the web chat's own HTTP API, sends /start and waits on the
chat's event stream for the bot's reply, the way the browser does.

    python -m bench.first_answer                      # an in-process sandbox on a temp SQLite
    python -m bench.first_answer --url http://127.0.0.1:8080   # a running `parkshare`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

ANSWER_WAIT_S = 30.0


async def first_answer_s(client: httpx.AsyncClient, name: str) -> float:
    person = (await client.post("/sandbox/api/people/new/create", json={"name": name})).json()
    started = time.perf_counter()
    sent = await client.post(f"/sandbox/api/people/{person['id']}/send", json={"text": "/start"})
    sent.raise_for_status()
    stream_path = f"/sandbox/api/chats/{person['id']}/stream"
    async with client.stream("GET", stream_path, timeout=ANSWER_WAIT_S) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data: ") and json.loads(line[6:])["kind"] == "message":
                return time.perf_counter() - started
    raise RuntimeError("the stream ended before the bot answered")


async def measure(url: str, rounds: int) -> list[float]:
    async with httpx.AsyncClient(base_url=url, timeout=ANSWER_WAIT_S) as client:
        return [await first_answer_s(client, f"Bench {n}") for n in range(rounds)]


async def measure_in_process(rounds: int, spots: int) -> list[float]:
    from core.settings import load_settings
    from sandbox.runner import SandboxRuntime

    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            _env_file=None, database_url=f"sqlite:///{Path(folder) / 'bench.db'}"
        )
        async with SandboxRuntime(settings, port=0, demo_spots=spots) as sandbox:
            return await measure(sandbox.url, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--spots", type=int, default=300, help="demo spots (in-process only)")
    parser.add_argument("--url", help="a running sandbox instead of an in-process one")
    args = parser.parse_args()
    if args.url:
        timings = asyncio.run(measure(args.url.rstrip("/"), args.rounds))
    else:
        timings = asyncio.run(measure_in_process(args.rounds, args.spots))
    ms = sorted(t * 1000 for t in timings)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(f"{'rounds':>8} {'first':>9} {'p50':>9} {'p99':>9} {'max':>9}")
    print(f"{len(ms):>8} {timings[0] * 1000:>7.1f}ms {statistics.median(ms):>7.1f}ms "
          f"{p99:>7.1f}ms {ms[-1]:>7.1f}ms")  # fmt: skip
    print(f"first_answer: /start answered in p50 {statistics.median(ms):.1f} ms, "
          f"max {ms[-1]:.1f} ms over {len(ms)} new people")  # fmt: skip


if __name__ == "__main__":
    main()
