"""The sync flows against both emulators over real HTTP, through the real worker (inbox, pair lock,
handler, history) with events processed synchronously (tests/integration/sync/bridge.py), each test on a copy
of the session's migrated store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fieldbridge.sandbox.server import running
from fieldbridge.web.app import create_app
from tests.integration.sync.bridge import Bridge
from tests.integration.sync.scenario import complete_set
from tests.support.emulators import AutotaskSim, FieldNationSim, serve_fieldnation
from tests.support.served import with_api_token
from tests.support.stores import copy_store


@pytest.fixture(scope="module")
def fn_server() -> Iterator[FieldNationSim]:
    with serve_fieldnation(max_upload_bytes=8 * 1024 * 1024) as sim:
        yield sim


@pytest.fixture
def bridge(
    tmp_path: Path, migrated_store: Path, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> Iterator[Bridge]:
    copy_store(migrated_store, tmp_path)
    b = Bridge(tmp_path, autotask_sim, fn_sim)
    yield b
    b.close()


@pytest.fixture
def admin_api(bridge: Bridge) -> Iterator[httpx.Client]:
    """The broker's admin API over HTTP on the bridge's own store."""
    with (
        running(create_app(bridge.settings, consume=False)) as server,
        with_api_token(bridge.db, server.url) as client,
    ):
        yield client


@pytest.fixture
def creating(bridge: Bridge) -> Bridge:
    """The bridge with Outbound Create on and the six required ticket fields mapped."""
    bridge.change(outbound_create=True)
    bridge.save_mappings(complete_set())
    return bridge
