"""A consumer killed with SIGKILL while it holds a queue message it took but has not finished: the message
comes back after its lease (seconds), and another or a restarted consumer runs the event exactly once.

The handler kills its own process on the event's first attempt, so the process dies at a known point: it has
taken the message and claimed the event, and finished neither. The sweeper is slowed to an hour in these
tests, so that only the queue can bring the event back within the test's deadline."""

from __future__ import annotations

import json
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.integration.broker.processes import Fleet, fleet_in, parent_of, post_ticket, redis_fleet_in, status
from tests.integration.broker.recording_handlers import read_records
from tests.support.waiting import wait_until

LEASE_SECONDS = 1.0
REDELIVERED_WITHIN = 10.0
"""The test's deadline for a redelivered event to be done: a few message leases (each two LEASE_SECONDS),
against the sweeper's hour and the 900 s after which a message used to be presumed lost."""

STARTS_WITHIN = 20.0
"""How long a new consumer process may take to start on a busy machine (imports, migrations)."""

SLOW_SWEEPS = {"sweep_interval_seconds": "3600", "requeue_after_seconds": "3600"}


def assert_ran_once_after_the_crash(records: list[dict[str, Any]], event_id: int, dead_pid: int) -> int:
    """The first attempt started in the dead process and never ended; one more attempt ran to its end in
    another process. Returns that process's pid."""
    story = [(r["phase"], r["attempt"], r["pid"]) for r in records if r["event"] == event_id]
    assert story[0] == ("start", 1, dead_pid)
    rerun_pid = story[1][2]
    assert story[1:] == [("start", 2, rerun_pid), ("end", 2, rerun_pid)]
    assert rerun_pid != dead_pid
    return int(rerun_pid)


@pytest.fixture
def sqlite_fleet(tmp_path: Path) -> Iterator[Fleet]:
    with fleet_in(tmp_path, worker_threads="1", lease_seconds=str(LEASE_SECONDS), **SLOW_SWEEPS) as fleet:
        yield fleet


def queue_rows(fleet: Fleet) -> int:
    with sqlite3.connect(fleet.directory / "data" / "queue.db") as connection:
        return int(connection.execute("SELECT count(*) FROM task").fetchone()[0])


@pytest.mark.long
def test_embedded_a_message_taken_by_a_killed_consumer_is_run_once_by_the_one_serve_starts_again(
    sqlite_fleet: Fleet,
) -> None:
    fleet = sqlite_fleet
    token = fleet.add_connector()
    (fleet.directory / "plan.json").write_text(json.dumps({"die": [1]}))
    launched = fleet.launch()
    event_id = post_ticket(launched.url, token, 1)
    database = f"sqlite:///{fleet.directory / 'data' / 'fieldbridge.db'}"
    wait_until(
        lambda: status(database, event_id) == "done",
        timeout=REDELIVERED_WITHIN + STARTS_WITHIN,
        what="serve's next consumer process to run the event the killed one had taken",
    )
    records = read_records(fleet.directory)
    dead_pid = records[0]["pid"]
    rerun_pid = assert_ran_once_after_the_crash(records, event_id, dead_pid)
    assert launched.serve.poll() is None  # the receiver lived on; only its consumer process died
    assert parent_of(rerun_pid) == launched.serve.pid
    assert "the consumer process stopped (exit status -9); starting another" in fleet.logs()
    # The message is removed once its event is finished, and not before.
    wait_until(lambda: queue_rows(fleet) == 0, what="the finished event's message to be removed")


@pytest.fixture
def redis_fleet(tmp_path: Path, postgres_schema_url: str, redis_url: str) -> Iterator[Fleet]:
    with redis_fleet_in(
        tmp_path, postgres_schema_url, redis_url, lease_seconds=str(LEASE_SECONDS), **SLOW_SWEEPS
    ) as fleet:
        yield fleet


def redis_keys(fleet: Fleet) -> list[bytes]:
    """Whatever the queue keeps in Redis for this test's queue name (its messages, waiting or taken)."""
    client = redis.Redis.from_url(fleet.env["FIELDBRIDGE_QUEUE_URL"])
    try:
        return list(client.scan_iter(f"*{fleet.env['FIELDBRIDGE_QUEUE_NAME']}*"))
    finally:
        client.close()


@pytest.mark.long
@pytest.mark.services
def test_redis_a_message_taken_by_a_killed_worker_is_run_once_by_another(redis_fleet: Fleet) -> None:
    fleet = redis_fleet
    token = fleet.add_connector()
    (fleet.directory / "plan.json").write_text(json.dumps({"die": [1]}))
    launched = fleet.launch(workers=2, threads=1)
    event_id = post_ticket(launched.url, token, 1)
    wait_until(
        lambda: [worker for worker in launched.workers if worker.poll() is not None],
        timeout=30,
        what="the worker that took the message to die in the handler",
    )
    (dead,) = [worker for worker in launched.workers if worker.poll() is not None]
    (survivor,) = [worker for worker in launched.workers if worker.poll() is None]
    assert dead.returncode == -signal.SIGKILL

    database = fleet.env["FIELDBRIDGE_DATABASE_URL"]
    wait_until(
        lambda: status(database, event_id) == "done",
        timeout=REDELIVERED_WITHIN,
        what="the surviving worker to run the event the killed one had taken",
    )
    rerun_pid = assert_ran_once_after_the_crash(read_records(fleet.directory), event_id, dead.pid)
    assert rerun_pid == survivor.pid
    # The message is removed once its event is finished, and not before.
    wait_until(lambda: redis_keys(fleet) == [], what="the finished event's message to be removed")
