"""Nearest-free search in a city of a million spots, on SQLite and on PostgreSQL.

Builds N spots at random in a 50 x 50 km square (weekly hours, live bookings, ratings, and
each spot's free time), then times random k-nearest searches for a 2-hour window in the week
ahead through `core.services.search`, the service the bot calls; one search in four asks for
a filter too (EV charger, covered, a vehicle size, a price limit or a rating). The searches run
in a child process that also builds the bot's Application over the same database, so its peak
RSS is the bot's with that city loaded.

A vectorised NumPy scan over every spot answers each question again: free for the window (each
weekly pattern's offered intervals read with `core.free_time.covers`, less the spot's booking),
the filters (prices from `core.pricing`), haversine distances, the k nearest. Every result set
is checked against it (recall must be 1.0), and it is the brute force the search is timed
against.

    python -m bench.search                          # 1,000,000 spots, 1,000 searches
    python -m bench.search --spots 20000 --queries 100 --stores sqlite

On PostgreSQL the spots are then put in the order of their places, as `parkshare db cluster`
keeps a production store (`--unordered` leaves them in listing order).
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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from bench.city import NOW, VEHICLE_SIZES, Box, City, build_city, settle
from bench.stores import add_store_arguments, chosen_stores, fresh_url
from core import free_time
from core.db.place_order import order_by_place
from core.db.uow import Database
from core.geo import GeoPoint
from core.money import Money
from core.pricing import price_for_window
from core.services.search import MAX_RADIUS_M, SearchFilters

EARTH_RADIUS_M = 6_371_008.8
WINDOW = timedelta(hours=2)
# Searches start within the coming week, on the five-minute steps the bot offers.
STEPS_AHEAD = 7 * 24 * 12
# Searches elsewhere in the city before the timed ones: a running bot's statements are
# compiled and its page cache holds the indexes' upper levels (with 20, the first timed
# searches still filled it: SQLite's p99 1.58 against 0.85 ms once warm).
WARM_UP = 200
FILTERED_SHARE = 0.25
# Searches with a price limit no spot meets (a cent for two hours).
NOTHING_PASSES = 20
CENT = Money(1, "EUR")
# Ranked by the store's own distance (equirectangular on SQLite, the sphere's on PostgreSQL)
# and by the haversine here, two spots this close in distance may swap places at the k-th.
TIE_M = 1.0


@dataclass(frozen=True, slots=True)
class Query:
    lat: float
    lon: float
    start_step: int
    filters: SearchFilters

    @property
    def start(self) -> datetime:
        return NOW + timedelta(minutes=5 * self.start_step)


def _filters(rng: random.Random) -> SearchFilters:
    if rng.random() >= FILTERED_SHARE:
        return SearchFilters()
    return rng.choice(
        (
            SearchFilters(ev_charger=True),
            SearchFilters(covered=True),
            SearchFilters(vehicle_size=rng.choice(VEHICLE_SIZES)),
            SearchFilters(max_price=Money(rng.choice((400, 500, 600, 700)), "EUR")),
            SearchFilters(min_rating=4.0),
        )
    )


def queries(count: int, seed: int, box: Box) -> list[Query]:
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        lat, lon = box.random_point(rng).to_latlon()
        queries.append(Query(lat, lon, rng.randrange(STEPS_AHEAD), _filters(rng)))
    return queries


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
    timings, found, nothing = [], [], []
    try:
        # A running bot has compiled its statements and warmed its caches.
        for query in queries(WARM_UP, seed + 1, Box()):
            await nearest_free(
                database, point=GeoPoint(query.lat, query.lon), start=query.start,
                end=query.start + WINDOW, now=NOW, k=k, filters=query.filters,
            )  # fmt: skip
        for query in queries(count, seed, Box()):
            began = time.perf_counter()
            result = await nearest_free(
                database, point=GeoPoint(query.lat, query.lon), start=query.start,
                end=query.start + WINDOW, now=NOW, k=k, filters=query.filters,
            )  # fmt: skip
            timings.append(time.perf_counter() - began)
            found.append([hit.spot_id for hit in result.hits])
        # The worst case: a question no spot answers reads as far as the search may.
        for query in queries(NOTHING_PASSES, seed + 2, Box()):
            began = time.perf_counter()
            result = await nearest_free(
                database, point=GeoPoint(query.lat, query.lon), start=query.start,
                end=query.start + WINDOW, now=NOW, k=k, filters=SearchFilters(max_price=CENT),
            )  # fmt: skip
            nothing.append((time.perf_counter() - began, result.radius_m))
            assert not result.hits
    finally:
        await database.close()
    del application
    return {"timings": timings, "found": found, "nothing": nothing, "peak_rss_mb": peak_rss_mb()}


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


class BruteForce:
    """The same questions answered by scanning every spot of the city with NumPy."""

    def __init__(self, city: City) -> None:
        self.city = city
        self.lat = np.radians(city.lats)
        self.lon = np.radians(city.lons)
        self.cos_lat = np.cos(self.lat)
        self.rating = np.nan_to_num(city.rating, nan=0.0)
        self.spot_ids = np.arange(1, city.spots + 1)

    def free(self, start: datetime, end: datetime) -> np.ndarray:
        """Free for all of [start, end): one offered interval holds it (``covers``, once per
        weekly pattern) and the spot's booking does not touch it, which is exactly ``covers``
        on the offered intervals less the booking."""
        city = self.city
        first, last = free_time.epoch_seconds(start), free_time.epoch_seconds(end)
        offered = np.array([free_time.covers(intervals, first, last) for intervals in city.offered])
        booked = (city.booked_from < last) & (city.booked_until > first)
        return offered[city.pattern] & ~booked

    def wanted(self, filters: SearchFilters, start: datetime, end: datetime) -> np.ndarray:
        city = self.city
        keep = self.free(start, end)
        if filters.ev_charger:
            keep &= city.ev_charger
        if filters.covered:
            keep &= city.covered
        if filters.vehicle_size is not None:
            keep &= city.size >= VEHICLE_SIZES.index(filters.vehicle_size)
        if filters.max_price is not None:
            keep &= self.prices(start, end) <= filters.max_price.minor
        if filters.min_rating is not None:
            keep &= self.rating >= filters.min_rating
        return keep

    def prices(self, start: datetime, end: datetime) -> np.ndarray:
        """``core.pricing.price_for_window`` for each of the few (hourly, daily) prices."""
        city = self.city
        prices = np.zeros(city.spots, dtype=np.int64)
        for hourly in np.unique(city.hourly).tolist():
            for daily in np.unique(city.daily[city.hourly == hourly]).tolist():
                price = price_for_window(
                    Money(hourly, "EUR"), Money(daily, "EUR") if daily else None, start, end
                )
                prices[(city.hourly == hourly) & (city.daily == daily)] = price.minor
        return prices

    def distances(self, lat: float, lon: float) -> np.ndarray:
        q_lat, q_lon = np.radians(lat), np.radians(lon)
        half = (
            np.sin((self.lat - q_lat) / 2) ** 2
            + np.cos(q_lat) * self.cos_lat * np.sin((self.lon - q_lon) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(half))

    def nearest(self, query: Query, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the k nearest spots that pass, nearest first, and every spot's distance
        (infinite for those that do not pass or lie past the largest radius)."""
        distance = self.distances(query.lat, query.lon)
        keep = self.wanted(query.filters, query.start, query.start + WINDOW)
        distance = np.where(keep & (distance <= MAX_RADIUS_M), distance, np.inf)
        nearest = np.argpartition(distance, k)[:k]
        nearest = nearest[np.argsort(distance[nearest])]
        nearest = nearest[np.isfinite(distance[nearest])]
        return self.spot_ids[nearest], distance


@dataclass(slots=True)
class Checked:
    """The brute force's timings, and how many of the spots it found each store returned."""

    timings_ms: list[float]
    expected: int = 0
    right: dict[str, int] = field(default_factory=dict)

    def recall(self, store: str) -> float:
        return self.right[store] / self.expected if self.expected else 1.0


def check(
    brute: BruteForce, found: dict[str, list[list[int]]], args: argparse.Namespace
) -> Checked:
    """Each question asked of the brute force (timed), and each store's answer to it checked:
    of the k nearest spots that pass, the share returned. A spot returned in place of one
    counts when it passes and ties it in distance (within ``TIE_M``); a search that returns
    more spots than pass counts each extra one against it."""
    checked = Checked([], right=dict.fromkeys(found, 0))
    for n, query in enumerate(queries(args.queries, args.seed, Box())):
        began = time.perf_counter()
        truth, distance = brute.nearest(query, args.k)
        checked.timings_ms.append((time.perf_counter() - began) * 1000)
        checked.expected += len(truth)
        truth_set = set(truth.tolist())
        kth = distance[truth[-1] - 1] if len(truth) else 0.0
        for store, answers in found.items():
            ids = answers[n]
            checked.right[store] += sum(
                1 for spot in ids[: len(truth)]
                if spot in truth_set or distance[spot - 1] <= kth + TIE_M
            ) - max(0, len(ids) - len(truth))  # fmt: skip
    return checked


# --- the run ---------------------------------------------------------------------------------


async def build(store: str, args: argparse.Namespace, results: dict) -> None:
    async with fresh_url(store, args.postgres_url) as url:
        database = Database.from_url(url)
        try:
            began = time.perf_counter()
            city = await build_city(database, args.spots, seed=args.seed)
            build_s = time.perf_counter() - began
            # What an operator's upkeep keeps a production store in (`parkshare db cluster`).
            ordered = None if args.unordered else await order_by_place(database)
            await settle(database)
        finally:
            await database.close()
        measured = await asyncio.to_thread(run_child, url, args)
    results[store] = (city, build_s, measured)
    if ordered is not None and ordered.done:
        print(f"{store}: spots put in the order of their places in {ordered.seconds:.1f} s")


def _part(values: list[float], filtered: list[bool], which: bool) -> list[float]:
    return [value for value, flag in zip(values, filtered, strict=True) if flag == which]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spots", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--unordered", action="store_true",
        help="search the spots in the order they were listed, without `parkshare db cluster`",
    )  # fmt: skip
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
    brute = BruteForce(next(iter(results.values()))[0])
    checked = check(
        brute, {store: measured["found"] for store, (_, _, measured) in results.items()}, args
    )
    # Searches without a filter are the figure of merit; those with one are shown apart.
    filtered = [
        query.filters != SearchFilters() for query in queries(args.queries, args.seed, Box())
    ]
    brute_plain = _part(checked.timings_ms, filtered, False)
    brute_p50 = statistics.median(brute_plain)

    print(f"{args.spots:,} spots in a 50 x 50 km square, {args.queries:,} searches "
          f"({FILTERED_SHARE:.0%} with a filter), k={args.k}, "
          "2-hour windows in the week ahead")  # fmt: skip
    print(f"{'store':<16} {'build':>7} {'p50':>9} {'p99':>9} {'max':>9} {'found':>6} "
          f"{'recall':>7} {'x brute':>8} {'bot RSS':>8}")  # fmt: skip
    summary, failed = [], False
    for store, (_city, build_s, measured) in results.items():
        ms = [t * 1000 for t in measured["timings"]]
        unfiltered = _part(ms, filtered, False)
        p50, p99 = statistics.median(unfiltered), percentile(unfiltered, 0.99)
        ratio = brute_p50 / p50
        found = statistics.mean(len(ids) for ids in measured["found"])
        share = checked.recall(store)
        failed = failed or share != 1.0
        rss = measured["peak_rss_mb"]
        print(f"{store:<16} {build_s:>6.1f}s {p50:>7.2f}ms {p99:>7.2f}ms {max(ms):>7.2f}ms "
              f"{found:>6.1f} {share:>7.4f} {ratio:>7.1f}x {rss:>6.0f}MB")  # fmt: skip
        if with_filter := _part(ms, filtered, True):
            f50, f99 = statistics.median(with_filter), percentile(with_filter, 0.99)
            print(f"{'  with a filter':<16} {'':>7} {f50:>7.2f}ms {f99:>7.2f}ms "
                  f"{max(with_filter):>7.2f}ms")  # fmt: skip
        nothing_ms = [t * 1000 for t, _ in measured["nothing"]]
        radii = sorted(radius for _, radius in measured["nothing"])
        print(f"{'  nothing passes':<16} {'':>7} {statistics.median(nothing_ms):>7.2f}ms "
              f"{'':>9} {max(nothing_ms):>7.2f}ms "
              f"(looked {radii[0]:,.0f}-{radii[-1]:,.0f} m)")  # fmt: skip
        summary.append(f"{store} built in {build_s:.1f} s, p50 {p50:.2f} ms p99 {p99:.2f} ms "
                       f"({ratio:.0f}x the brute force), recall {share:.4f}, "
                       f"bot RSS {rss:.0f} MB")  # fmt: skip
    bp99 = percentile(brute_plain, 0.99)
    print(f"{'numpy brute':<16} {'':>7} {brute_p50:>7.2f}ms {bp99:>7.2f}ms "
          f"{max(brute_plain):>7.2f}ms")  # fmt: skip
    print(f"search: {args.spots:,} spots; " + "; ".join(summary))
    if failed:
        raise SystemExit("a search missed a spot the brute force found (recall below 1.0)")


if __name__ == "__main__":
    main()
