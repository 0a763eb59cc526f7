"""The Autotask client against the running emulator over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fieldbridge.autotask import AutotaskClient, RequestBudget
from fieldbridge.sandbox.autotask.seed import FIELD_NATION_CODE
from tests.integration.autotask.connecting import FAST_RETRY, Connect
from tests.support.emulators import AutotaskSim


@pytest.fixture
def sim(autotask_sim: AutotaskSim) -> AutotaskSim:
    """The session's Autotask emulator (tests/conftest.py), reset: this suite's name for it."""
    return autotask_sim


@pytest.fixture
def connect(sim: AutotaskSim) -> Iterator[Connect]:
    """Make a client for a seeded user (by username prefix), pointed at the emulator's discovery URL."""
    clients: list[AutotaskClient] = []

    def make(prefix: str = "svc-fieldnation", **overrides: Any) -> AutotaskClient:
        user = sim.user(prefix)
        username = overrides.pop("username", user["username"])
        options: dict[str, Any] = {
            "secret": user["secret"],
            "integration_code": "",
            "default_integration_code": FIELD_NATION_CODE,
            "discovery_url": sim.url,
            "retry": FAST_RETRY,
            "budget": RequestBudget(1_000),
            "timeout": 5.0,
            **overrides,
        }
        client = AutotaskClient(username, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def autotask(connect: Connect) -> AutotaskClient:
    """The Field Nation API user's client, with the deployment's default integration code."""
    return connect()
