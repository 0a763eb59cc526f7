"""One run: the stories with a seed's faults and kills (or none), then settling (the faults still armed), a
reconciler pass without faults, settling again, and the snapshot of both emulators; with what it took and
what went wrong on the way."""

from __future__ import annotations

import fcntl
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fieldbridge.sandbox.autotask.seed import STATUS
from tests.integration.convergence.schedule import Schedule, schedule
from tests.integration.convergence.snapshot import AUTOTASK_FIELDS, Snapshot, snapshot
from tests.integration.convergence.stories import interleaved, stories
from tests.integration.convergence.world import Broker, Emulators, World, world

SETTLE_SECONDS = 60.0
"""Far more than a seed needs (a create of unknown outcome is sent again after `CREATE_SETTLE_SECONDS`, a
retry comes within a second or two): what is still in flight then is stuck."""


@dataclass
class Result:
    seed: int | None
    snapshot: Snapshot
    events: int
    fired: Counter[str]
    kills: int
    problems: list[str] = field(default_factory=list)
    """Acts that could not be done (the broker never made what they needed), and what was still in
    flight at a settling deadline."""
    seconds: float = 0.0
    schedule: Schedule | None = None


def play(emus: Emulators, broker: Broker, seed: int | None) -> Result:
    started = time.monotonic()
    the_stories = stories()
    acts = list(interleaved(the_stories))
    plan = schedule(seed, len(acts))
    problems: list[str] = []
    with world(emus, broker) as w:
        reset_at = datetime.now(UTC)
        broken: set[str] = set()
        for index, (story, act) in enumerate(acts):
            for injection in plan.before(index):
                w.inject(injection)
            if index in plan.kills:
                w.kill_worker()
            if story.name in broken:
                continue
            try:
                act.do(w, story.case)
            except (TimeoutError, AssertionError) as failure:
                # Later acts of the story build on this one: the story stops here, and says why.
                broken.add(story.name)
                problems.append(f"{story.name}: {act.label!r} could not be done: {failure}")
        # Each fault fires a set number of times at most: those still armed meet the retries and the
        # late deliveries too, until the system settles; only then do they go.
        problems += _settled(w, "after the stories")
        w.stop_faults()
        w.reconcile()
        problems += _settled(w, "after the reconciler pass")
        return Result(
            seed,
            _state(w, reset_at),
            len(w.events()),
            w.fired,
            w.kills,
            problems,
            round(time.monotonic() - started, 1),
            plan,
        )


def played_once(path: Path, play_it: Callable[[], Result]) -> Result:
    """The run `play_it` plays, played by the first test process that asks and read back from `path` by the
    others: a run without faults is ten seconds of CPU, and its snapshot holds content, not the ids or the
    times of the process that played it. (Its schedule, none, is not kept.)"""
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():
            kept = json.loads(path.read_text())
            return Result(**{**kept, "fired": Counter(kept["fired"]), "schedule": None})
        result = play_it()
        path.write_text(json.dumps({**vars(result), "fired": dict(result.fired), "schedule": None}))
        return result


def unexpected_endings(result: Result) -> list[str]:
    """Stories whose ticket does not end as the story says (checked on the run without faults)."""
    tickets = [json.loads(record) for record in result.snapshot["Tickets"]]
    wrong = []
    for story in stories():
        found = [t["status"] for t in tickets if t["title"] == story.title]
        if found != [STATUS[story.status]]:
            wrong.append(f"{story.name}: ticket {story.title!r} ends in {found}, not [{story.status}]")
    return wrong


def _settled(w: World, when: str) -> list[str]:
    return [f"not settled {when} within {SETTLE_SECONDS:.0f} s: {busy}" for busy in w.settle(SETTLE_SECONDS)]


def _state(w: World, reset_at: datetime) -> Snapshot:
    fieldnation = w.emulators.fieldnation.state.emulator
    work_orders = [fieldnation.views().work_order(wo) for wo in list(fieldnation.state.work_orders.values())]
    return snapshot({kind: w.stack.records(kind) for kind in AUTOTASK_FIELDS}, work_orders, reset_at)
