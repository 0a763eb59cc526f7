"""The convergence suite's shared parts: the emulators and the broker's processes, started once for the
session, and the reference run (the stories without faults) every seed is compared with."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.integration.convergence.play import Result, play, played_once
from tests.integration.convergence.world import Broker, Emulators, Services, broker, emulators


@pytest.fixture(scope="session")
def convergence_emulators() -> Iterator[Emulators]:
    with emulators() as emus:
        yield emus


@pytest.fixture(scope="session")
def convergence_broker(
    postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Broker]:
    directory = Path(tmp_path_factory.mktemp("convergence"))
    with broker(Services(postgres_url, redis_url), directory) as the_broker:
        yield the_broker


@pytest.fixture(scope="session")
def reference(
    convergence_emulators: Emulators,
    convergence_broker: Broker,
    tmp_path_factory: pytest.TempPathFactory,
    worker_id: str,
) -> Result:
    """The stories without faults or kills: the state every seed must reach (each test checks first that it
    ended as the stories say). Played once per run: test processes share the directory above their own."""
    play_it = partial(play, convergence_emulators, convergence_broker, None)
    if worker_id == "master":  # not distributed: the directory above is shared by every run
        return play_it()
    return played_once(tmp_path_factory.getbasetemp().parent / "convergence-reference.json", play_it)
