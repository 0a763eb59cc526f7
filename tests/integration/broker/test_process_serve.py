"""`fieldbridge serve` with the embedded queue processes events in a consumer process of its own, which it
starts and stops: processing never runs on the receiver's interpreter."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.integration.broker.processes import fleet_in, parent_of, post_ticket, status
from tests.integration.broker.recording_handlers import read_records
from tests.support.waiting import wait_until


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_processes_events_in_a_consumer_process_it_starts_and_stops(tmp_path: Path) -> None:
    with fleet_in(tmp_path, worker_threads="1") as fleet:
        token = fleet.add_connector()
        launched = fleet.launch()
        event_id = post_ticket(launched.url, token, 1)
        database = f"sqlite:///{fleet.directory / 'data' / 'fieldbridge.db'}"
        wait_until(lambda: status(database, event_id) == "done", timeout=30, what="the event to be processed")
        (consumer,) = {record["pid"] for record in read_records(fleet.directory)}
        assert consumer != launched.serve.pid
        assert parent_of(consumer) == launched.serve.pid

        launched.serve.send_signal(signal.SIGTERM)
        launched.serve.wait(timeout=30)
        wait_until(lambda: not _alive(consumer), timeout=10, what="the consumer to stop with serve")
