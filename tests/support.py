"""Helpers every test may use: polling with a deadline (never a bare sleep) and service requirements."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

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
