"""`make soak`: the stories under many seeds' faults, each compared with one run without faults; a line per
seed with its differences, then the totals (events, faults fired by kind, kills, differences).

SOAK_SEEDS (how many, default 20) from SOAK_FIRST_SEED (default 1), stopping early once SOAK_SECONDS (default
900) have passed. PostgreSQL and Redis as for the tests: FIELDBRIDGE_TEST_POSTGRES_URL,
FIELDBRIDGE_TEST_REDIS_URL. Exit status 1 when any seed differed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tests.integration.convergence.play import Result, play, unexpected_endings
from tests.integration.convergence.snapshot import differences
from tests.integration.convergence.world import Broker, Services, broker, emulators
from tests.support.services import POSTGRES_URL, REDIS_URL

SEEDS_PER_BROKER = 40
"""`serve` keeps its share of Autotask's hourly request budget per API user (5,000), and every run's setup
(the connection test, Refresh Fields) spends some of it: a broker serves this many seeds, then a new one
takes over (the reference state does not depend on the broker)."""


def main() -> int:
    count = int(os.environ.get("SOAK_SEEDS", "20"))
    first = int(os.environ.get("SOAK_FIRST_SEED", "1"))
    budget = float(os.environ.get("SOAK_SECONDS", "900"))
    began = time.monotonic()
    totals: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    differing: list[int] = []
    seeds = list(range(first, first + count))
    with emulators() as emus:
        with _fresh_broker() as the_broker:
            reference = play(emus, the_broker, None)
        if wrong := reference.problems + unexpected_endings(reference):
            print("The run without faults did not end as the stories say:", *wrong, sep="\n  ")
            return 2
        print(f"reference run: {reference.events} events, {reference.seconds} s", flush=True)
        for block in range(0, len(seeds), SEEDS_PER_BROKER):
            with _fresh_broker() as the_broker:
                for seed in seeds[block : block + SEEDS_PER_BROKER]:
                    if time.monotonic() - began > budget:
                        break
                    result = play(emus, the_broker, seed)
                    found = result.problems + differences(reference.snapshot, result.snapshot)
                    _report(result, found)
                    totals.update(seeds=1, events=result.events, kills=result.kills, differences=len(found))
                    fired.update(result.fired)
                    if found:
                        differing.append(seed)
            if time.monotonic() - began > budget:
                print(f"stopped after {budget:.0f} s (SOAK_SECONDS)")
                break
    print(
        f"\n{totals['seeds']} seeds in {time.monotonic() - began:.0f} s: {totals['events']} events, "
        f"{sum(fired.values())} faults fired ({', '.join(f'{k} {v}' for k, v in sorted(fired.items()))}), "
        f"{totals['kills']} kills, {totals['differences']} difference lines in {len(differing)} seeds"
        + (f": {differing}" if differing else "")
    )
    return 1 if differing else 0


@contextlib.contextmanager
def _fresh_broker() -> Iterator[Broker]:
    with (
        tempfile.TemporaryDirectory(prefix="fieldbridge-soak-") as directory,
        broker(Services(POSTGRES_URL, REDIS_URL), Path(directory)) as the_broker,
    ):
        yield the_broker


def _report(result: Result, found: list[str]) -> None:
    faults = ", ".join(f"{k} {v}" for k, v in sorted(result.fired.items()) if v)
    verdict = "converged" if not found else f"{len(found)} difference lines"
    print(
        f"seed {result.seed}: {verdict}; {result.events} events, faults fired: {faults or 'none'}, "
        f"{result.kills} kills, {result.seconds} s",
        flush=True,
    )
    if found and result.schedule is not None:
        print(f"    kills before acts {list(result.schedule.kills)}; faults:")
        for i in result.schedule.injections:
            print(f"      before act {i.before_act}, {i.target}: {i.label} {i.spec}")
    for line in found:
        print(f"    {line}")


if __name__ == "__main__":
    sys.exit(main())
