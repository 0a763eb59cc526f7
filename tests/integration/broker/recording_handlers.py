"""Event handlers for the process tests, loaded by real `fieldbridge serve` / `worker` processes through
`FIELDBRIDGE_HANDLER_MODULES=tests.integration.broker.recording_handlers`.

They work in the directory named by `FIELDBRIDGE_TEST_HANDLER_DIR`, which every process shares:
- `records.jsonl`: one line per start, end or overlap (appended in one write, so lines never interleave);
- `plan.json` (optional), read on every call:
  `{"block": [record ids that wait for a file named "release"], "fail": {"<record id>": failing attempts},
    "leak": [record ids whose failure message quotes the connector's Autotask secret],
    "die": [record ids whose first attempt kills its own process with SIGKILL, mid-handler],
    "work_seconds": time each call spends working}`;
- `busy-<pair>`: exists while a handler works on that pair. Finding it taken by a live process means two
  workers are on one pair at once, which is recorded as an "overlap" (the per-pair lock must prevent it).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fieldbridge.jobs.handlers import HandlerRegistry, Job
from fieldbridge.jobs.outcome import Outcome

DIRECTORY_ENV = "FIELDBRIDGE_TEST_HANDLER_DIR"


def register(registry: HandlerRegistry) -> None:
    registry.register("autotask", "Ticket", handle)
    registry.register("fieldnation", "workorder", handle)


def handle(job: Job) -> Outcome:
    directory = Path(os.environ[DIRECTORY_ENV])
    plan_file = directory / "plan.json"
    plan: dict[str, Any] = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    pair = f"{job.system}-{job.entity}-{job.record_id}"
    _record(directory, "start", job, pair)
    if job.attempt == 1 and job.record_id in plan.get("die", []):
        os.kill(os.getpid(), signal.SIGKILL)  # the process dies holding the event's queue message
    with _exclusive(directory, job, pair):
        if job.record_id in plan.get("block", []):
            while not (directory / "release").exists():
                time.sleep(0.02)  # a handler stuck in a slow call, until the test lets it go
        time.sleep(plan.get("work_seconds", 0.0))
        if job.attempt <= plan.get("fail", {}).get(str(job.record_id), 0):
            secret = job.connector.autotask_secret
            quoted = (
                secret.get_secret_value() if secret and job.record_id in plan.get("leak", []) else "(none)"
            )
            raise RuntimeError(f"Autotask refused the call for user svc with secret {quoted}")
    _record(directory, "end", job, pair)
    return Outcome.ignored(f"{job.entity} {job.record_id}", f"Recorded by process {os.getpid()}.")


@contextlib.contextmanager
def _exclusive(directory: Path, job: Job, pair: str) -> Iterator[None]:
    marker = directory / f"busy-{pair}"
    try:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        holder = marker.read_text()
        if not holder or _alive(int(holder)):  # empty: its creator is writing its pid right now
            _record(directory, "overlap", job, pair)
        # Left behind by a process that was killed while working on this pair: take it over.
        fd = os.open(marker, os.O_WRONLY | os.O_TRUNC)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _record(directory: Path, phase: str, job: Job, pair: str) -> None:
    # CLOCK_MONOTONIC is one clock for every process on this machine, so times compare across workers.
    line = json.dumps(
        {
            "phase": phase,
            "event": job.event_id,
            "pair": pair,
            "attempt": job.attempt,
            "pid": os.getpid(),
            "t": time.monotonic(),
        }
    )
    fd = os.open(directory / "records.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def read_records(directory: Path) -> list[dict[str, Any]]:
    path = directory / "records.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]
