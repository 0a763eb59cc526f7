"""Autotask's limits kept across the processes of a deployment (in the database, or in Redis): real processes
calling one emulator tenant through the flows' client factory, judged by what the emulator saw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from fieldbridge.sandbox.autotask.seed import FIELD_NATION_CODE
from fieldbridge.store.database import create_database_engine, migrate
from fieldbridge.store.tables import AutotaskPause
from tests.support.emulators import AutotaskSim
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["database", "redis"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Where the processes count: a migrated SQLite database, or Redis (with keys of this test's own)."""
    database_url = f"sqlite:///{tmp_path / 'fieldbridge.db'}"
    engine = create_database_engine(database_url)
    migrate(engine)
    engine.dispose()
    limits_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    return {"database_url": database_url, "limits_url": limits_url, "namespace": f"test-{uuid.uuid4().hex}"}


@contextmanager
def callers(sim: AutotaskSim, deployment: dict[str, str], n: int, **spec: Any) -> Iterator[list[Caller]]:
    user = sim.user("svc-fieldnation")
    full = {
        "discovery_url": sim.url,
        "username": user["username"],
        "secret": user["secret"],
        "integration_code": FIELD_NATION_CODE,
        **deployment,
        **spec,
    }
    started = [Caller(full) for _ in range(n)]
    try:
        for caller in started:
            caller.wait_ready()
        yield started
    finally:
        for caller in started:
            caller.stop()


class Caller:
    """One process (tests/integration/autotask/shared_caller.py), ready to call when told to."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.autotask.shared_caller", json.dumps(spec)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def wait_ready(self) -> None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line == "ready", f"{line!r}: {self.stderr()}"

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def result(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, self.stderr()
        return dict(json.loads(line))

    def stderr(self) -> str:
        self.stop()
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def pause_recorded(deployment: dict[str, str], sim: AutotaskSim) -> bool:
    """Whether a pause of the API user is recorded where the processes count (the store's own layout)."""
    user = sim.user("svc-fieldnation")["username"].lower()
    if deployment["limits_url"]:
        client = redis.Redis.from_url(deployment["limits_url"])
        try:
            return bool(client.exists(f"{deployment['namespace']}:autotask:pause:{user}"))
        finally:
            client.close()
    engine = create_database_engine(deployment["database_url"])
    try:
        with engine.connect() as connection:
            return (
                connection.execute(select(AutotaskPause).where(AutotaskPause.api_user == user)).first()
                is not None
            )
    finally:
        engine.dispose()


def test_four_processes_never_exceed_three_in_flight_or_the_share(
    autotask_sim: AutotaskSim, deployment: dict[str, str]
) -> None:
    sim = autotask_sim
    # The tenant's threshold is 400 an hour (ThresholdInformation says so); this deployment's share, 100.
    sim.limits(request_threshold=400)
    sim.fault(kind="latency", method="GET", path="/V1.0/Tickets/", seconds=0.03)
    with callers(sim, deployment, 4, share=0.25, threads=4, requests=10) as processes:
        for process in processes:
            process.go()
        results = [process.result() for process in processes]

    outcomes = [r["outcomes"] for r in results]
    limits = sim.control.get("/_sim/limits").json()
    peaks = {p["endpoint"]: p["peak"] for p in limits["peak_in_flight"]}
    assert peaks["tickets"] == 3, peaks  # 16 threads wanted in at once; 3 were let in
    assert "429 thread threshold" not in sim.routes()
    # Every request the emulator saw (the 4 ThresholdInformation reads among them) drew on the share.
    assert limits["current_hour_requests"] == 100
    assert sum(o.get("answered", 0) for o in outcomes) == 96, outcomes
    assert sum(o.get("budget", 0) for o in outcomes) == 160 - 96, outcomes
    assert all(set(o) <= {"answered", "budget"} for o in outcomes), outcomes


def test_a_429_one_process_gets_pauses_the_others(
    autotask_sim: AutotaskSim, deployment: dict[str, str]
) -> None:
    sim = autotask_sim
    with callers(sim, deployment, 2, share=0.5, threads=1, requests=1) as (first, second):
        sim.fault(
            kind="status",
            status=429,
            method="GET",
            path="/V1.0/Tickets/",
            count=1,
            headers={"Retry-After": "2"},
        )
        first.go()
        wait_until(lambda: pause_recorded(deployment, sim), what="the first process's 429 to pause everyone")
        second.go()
        held, retried = second.result(), first.result()

    assert retried["outcomes"] == {"answered": 1}
    assert held["outcomes"] == {"answered": 1}
    # The second process never saw the 429; it waited out what was left of the first one's pause.
    assert sim.count("GET /V1.0/Tickets/{id} [injected status]") == 1
    assert held["seconds"] >= 1.0, held
    assert sim.count("GET /V1.0/Tickets/{id}") == 2
