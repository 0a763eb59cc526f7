"""The convergence suite's shared parts: the emulators and the broker's processes, started once for the
session, and the reference run (the stories without faults) every seed is compared with."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.integration.broker.conftest import REDIS_URL, postgres_url
from tests.integration.convergence.play import Result, play
from tests.integration.convergence.world import Broker, Emulators, Services, broker, emulators
from tests.support import unavailable

__all__ = ["postgres_url"]  # the broker suite's fixture: the test database, created if missing


@pytest.fixture(scope="session")
def convergence_emulators() -> Iterator[Emulators]:
    with emulators() as emus:
        yield emus


@pytest.fixture(scope="session")
def convergence_broker(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable("Redis", str(error))
    finally:
        client.close()
    directory = Path(tmp_path_factory.mktemp("convergence"))
    with broker(Services(postgres_url, REDIS_URL), directory) as the_broker:
        yield the_broker


@pytest.fixture(scope="session")
def reference(convergence_emulators: Emulators, convergence_broker: Broker) -> Result:
    """The stories without faults or kills: the state every seed must reach (each test checks first that it
    ended as the stories say)."""
    return play(convergence_emulators, convergence_broker, None)
