"""The Autotask emulator's REST API, called raw over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.emulators import AutotaskSim


@pytest.fixture
def api(autotask_sim: AutotaskSim) -> Iterator[httpx.Client]:
    """An HTTP client on the reset emulator's `V1.0/` API, as the announced API user."""
    with autotask_sim.api() as client:
        yield client
