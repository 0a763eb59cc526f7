"""The seeded fault schedule: which faults start before which act, on which emulator, and before which acts
the worker is SIGKILLed. Pure: the same seed and number of acts give the same schedule.

The broker's clients give up after `CLIENT_TIMEOUT_SECONDS`, so a `timeout` fault (held past it, never
applied) and a long `latency` fault (the call goes on after the client gave up, applied or not) are real
read timeouts. Lost answers and late applies hit writes (a create or an update applied while its client
sees an error). Every write that lands after its client was answered or gave up (late applies, long
latencies) lands within `CREATE_SETTLE_SECONDS` of being sent, as the broker's settling window assumes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

Spec = dict[str, Any]

CLIENT_TIMEOUT_SECONDS = 2.0
CREATE_SETTLE_SECONDS = 3.0

# Where the broker's calls go, as fault path patterns (searched in the request path).
AUTOTASK_PATHS = (
    "Tickets",
    "TicketNotes|/Notes",
    "TimeEntries",
    "Expense",
    "Attachment",
    "query",
    "Companies",
)
FIELDNATION_PATHS = (
    r"/workorders$",
    r"/workorders/\d+$",
    "publish|assign|cancel",
    "custom_fields",
    "expenses",
    "messages",
    "attachments",
    "oauth/token",
)
WRITE_METHODS = {"autotask": ("POST", "PATCH"), "fieldnation": ("POST", "PUT")}
WRITES = {
    "autotask": (
        ("Tickets$", "POST"),  # Outbound Create
        ("Tickets$", "PATCH"),
        ("/Notes$", "POST"),
        ("TimeEntries$", "POST"),
        ("Expense", "POST"),  # reports and their items
        ("/Attachments$", "POST"),
    ),
    "fieldnation": (
        ("/workorders$", "POST"),
        (r"/workorders/\d+$", "PUT"),
        ("/publish$", "POST"),
        ("custom_fields", "PUT"),
        ("/messages$", "POST"),
    ),
}
"""The broker's writes, as (path pattern, verb): what a lost answer or a late apply is about."""
# Webhook target URLs: Autotask posts to the trigger URL, Field Nation to the connector's webhook door.
WEBHOOK_PATHS = {"autotask": "/v1/broker/inbound", "fieldnation": "/v1/fieldnation/webhooks/"}


@dataclass(frozen=True)
class Injection:
    before_act: int
    target: str
    """"autotask" or "fieldnation": whose API (or webhooks) the fault is in."""
    label: str
    """What the totals count it as: 429, 5xx, timeout, latency, lost_answer, late_apply, webhook_drop,
    webhook_lost_answer."""
    spec: Spec


@dataclass(frozen=True)
class Schedule:
    seed: int | None
    injections: tuple[Injection, ...]
    kills: tuple[int, ...]
    """Acts before which the worker is SIGKILLed (and replaced)."""

    def before(self, act: int) -> list[Injection]:
        return [i for i in self.injections if i.before_act == act]


def _request(rng: random.Random, target: str) -> Spec:
    paths = AUTOTASK_PATHS if target == "autotask" else FIELDNATION_PATHS
    return {
        "path": rng.choice(paths),
        # Any verb half the time: a fault on a verb its path never sees would not fire.
        "method": rng.choice(["*", "*", "*", "GET", *WRITE_METHODS[target]]),
        "probability": rng.choice([1.0, 0.5]),
    }


def _write(rng: random.Random, target: str) -> Spec:
    path, method = rng.choice(WRITES[target])
    return {"path": path, "method": method, "probability": rng.choice([1.0, 0.5])}


def _webhook(target: str) -> Spec:
    return {"scope": "webhook", "path": WEBHOOK_PATHS[target]}


LABELS = (
    "429", "5xx", "timeout", "latency", "lost_answer", "late_apply", "webhook_drop", "webhook_lost_answer",
)  # fmt: skip


def _fault(label: str, rng: random.Random, target: str) -> Spec:
    match label:
        case "webhook_drop":
            # Enough drops in a row sometimes to exhaust a delivery's attempts (Autotask makes 5): only the
            # reconciler brings such a change over.
            return {**_webhook(target), "kind": "drop", "count": rng.randint(1, 6)}
        case "webhook_lost_answer":  # delivered, then delivered again
            return {**_webhook(target), "kind": "lost_answer", "count": rng.randint(1, 2)}
        case "429":
            kind = {
                "kind": "status",
                "status": 429,
                "headers": {"Retry-After": "1"},
                "count": rng.randint(1, 3),
            }
        case "5xx":
            kind = {"kind": "status", "status": rng.choice([500, 502, 503]), "count": rng.randint(1, 3)}
        case "timeout":
            seconds = CLIENT_TIMEOUT_SECONDS + rng.uniform(0.2, 1.0)
            kind = {"kind": "timeout", "seconds": seconds, "count": rng.randint(1, 2)}
        case "latency":
            # Half the time past the client's timeout: the client gives up while the call goes on.
            long = rng.random() < 0.5
            seconds = CLIENT_TIMEOUT_SECONDS + rng.uniform(0.2, 0.6) if long else rng.uniform(0.1, 0.6)
            kind = {"kind": "latency", "seconds": seconds, "count": rng.randint(1, 4)}
        case "lost_answer":
            answer = {"kind": "lost_answer", "seconds": rng.uniform(0, 0.3), "count": rng.randint(1, 2)}
            return {**_write(rng, target), **answer}
        case "late_apply":
            return {**_write(rng, target), "kind": "late_apply", "seconds": rng.uniform(0.3, 1.5), "count": 1}
        case _:
            raise ValueError(f"no fault labelled {label!r}; known: {', '.join(LABELS)}")
    return {**_request(rng, target), **kind}


def schedule(seed: int | None, acts: int) -> Schedule:
    """No seed: no faults and no kills (the reference run). Otherwise 6 to 12 faults spread over the acts,
    each kind at least once across a few seeds, and one or two kills."""
    if seed is None:
        return Schedule(None, (), ())
    rng = random.Random(seed)
    injections = []
    for _ in range(rng.randint(6, 12)):
        label, target = rng.choice(LABELS), rng.choice(["autotask", "fieldnation"])
        injections.append(Injection(rng.randrange(acts), target, label, _fault(label, rng, target)))
    kills = tuple(sorted(rng.sample(range(1, acts), k=rng.randint(1, 2))))
    return Schedule(seed, tuple(sorted(injections, key=lambda i: i.before_act)), kills)
