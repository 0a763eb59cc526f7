"""Helpers every test may use: polling with a deadline (never a bare sleep), service requirements, and what
both emulators' test handles share."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T | None], timeout: float = 10.0, interval: float = 0.02, what: str = ""
) -> T:
    """Call `probe` until it returns something truthy; fail with `what` once `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or probe!r}")
        time.sleep(interval)


def services_required() -> bool:
    return os.environ.get("FIELDBRIDGE_REQUIRE_SERVICES") == "1"


def unavailable(service: str, why: str) -> None:
    """Skip locally, fail in CI: CI sets FIELDBRIDGE_REQUIRE_SERVICES=1 so a missing service is an error."""
    message = f"{service} is not reachable ({why}); start it or set its URL in the environment"
    if services_required():
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class ServedEmulator:
    """An emulator app served on loopback: `url` is its base, `control` an HTTP client on it for `/_sim/`."""

    app: FastAPI
    url: str
    control: httpx.Client

    @property
    def emulator(self) -> Any:
        return self.app.state.emulator

    def fault(self, **spec: Any) -> dict[str, Any]:
        """Inject a fault through `/_sim/faults` (the same in both emulators); returns it as stored."""
        response = self.control.post("/_sim/faults", json=spec)
        assert response.status_code == 201, response.text
        return dict(response.json())
