"""The Autotask client against the running emulator over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fieldbridge.autotask import AutotaskClient, RequestBudget, Retry
from fieldbridge.sandbox.autotask.seed import FIELD_NATION_CODE, seeded_users
from tests.conftest import AutotaskSim

# Short waits so that retry tests stay fast; the shape of the backoff is the same as in production.
FAST_RETRY = Retry(attempts=4, base_delay=0.05, max_delay=0.2)


@dataclass
class Sim:
    url: str
    emulator: Any
    control: httpx.Client

    @property
    def zone_url(self) -> str:
        return str(self.emulator.zone_url())

    def user(self, prefix: str) -> dict[str, Any]:
        return next(u for u in seeded_users() if u["username"].startswith(prefix))

    def headers(self, prefix: str = "svc-fieldnation") -> dict[str, str]:
        user = self.user(prefix)
        return {
            "UserName": user["username"],
            "Secret": user["secret"],
            "ApiIntegrationCode": user["integration_code"],
        }

    def fault(self, **spec: Any) -> None:
        self.control.post("/_sim/faults", json=spec).raise_for_status()

    def calls(self, route: str | None = None) -> int:
        """Calls the emulator answered on `route` (e.g. "GET /V1.0/Tickets/{id}"), or all of them."""
        items = self.control.get("/_sim/calls").json()["items"]
        return sum(i["count"] for i in items if route is None or i["route"].lower() == route.lower())

    def attempts(self, method: str, fragment: str) -> int:
        """Requests whose route or path contains `fragment` (a call to a zone the tenant is not in is counted
        under its raw path)."""
        items = self.control.get("/_sim/calls").json()["items"]
        return sum(
            i["count"] for i in items if i["method"] == method and fragment.lower() in i["route"].lower()
        )

    def routes(self) -> set[str]:
        return {i["route"] for i in self.control.get("/_sim/calls").json()["items"]}

    def records(self, entity: str) -> list[dict[str, Any]]:
        return list(self.control.get(f"/_sim/records/{entity}").json()["items"])

    def limits(self, **change: Any) -> dict[str, Any]:
        response = self.control.put("/_sim/limits", json=change)
        response.raise_for_status()
        return dict(response.json())


@pytest.fixture
def sim(autotask_sim: AutotaskSim) -> Sim:
    """The session's Autotask emulator (tests/conftest.py), reset, with the client suite's helpers."""
    return Sim(autotask_sim.url, autotask_sim.emulator, autotask_sim.control)


Connect = Callable[..., AutotaskClient]


@pytest.fixture
def connect(sim: Sim) -> Iterator[Connect]:
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
