"""Nearest-free search in a city of a million spots, on SQLite and on PostgreSQL.

Builds N spots at random in a 50 x 50 km square (weekly hours, live bookings, ratings), then
times random k-nearest searches for a 2-hour window through `core.services.search`, the
service the bot calls. The searches run in a child process that also builds the bot's
Application over the same database, so its peak RSS is the bot's with that city loaded. A
vectorised NumPy haversine scan over every spot, in the same run, is the brute force the
search is compared with (it only ranks by distance: availability would cost it more).

    python -m bench.search                          # 1,000,000 spots, 1,000 searches
    python -m bench.search --spots 20000 --queries 100 --stores sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from bench.city import NOW, Box, build_city
from bench.stores import add_store_arguments, chosen_stores, fresh_url
from core.db.uow import Database
from core.geo import GeoPoint

EARTH_RADIUS_M = 6_371_008.8
WINDOW = timedelta(hours=2)
# Searches start within the coming week, on the five-minute steps the bot offers.
STEPS_AHEAD = 7 * 24 * 12
WARM_UP = 20


@dataclass(frozen=True, slots=True)
class Query:
    lat: float
    lon: float
    start_step: int


def queries(count: int, seed: int, box: Box) -> list[Query]:
    rng = random.Random(seed)
    return [
        Query(*box.random_point(rng).to_latlon(), rng.randrange(STEPS_AHEAD)) for _ in range(count)
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- the bot process ------------------------------------------------------------------------


async def measure_searches(url: str, count: int, seed: int, k: int) -> dict:
    """Runs in the child: the bot's Application over ``url``, then the timed searches."""
    from bot.app import build_application
    from core.services.search import nearest_free
    from core.settings import load_settings

    database = Database.from_url(url)
    settings = load_settings(_env_file=None, database_url=url)
    application = build_application(settings, token="1:bench", database=database)
    timings, found = [], []
    try:
        # A running bot has compiled its statements and warmed its caches.
        for query in queries(WARM_UP, seed + 1, Box()):
            start = NOW + timedelta(minutes=5 * query.start_step)
            await nearest_free(
                database, point=GeoPoint(query.lat, query.lon), start=start,
                end=start + WINDOW, now=NOW, k=k,
            )  # fmt: skip
        for query in queries(count, seed, Box()):
            start = NOW + timedelta(minutes=5 * query.start_step)
            began = time.perf_counter()
            result = await nearest_free(
                database, point=GeoPoint(query.lat, query.lon), start=start,
                end=start + WINDOW, now=NOW, k=k,
            )  # fmt: skip
            timings.append(time.perf_counter() - began)
            found.append(len(result.hits))
    finally:
        await database.close()
    del application
    return {"timings": timings, "found": found, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's own high-water mark. ``ru_maxrss`` would not do: Linux carries it over
    from the parent through fork and exec, so it would count the city the parent built."""
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(url: str, args: argparse.Namespace) -> dict:
    command = [sys.executable, "-m", "bench.search", "--child", url, "--queries",
               str(args.queries), "--seed", str(args.seed), "--k", str(args.k)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the search process failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


# --- the brute force -------------------------------------------------------------------------


def brute_force_timings(lats: list[float], lons: list[float], args: argparse.Namespace):
    """Seconds per query for a haversine over every spot, then the k nearest of them."""
    lat = np.radians(np.asarray(lats))
    lon = np.radians(np.asarray(lons))
    cos_lat = np.cos(lat)
    timings = []
    for query in queries(args.queries, args.seed, Box()):
        began = time.perf_counter()
        q_lat, q_lon = np.radians(query.lat), np.radians(query.lon)
        half = (
            np.sin((lat - q_lat) / 2) ** 2
            + np.cos(q_lat) * cos_lat * np.sin((lon - q_lon) / 2) ** 2
        )
        distance = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(half))
        nearest = np.argpartition(distance, args.k)[: args.k]
        _ranked = nearest[np.argsort(distance[nearest])]
        timings.append(time.perf_counter() - began)
    return timings


# --- the run ---------------------------------------------------------------------------------


async def build(store: str, args: argparse.Namespace, results: dict) -> None:
    async with fresh_url(store, args.postgres_url) as url:
        database = Database.from_url(url)
        try:
            began = time.perf_counter()
            city = await build_city(database, args.spots, seed=args.seed)
            build_s = time.perf_counter() - began
        finally:
            await database.close()
        measured = await asyncio.to_thread(run_child, url, args)
    results[store] = (city, build_s, measured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spots", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    add_store_arguments(parser)
    args = parser.parse_args()
    if args.child:
        print(
            json.dumps(asyncio.run(measure_searches(args.child, args.queries, args.seed, args.k)))
        )
        return

    results: dict = {}
    for store in chosen_stores(args):
        asyncio.run(build(store, args, results))
    city = next(iter(results.values()))[0]
    brute = brute_force_timings(city.lats, city.lons, args)
    brute_p50 = statistics.median(brute)

    print(f"{args.spots:,} spots in a 50 x 50 km square, {args.queries:,} searches, "
          f"k={args.k}, 2-hour windows in the week ahead")  # fmt: skip
    print(f"{'store':<12} {'build':>8} {'p50':>9} {'p99':>9} {'max':>9} {'found':>6} "
          f"{'x brute':>8} {'peak RSS':>9}")  # fmt: skip
    summary = []
    for store, (_city, build_s, measured) in results.items():
        ms = [t * 1000 for t in measured["timings"]]
        p50, p99 = statistics.median(ms), percentile(ms, 0.99)
        ratio = brute_p50 * 1000 / p50
        found = statistics.mean(measured["found"])
        print(f"{store:<12} {build_s:>7.0f}s {p50:>7.2f}ms {p99:>7.2f}ms {max(ms):>7.2f}ms "
              f"{found:>6.1f} {ratio:>7.2g}x {measured['peak_rss_mb']:>7.0f}MB")  # fmt: skip
        summary.append(f"{store} p50 {p50:.2f} ms p99 {p99:.2f} ms ({ratio:.2g}x brute force, "
                       f"bot RSS {measured['peak_rss_mb']:.0f} MB)")  # fmt: skip
    bp99 = percentile(brute, 0.99) * 1000
    print(f"{'numpy brute':<12} {'':>8} {brute_p50 * 1000:>7.2f}ms {bp99:>7.2f}ms "
          f"{max(brute) * 1000:>7.2f}ms")  # fmt: skip
    print(f"search: {args.spots:,} spots; " + "; ".join(summary))


if __name__ == "__main__":
    main()
