"""Running the demo's steps: each is timed, charged the API calls the emulators answered meanwhile, and
fails with a plain message when what it expects does not happen before its deadline.

Processing is asynchronous (webhook deliveries, then the broker's queue), so a step that sets work off calls
`Run.settle()`: it waits until both emulators have delivered their webhooks and the broker has finished every
event, then freezes the step's clock and call counts. What the step reads afterwards to check the outcome
does not count against it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fieldbridge.demo.stack import Stack

T = TypeVar("T")

DEADLINE_SECONDS = 20.0
POLL_SECONDS = 0.05
UNFINISHED = ("received", "queued", "processing")
FAILED = ("retrying", "dead")


class StepFailed(Exception):
    """What the step expected and what it saw instead."""


@dataclass
class Step:
    name: str
    result: str = ""
    autotask_calls: int = 0
    fieldnation_calls: int = 0
    ms: float = 0.0
    ok: bool = False
    events: list[str] = field(default_factory=list)
    """What the broker's worker wrote for each event the step set off, oldest first."""


def wait_for(what: str, probe: Callable[[], T | None], seconds: float = DEADLINE_SECONDS) -> T:
    """Poll `probe` until it answers something other than None; `what` names the outcome for the error."""
    deadline = time.monotonic() + seconds
    while True:
        answer = probe()
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            raise StepFailed(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(POLL_SECONDS)


class Run:
    """The steps so far, and the measurement of the current one."""

    def __init__(self, stack: Stack, connector: str) -> None:
        self.stack, self.connector = stack, connector
        self.steps: list[Step] = []
        self._current = Step("")
        self._started = 0.0
        self._calls_before = (0, 0)
        self._last_event = 0
        self._frozen = False

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    def step(self, name: str, action: Callable[[], str]) -> bool:
        """Run one step; False when it failed (the story stops there: later steps build on it)."""
        self._current, self._frozen = Step(name), False
        self._calls_before = self.stack.calls()
        self._started = time.perf_counter()
        try:
            result, ok = action(), True
        except StepFailed as failed:
            result, ok = str(failed), False
        except Exception as error:
            result, ok = f"{type(error).__name__}: {error}", False
        self._freeze()
        self._current.result, self._current.ok = result, ok
        self.steps.append(self._current)
        return ok

    def settle(self) -> None:
        """Wait until every webhook is delivered and the broker has finished every event, then stop
        counting this step. An event that failed (retrying or dead) fails the step with its error."""
        events = wait_for("delivery of every webhook and processing of every event", self._quiet)
        self._freeze()
        if events:
            self._last_event = max(int(e["id"]) for e in events)
        self._current.events = [self._outcome(event) for event in events]

    def _freeze(self) -> None:
        if self._frozen:
            return
        self._frozen = True
        self._current.ms = round((time.perf_counter() - self._started) * 1000, 1)
        after = self.stack.calls()
        self._current.autotask_calls = after[0] - self._calls_before[0]
        self._current.fieldnation_calls = after[1] - self._calls_before[1]

    def _quiet(self) -> list[dict[str, Any]] | None:
        """The step's events once nothing is in flight. Checked twice, since a flow's write to Field Nation
        fires a new webhook after its own event finished."""
        if not self._delivered():
            return None
        events = self._finished_events()
        if events is None or not self._delivered():
            return None
        again = self._finished_events()
        return events if again is not None and len(again) == len(events) else None

    def _delivered(self) -> bool:
        for sim in (self.stack.autotask_sim, self.stack.fieldnation_sim):
            if sim.get("/_sim/webhooks/deliveries").raise_for_status().json()["pending"]:
                return False
        return True

    def _finished_events(self) -> list[dict[str, Any]] | None:
        answer = self.stack.admin.get("/v1/admin/events", params={"connector": self.connector, "limit": 500})
        new = [e for e in answer.raise_for_status().json() if e["id"] > self._last_event]
        if failed := [e for e in new if e["status"] in FAILED]:
            first = failed[0]
            raise StepFailed(
                f"the broker could not process event {first['id']} ({first['system']} {first['entity']} "
                f"{first['record_id']}): {first['last_error']}"
            )
        if any(e["status"] in UNFINISHED for e in new):
            return None
        return sorted(new, key=lambda e: int(e["id"]))

    def _outcome(self, event: dict[str, Any]) -> str:
        detail = self.stack.admin.get(f"/v1/admin/events/{event['id']}").raise_for_status().json()
        last = detail["history"][-1]["message"] if detail["history"] else event["status"]
        return f"{event['system']} {event['entity']} {event['record_id']}: {last}"
