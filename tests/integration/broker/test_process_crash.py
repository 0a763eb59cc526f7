"""Crash safety with real processes: `fieldbridge serve` (embedded SQLite queue) killed with SIGKILL after
it accepted events and before it processed them; after a restart each is processed exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from fieldbridge.store.database import create_database_engine
from fieldbridge.store.tables import InboxEvent
from tests.integration.broker.processes import QUICK_RECOVERY, Fleet, fleet_in
from tests.integration.broker.recording_handlers import read_records
from tests.support.waiting import wait_until


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    with fleet_in(tmp_path, worker_threads="1", **QUICK_RECOVERY) as fleet:
        yield fleet


def statuses(fleet: Fleet) -> dict[int, str]:
    engine = create_database_engine(f"sqlite:///{fleet.directory / 'data' / 'fieldbridge.db'}")
    try:
        with engine.connect() as connection:
            return {
                row.id: row.status for row in connection.execute(select(InboxEvent.id, InboxEvent.status))
            }
    finally:
        engine.dispose()


@pytest.mark.long
def test_accepted_events_survive_sigkill_and_run_exactly_once(fleet: Fleet) -> None:
    token = fleet.add_connector()
    (fleet.directory / "plan.json").write_text(json.dumps({"block": [1]}))
    server = fleet.launch()
    trigger = f"{server.url}/v1/broker/inbound"

    # Ticket 1 occupies the only worker thread (its handler is stuck in a slow call)...
    first = httpx.post(trigger, params={"client_token": token}, content=b'{"id": 1}')
    assert first.status_code == 202
    wait_until(lambda: read_records(fleet.directory), what="ticket 1's handler to start")
    # ...so ticket 2 is accepted and queued, but not processed, when the server dies.
    second = httpx.post(trigger, params={"client_token": token}, content=b'{"ticket_id": 2}')
    assert second.status_code == 202
    first_id, second_id = first.json()["event_id"], second.json()["event_id"]
    # Queued just after its answer (which waits for the store alone).
    queued = {first_id: "processing", second_id: "queued"}
    wait_until(lambda: statuses(fleet) == queued, what="ticket 2 to be queued behind ticket 1")
    fleet.kill(server.serve)

    (fleet.directory / "release").touch()
    fleet.launch()
    done = {first_id: "done", second_id: "done"}
    wait_until(lambda: statuses(fleet) == done, timeout=20, what="both events done after the restart")

    records = read_records(fleet.directory)
    phases = sorted((record["event"], record["phase"], record["attempt"]) for record in records)
    assert phases == [
        (
            first_id,
            "end",
            2,
        ),  # the run cut short by SIGKILL never ended; the rerun after the lease ran out did
        (first_id, "start", 1),
        (first_id, "start", 2),
        (second_id, "end", 1),  # accepted before the crash, processed once after it
        (second_id, "start", 1),
    ]
