"""The money simulation (``bench/money_world.py``) run for a while against a fresh database:
steps a second, what the steps came to, and every breach of the money audit.

Actors take random steps in rounds (each actor ``--steps-per-turn`` steps, all at once); after
every round, with no transaction half-done, the audit checks every booking's money against its
state. Afterwards everything still on its way is delivered and the sweeps settle the money, and
the audit runs once more. The exit status is 1 if the audit found anything, or a step failed
with anything but a domain refusal.

    python -m bench.money_soak --seconds 60                              # SQLite, in a temp dir
    python -m bench.money_soak --seconds 300 --postgres-url URL          # a new PostgreSQL database
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections import Counter

from bench.money_world import MoneyWorld, Results
from bench.stores import fresh_database

SHOWN = 10


async def soak(args: argparse.Namespace) -> tuple[str, Results]:
    store = "postgresql" if args.postgres_url else "sqlite"
    async with fresh_database(store, args.postgres_url) as db:
        world = MoneyWorld(
            db, seed=args.seed, actors=args.actors, steps_per_turn=args.steps_per_turn
        )
        await world.set_up()
        return store, await world.run(seconds=args.seconds)


def report(store: str, args: argparse.Namespace, results: Results) -> None:
    print(
        f"money soak on {store}: {results.steps:,} steps in {results.seconds:.1f} s "
        f"({results.steps_per_s:.0f} steps/s) by {args.actors} actors, seed {args.seed}; "
        f"{results.rounds:,} rounds, {results.audits:,} audits"
    )
    print("outcomes:")
    for outcome, count in sorted(results.outcomes.items()):
        print(f"  {count:>7,}  {outcome}")
    print("in the store at the end:")
    for what, count in sorted(results.tally.items()):
        print(f"  {count:>7,}  {what}")
    print(f"audit violations: {len(results.violations)}")
    for violation in results.violations[:SHOWN]:
        print(f"  {violation}")
    print(f"unexpected exceptions: {len(results.failures)}")
    for kind, count in Counter(map(str, results.failures)).most_common(SHOWN):
        print(f"  {count:>5}  {kind}")
    if results.failures:
        # Where it was raised, and the exception: the frames inside SQLAlchemy say little.
        print("the first one, in short:")
        print("\n".join(results.failures[0].trace.splitlines()[:12]))
        print("  ...\n" + "\n".join(results.failures[0].trace.splitlines()[-4:]))


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to keep stepping")
    parser.add_argument(
        "--postgres-url", help="a PostgreSQL server to create a fresh database on (else SQLite)"
    )
    parser.add_argument("--actors", type=positive, default=16, help="concurrent actors")
    parser.add_argument(
        "--steps-per-turn", type=positive, default=2, help="steps each actor takes per round"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the actors' choices")
    args = parser.parse_args()
    # The gateway refuses on purpose now and then; the sweep's warning for each is noise here.
    logging.getLogger("core.services.money_movement").setLevel(logging.ERROR)
    store, results = asyncio.run(soak(args))
    report(store, args, results)
    if results.violations or results.failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
