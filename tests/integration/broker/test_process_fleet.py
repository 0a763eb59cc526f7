"""PostgreSQL + Redis with real processes: one `fieldbridge serve` (receiving only) and two
`fieldbridge worker`s. No pair is ever worked on by two workers at once, no event is lost, and a worker
killed with SIGKILL leaves nothing behind: its events are finished exactly once by the other."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from fieldbridge.store.database import create_database_engine
from fieldbridge.store.tables import InboxEvent
from tests.integration.broker.processes import QUICK_RECOVERY, Fleet, redis_fleet_in
from tests.integration.broker.recording_handlers import read_records
from tests.support.waiting import wait_until

pytestmark = pytest.mark.services


@pytest.fixture
def fleet(tmp_path: Path, postgres_schema_url: str, redis_url: str) -> Iterator[Fleet]:
    with redis_fleet_in(tmp_path, postgres_schema_url, redis_url, **QUICK_RECOVERY) as fleet:
        yield fleet


def statuses(fleet: Fleet) -> dict[int, str]:
    engine = create_database_engine(fleet.env["FIELDBRIDGE_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return {
                row.id: row.status for row in connection.execute(select(InboxEvent.id, InboxEvent.status))
            }
    finally:
        engine.dispose()


def webhook(ticket: int, sequence: int) -> bytes:
    payload = {
        "Action": "Update",
        "Guid": "wh-1",
        "EntityType": "Ticket",
        "Id": ticket,
        "SequenceNumber": sequence,
    }
    return json.dumps(payload).encode()


def by_event(records: list[dict[str, Any]]) -> dict[int, list[tuple[str, int]]]:
    story: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for record in records:
        story[record["event"]].append((record["phase"], record["pid"]))
    return story


@pytest.mark.long
def test_two_workers_never_share_a_pair_and_lose_nothing(fleet: Fleet) -> None:
    token = fleet.add_connector()
    (fleet.directory / "plan.json").write_text(json.dumps({"work_seconds": 0.05}))
    launched = fleet.launch(workers=2, threads=3)
    url, workers = launched.url, {worker.pid for worker in launched.workers}

    # More pairs than one worker has threads, several events each: both workers get pairs, and events of
    # one pair reach both (the one without the pair's lock must wait for it).
    deliveries = [webhook(ticket, sequence) for sequence in range(4) for ticket in range(1, 9)]
    with ThreadPoolExecutor(8) as pool, httpx.Client(base_url=url) as http:
        answers = list(
            pool.map(
                lambda body: http.post("/v1/broker/inbound", params={"client_token": token}, content=body),
                deliveries,
            )
        )
    assert [answer.status_code for answer in answers] == [202] * len(deliveries)
    event_ids = {answer.json()["event_id"] for answer in answers}
    assert len(event_ids) == len(deliveries)

    wait_until(
        lambda: statuses(fleet) == dict.fromkeys(event_ids, "done"), timeout=45, what="every event processed"
    )
    records = read_records(fleet.directory)
    assert [record for record in records if record["phase"] == "overlap"] == []
    story = by_event(records)
    assert set(story) == event_ids
    for event_id, phases in story.items():  # exactly once each: one start, one end, in one process
        assert [phase for phase, _ in phases] == ["start", "end"], (event_id, phases)
        assert phases[0][1] == phases[1][1]
    assert {pid for phases in story.values() for _, pid in phases} == workers  # both did real work

    # And by the clock: per pair, one handler call ends before the next begins.
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    starts = {(r["event"], r["attempt"]): r["t"] for r in records if r["phase"] == "start"}
    for record in records:
        if record["phase"] == "end":
            spans[record["pair"]].append((starts[(record["event"], record["attempt"])], record["t"]))
    for pair, intervals in spans.items():
        intervals.sort()
        for (_, end), (start, _) in pairwise(intervals):
            assert end <= start, f"two handlers overlapped on {pair}"


@pytest.mark.long
def test_a_killed_worker_leaves_its_events_to_the_other_exactly_once(fleet: Fleet) -> None:
    token = fleet.add_connector()
    (fleet.directory / "plan.json").write_text(json.dumps({"block": [1, 2]}))
    launched = fleet.launch(workers=2, threads=1)
    url, workers = launched.url, launched.workers

    def post(ticket: int) -> int:
        answer = httpx.post(
            f"{url}/v1/broker/inbound", params={"client_token": token}, content=str(ticket).encode()
        )
        assert answer.status_code == 202
        return int(answer.json()["event_id"])

    # Each worker gets stuck on one ticket; ticket 3 is accepted and waits in Redis with nobody free.
    stuck = [post(1), post(2)]
    wait_until(lambda: len(read_records(fleet.directory)) == 2, what="both workers busy")
    waiting = post(3)
    # The answer comes once the event is stored; the hand-off to Redis follows it on the intake's own thread.
    wait_until(lambda: statuses(fleet)[waiting] == "queued", what="ticket 3 queued with nobody free")
    victim_pid = next(r["pid"] for r in read_records(fleet.directory) if r["event"] == stuck[0])
    victim = next(worker for worker in workers if worker.pid == victim_pid)
    survivor = next(worker for worker in workers if worker.pid != victim_pid)
    fleet.kill(victim)

    (fleet.directory / "release").touch()
    every = [*stuck, waiting]
    wait_until(
        lambda: statuses(fleet) == dict.fromkeys(every, "done"), timeout=30, what="all done by the survivor"
    )

    story = by_event(read_records(fleet.directory))
    ends = {event_id: [pid for phase, pid in phases if phase == "end"] for event_id, phases in story.items()}
    assert ends == {event_id: [survivor.pid] for event_id in every}
    assert [phase for phase, _ in story[stuck[0]]] == ["start", "start", "end"]  # cut short once, rerun once
