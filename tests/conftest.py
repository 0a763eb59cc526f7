"""Fixtures shared by every suite: the emulators served over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from fieldbridge.sandbox.server import running
from tests.support import ServedEmulator, wait_until


@dataclass
class AutotaskSim(ServedEmulator):
    """A running Autotask emulator: `url` is the zone-discovery base, `zone_url` the tenant's API base."""

    @property
    def creds(self) -> dict[str, str]:
        return dict(self.emulator.announce(self.url))

    @property
    def zone_url(self) -> str:
        return str(self.emulator.zone_url())

    def user(self, username_prefix: str) -> dict[str, Any]:
        from fieldbridge.sandbox.autotask.seed import seeded_users

        return next(u for u in seeded_users() if u["username"].startswith(username_prefix))

    def headers(
        self, username: str | None = None, secret: str | None = None, code: str | None = None
    ) -> dict[str, str]:
        creds = self.creds
        return {
            "UserName": username or creds["username"],
            "Secret": secret or creds["secret"],
            "ApiIntegrationCode": code or creds["integration_code"],
        }

    def calls(self) -> dict[str, Any]:
        return dict(self.control.get("/_sim/calls").json())

    def records(self, entity: str) -> list[dict[str, Any]]:
        return list(self.control.get(f"/_sim/records/{entity}").json()["items"])


@pytest.fixture(scope="session")
def _autotask_server() -> Iterator[tuple[FastAPI, str]]:
    from fieldbridge.sandbox.autotask.app import create_app

    app = create_app(webhook_speed=1000.0)
    with running(app) as server:
        app.state.emulator.set_base_url(server.url)
        yield app, server.url


@pytest.fixture
def autotask_sim(_autotask_server: tuple[FastAPI, str]) -> Iterator[AutotaskSim]:
    """The session's Autotask emulator, reset to its seed before each test."""
    app, url = _autotask_server
    with httpx.Client(base_url=url, timeout=30) as control:
        # A request an earlier test left hanging (a timeout fault) must not take a slot of this test's.
        wait_until(
            lambda: not control.get("/_sim/limits").json()["in_flight"],
            timeout=15,
            what="requests of the previous test to finish",
        )
        control.post("/_sim/reset").raise_for_status()
        control.put("/_sim/clock", json={"speed": 1000.0}).raise_for_status()
        yield AutotaskSim(app, url, control)
