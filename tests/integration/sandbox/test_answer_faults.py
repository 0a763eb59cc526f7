"""The faults that lose answers, over real HTTP on both emulators: `lost_answer` (the service applies the
write, the client gets a gateway error or times out) and `late_apply` (the client gets an error at once, the
service applies the write seconds later)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.emulators import AutotaskSim, FieldNationSim, ServedEmulator
from tests.support.waiting import wait_until


@dataclass
class Writes:
    """One kind of write on one emulator: a note on a ticket, or a message on a work order."""

    sim: ServedEmulator
    path: str
    """The write's path, as a fault's `path` regex (anchored at its end)."""
    route: str
    """The route template its calls are counted under."""
    created: int
    """The status the service answers a write with."""
    send: Callable[[str, float], httpx.Response]
    """Write a record carrying a marker, with this read timeout."""
    texts: Callable[[], list[str]]
    """The texts of the records of that kind, read without a fault in the way."""

    def fault(self, **spec: Any) -> dict[str, Any]:
        return self.sim.fault(method="POST", path=f"{self.path}$", **spec)

    def write(self, timeout: float = 10.0) -> tuple[str, httpx.Response]:
        marker = f"written {uuid.uuid4()}"
        return marker, self.send(marker, timeout)

    def stored(self, marker: str) -> int:
        return sum(marker in text for text in self.texts())

    def calls(self) -> dict[str, int]:
        """POSTs on the write's route, by route as counted (injected answers marked)."""
        items = self.sim.control.get("/_sim/calls").json()["items"]
        return {i["route"]: i["count"] for i in items if i["route"].startswith(self.route)}

    def late_applies(self) -> dict[str, Any]:
        return dict(self.sim.control.get("/_sim/faults/late-applies").json())


def _autotask(sim: AutotaskSim) -> Writes:
    api = f"{sim.zone_url}V1.0/"

    def send(marker: str, timeout: float) -> httpx.Response:
        note = {"description": marker, "noteType": 2, "publish": 1, "title": "Site visit"}
        return httpx.post(f"{api}Tickets/7001/Notes", json=note, headers=sim.headers(), timeout=timeout)

    def texts() -> list[str]:
        return [str(n.get("description")) for n in sim.records("TicketNotes")]

    return Writes(sim, "/Tickets/7001/Notes", "POST /V1.0/Tickets/{parentId}/Notes", 200, send, texts)


def _fieldnation(sim: FieldNationSim) -> Writes:
    wo = sim.seeded("Assigned")
    path = f"/api/rest/v2/workorders/{wo}/messages"
    token = sim.token()

    def send(marker: str, timeout: float) -> httpx.Response:
        return httpx.post(
            sim.url + path, params={"access_token": token}, json={"message": marker}, timeout=timeout
        )

    def texts() -> list[str]:
        listed = sim.control.get(path, params={"access_token": token}).json()
        return [str(m["message"]) for m in listed["results"]]

    return Writes(sim, path, "POST /api/rest/v2/workorders/{work_order_id}/messages", 201, send, texts)


@pytest.fixture(params=["autotask", "fieldnation"])
def writes(request: pytest.FixtureRequest) -> Writes:
    if request.param == "autotask":
        return _autotask(request.getfixturevalue("autotask_sim"))
    return _fieldnation(request.getfixturevalue("fn_sim"))


def test_a_lost_answer_is_applied_and_answered_with_a_gateway_error(writes: Writes) -> None:
    writes.fault(kind="lost_answer", count=1)
    lost, answer = writes.write()
    assert answer.status_code == 502
    assert writes.stored(lost) == 1
    kept, again = writes.write()
    assert again.status_code == writes.created
    assert writes.stored(kept) == 1
    assert writes.calls() == {writes.route: 1, f"{writes.route} [injected lost_answer]": 1}


def test_a_lost_answer_slower_than_the_client_times_it_out_after_the_write(writes: Writes) -> None:
    writes.fault(kind="lost_answer", seconds=1.5, count=1)
    with pytest.raises(httpx.ReadTimeout):
        writes.send("written, then timed out", 0.3)
    assert writes.stored("written, then timed out") == 1  # already there when the client gave up
    # The emulator still holds the request; the next test's reset must not come before it is answered.
    wait_until(
        lambda: writes.calls() == {f"{writes.route} [injected lost_answer]": 1},
        timeout=5,
        what="the emulator to answer the request the client gave up on",
    )


def test_a_late_apply_answers_at_once_and_the_record_appears_after_the_delay(writes: Writes) -> None:
    writes.fault(kind="late_apply", seconds=0.5, count=1)
    marker, answer = writes.write()
    assert answer.status_code == 504
    assert writes.stored(marker) == 0
    assert writes.late_applies()["pending"] == 1
    wait_until(lambda: writes.stored(marker) == 1, timeout=5, what="the late write to be applied")
    late = wait_until(lambda: (s := writes.late_applies())["pending"] == 0 and s, what="the apply to finish")
    applied = [(a["method"], a["route"], a["status"]) for a in late["applied"]]
    assert applied == [("POST", writes.route, writes.created)]
    # One call from the client, counted once, as the injected answer it got.
    assert writes.calls() == {f"{writes.route} [injected late_apply]": 1}


def test_late_applies_fire_their_count_and_all_land(writes: Writes) -> None:
    writes.fault(kind="late_apply", seconds=0.05, count=2)
    results = [writes.write() for _ in range(3)]
    assert [answer.status_code for _, answer in results] == [504, 504, writes.created]
    wait_until(
        lambda: all(writes.stored(marker) == 1 for marker, _ in results), what="every write to be applied"
    )


def test_lost_answers_with_a_probability_lose_some_answers_and_no_write(writes: Writes) -> None:
    writes.fault(kind="lost_answer", probability=0.5, status=503)
    results = [writes.write() for _ in range(30)]
    lost = [answer.status_code for _, answer in results].count(503)
    assert 3 < lost < 27
    assert all(writes.stored(marker) == 1 for marker, _ in results)
    assert writes.calls()[f"{writes.route} [injected lost_answer]"] == lost


def test_a_reset_cancels_a_late_apply_not_yet_applied(writes: Writes) -> None:
    writes.fault(kind="late_apply", seconds=30, count=1)
    writes.write()
    assert writes.late_applies()["pending"] == 1
    writes.sim.control.post("/_sim/reset").raise_for_status()
    wait_until(lambda: writes.late_applies() == {"pending": 0, "applied": []}, timeout=5, what="cancellation")


@pytest.mark.parametrize(
    ("spec", "fix"),
    [
        ({"kind": "late_apply", "scope": "webhook"}, "kind 'late_apply' applies to requests only: use scope"),
        ({"kind": "latency", "seconds": 1, "status": 503}, "so status would do nothing: leave it out"),
        ({"kind": "timeout", "headers": {"Retry-After": "1"}}, "so headers would do nothing"),
        ({"kind": "lost_answer", "status": 200}, "greater than or equal to 400"),
    ],
)
def test_a_fault_spec_that_cannot_work_is_refused_with_what_to_change(
    writes: Writes, spec: dict[str, Any], fix: str
) -> None:
    refused = writes.sim.control.post("/_sim/faults", json=spec)
    assert refused.status_code == 422
    assert fix in refused.text


def test_answer_faults_default_to_a_gateways_status(writes: Writes) -> None:
    assert writes.fault(kind="lost_answer")["spec"]["status"] == 502
    assert writes.fault(kind="late_apply")["spec"]["status"] == 504
    assert writes.fault(kind="status")["spec"]["status"] == 500
