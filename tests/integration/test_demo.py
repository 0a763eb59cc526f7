"""`make demo` runs `fieldbridge demo`: as a real process, every step must hold, each step reports the API
calls it cost, and the end state is in the Autotask emulator exactly once (read over HTTP with `--serve`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.support.emulators import FIELDBRIDGE

TICKET = 7002


def read_report(stdout: IO[str]) -> dict[str, Any]:
    """The JSON document `--json` prints (indented; it ends with a lone closing brace)."""
    lines = []
    for line in stdout:
        lines.append(line)
        if line.rstrip("\n") == "}":
            break
    report: dict[str, Any] = json.loads("".join(lines))
    return report


@pytest.mark.long
def test_every_step_holds_and_reports_its_calls() -> None:
    done = subprocess.run([FIELDBRIDGE, "demo", "--json"], capture_output=True, text=True, timeout=120)
    report = json.loads(done.stdout)
    assert done.returncode == 0, report
    assert report["ok"] is True
    steps = {step["name"]: step for step in report["steps"]}
    assert len(steps) == 17
    assert all(step["ok"] for step in steps.values()), steps
    assert all(step["autotask_calls"] >= 0 and step["fieldnation_calls"] >= 0 for step in steps.values())
    assert steps["Setup: save credentials (runs the connection test)"]["autotask_calls"] > 0
    assert (
        steps["Setup: trigger URL"]["autotask_calls"] == steps["Setup: trigger URL"]["fieldnation_calls"] == 0
    )
    # Field Nation fires nothing for a time log: nothing is read or written until the next event.
    silent = steps["Technician logs time"]
    assert (silent["autotask_calls"], silent["fieldnation_calls"], silent["events"]) == (0, 0, [])
    # Once linked, the closing notes cost one Autotask write and no read.
    assert steps["Technician adds closing notes"]["autotask_calls"] == 1
    assert report["seconds"] < 60


ENTITIES = ("Tickets", "TimeEntries", "ExpenseItems", "TicketNotes", "TicketAttachments")


@dataclass
class Served:
    process: subprocess.Popen[str]
    report: dict[str, Any]
    stderr: Path
    """Where the demo's log goes: a file, so a chatty shutdown never blocks on a pipe nobody reads."""
    autotask: dict[str, list[dict[str, Any]]]
    """The Autotask emulator's records once the demo is done, read before any test can stop the process:
    the tests hold whatever order they run in."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    stderr = tmp_path_factory.mktemp("demo") / "stderr.log"
    # faulthandler: a SIGABRT prints every thread's stack, which says where a stop that hangs is stuck.
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    # Started with SIGINT ignored, as a non-interactive shell starts a command in the background (CI
    # scripts, `make test &`): Ctrl+C must still stop it, whatever the test run was started from.
    command = ["sh", "-c", 'trap "" INT; exec "$0" "$@"', FIELDBRIDGE, "demo", "--serve", "--json"]
    with stderr.open("w") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    try:
        assert process.stdout is not None
        report = read_report(process.stdout)
        autotask = report["serve"]["autotask"]
        yield Served(process, report, stderr, {entity: records(autotask, entity) for entity in ENTITIES})
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def records(base: str, entity: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{base}/_sim/records/{entity}").raise_for_status()
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_the_end_state_is_in_autotask_exactly_once(served: Served) -> None:
    assert served.report["ok"] is True

    def of(entity: str, **match: Any) -> list[dict[str, Any]]:
        return [r for r in served.autotask[entity] if all(r.get(k) == v for k, v in match.items())]

    ticket = of("Tickets", id=TICKET)[0]
    assert ticket["status"] == 5  # Complete, through the status mapping of Work Done
    assert ticket["resolution"].startswith("Replaced the failed switch")
    entries = of("TimeEntries", ticketID=TICKET)
    assert [e for e in entries if e["hoursWorked"] == 1.5]
    assert len({e["summaryNotes"].split(")")[0] for e in entries}) == len(entries)  # one per time log
    assert len(of("ExpenseItems", ticketID=TICKET)) == 1
    # The technician's message, and the dispatcher's two notes (one of them also a message, never back).
    assert len(of("TicketNotes", ticketID=TICKET)) == 3
    assert [a["fullPath"] for a in of("TicketAttachments", parentID=TICKET)] == ["closet-after.jpg"]
    created = [t for t in of("Tickets") if str(t.get("externalID") or "").startswith("FN-")]
    assert [t["title"] for t in created] == ["Install badge reader at the loading dock"]


def test_serve_gives_a_working_login_and_stops_on_ctrl_c(served: Served) -> None:
    at = served.report["serve"]
    with httpx.Client(base_url=at["broker"]) as admin:
        login = {"username": at["username"], "password": at["password"]}
        assert admin.post("/v1/admin/session", json=login).status_code == 200
        connectors = admin.get("/v1/admin/connectors").raise_for_status().json()
        assert [c["name"] for c in connectors] == ["demo"]
    # The console is served at the address given; signed out, it asks to sign in.
    console = httpx.get(at["console"], follow_redirects=True)
    assert console.status_code == 200
    assert str(console.url).startswith(f"{at['broker']}/sign-in")
    served.process.send_signal(signal.SIGINT)
    try:
        code = served.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.process.send_signal(signal.SIGABRT)
        served.process.wait(timeout=10)
        pytest.fail(f"still running 30 s after Ctrl+C; its threads:\n{served.stderr.read_text()[-8000:]}")
    assert code == 0, served.stderr.read_text()[-8000:]
