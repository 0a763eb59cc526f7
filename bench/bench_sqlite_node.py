"""One SQLite node end to end: both emulators, `fieldbridge serve` (SQLite, the embedded queue) and the load
generator, each its own process, the connector set up as the demo does. In order, on the same node:

1. a new ticket becomes a work order: the calls each emulator answered for it, its own `workorder.created`
   webhook included (one ticket to warm up, then the median of three);
2. a backfill of the tenant's open tickets (`fieldbridge backfill`, its own process): records per second;
3. a reconciler pass with nothing changed over every linked pair (`fieldbridge reconcile`, after one pass that
   sets the checkpoint): the calls it costs, until every event it made is finished, and how long that takes;
4. no-op events (signed Autotask webhooks for linked tickets whose fields did not change): events processed
   per second, CPU per event, and the SQL transactions and statements the worker spends per event;
5. the same with one Jsonnet mapping in the set (the title, as a script): what the mapping costs per event;
6. ack latency at 200 and then 500 webhooks per second offered, while the node processes what it accepted.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from bench.figures import figure, median, size
from bench.node import Broker, Deployment, calls_between, emulators, set_up, start_serve
from bench.procs import FIELDBRIDGE, Processes, cpu_seconds, load_average, processes, run_load
from fieldbridge.demo.scene import DISPATCHER, TRIGGER_STATUS

NEW_TICKET = "new ticket -> work order"
BACKFILL = "backfill"
RECONCILE = "reconciler pass, nothing changed"
EVENTS = "events processed, SQLite node"
JSONNET = "Jsonnet"
LATENCY = "ack latency while processing runs"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def run() -> list[dict[str, Any]]:
    tickets = int(size("tickets", 300, 60))
    with processes("sqlite") as procs, emulators(procs, tickets=tickets) as sims:
        deployment = Deployment(procs.directory, counting=True)
        broker = set_up(procs, deployment, sims, start_serve(procs, deployment))
        found: list[dict[str, Any]] = []
        noop: dict[str, Any] = {}
        steps: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = [
            (NEW_TICKET, lambda: new_ticket(broker)),
            (BACKFILL, lambda: backfill(procs, broker)),
            (RECONCILE, lambda: reconciler(procs, broker)),
            (EVENTS, lambda: no_op_events(broker, noop)),
            (JSONNET, lambda: jsonnet_events(broker, noop)),
            (LATENCY, lambda: ack_latency(broker)),
        ]
        for row, step in steps:
            try:
                found += step()
            except Exception as error:  # one step failing must not hide the next ones' figures
                found.append(figure(row, "(failed)", None, "", f"{type(error).__name__}: {error}", False))
        return found


def new_ticket(broker: Broker) -> list[dict[str, Any]]:
    """Tickets in New that a dispatcher moves to the trigger status in the Autotask UI: the ticket webhook
    reaches the trigger URL, the flow makes the work order, Field Nation's `workorder.created` comes back."""
    scene, sims = broker.scene, broker.sims
    statuses = scene.picklist("Tickets", "status")
    dispatcher = next(r["id"] for r in sims.records("Resources") if r.get("firstName") == DISPATCHER)
    waiting = [t["id"] for t in sims.records("Tickets") if t.get("status") == statuses["New"]]
    costs = []
    for ticket in waiting[:4]:
        before, top, began = sims.calls(), broker.inbox()["max_id"], time.perf_counter()
        sims.autotask_sim.patch(
            f"/_sim/ui/Tickets/{ticket}",
            json={"as_resource": dispatcher, "fields": {"status": statuses[TRIGGER_STATUS]}},
        ).raise_for_status()
        broker.settle(top)
        calls = calls_between(before, sims.calls())
        made = sum(
            n
            for route, n in calls["fieldnation"]["routes"].items()
            if route.startswith("POST /api/rest/v2/workorders") and route.count("/") <= 5
        )
        costs.append(
            calls
            | {
                "ticket": ticket,
                "seconds": round(time.perf_counter() - began, 2),
                "work_orders": made,
                "failed": broker.failures(top),
            }
        )
    measured = costs[1:]
    at = median([c["autotask"]["total"] for c in measured])
    fn = median([c["fieldnation"]["total"] for c in measured])
    made_all = all(c["work_orders"] == 1 and not c["failed"] for c in measured)
    note = "" if made_all else " (not every ticket became exactly one work order: see detail)"
    return [
        figure(NEW_TICKET, "Autotask calls", at, "calls", "<= 1" + note, at <= 1 and made_all, tickets=costs),
        figure(
            NEW_TICKET,
            "Field Nation calls, our workorder.created included",
            fn,
            "calls",
            "<= 3 (2, and at most 1 read for workorder.created)",
            fn <= 3 and made_all,
        ),
        figure(NEW_TICKET, "seconds until settled", median([c["seconds"] for c in measured]), "s"),
    ]


def backfill(procs: Processes, broker: Broker) -> list[dict[str, Any]]:
    before, top = broker.sims.calls(), broker.inbox()["max_id"]
    began = time.perf_counter()
    done = procs.start(
        "backfill",
        [*FIELDBRIDGE, "backfill", "--connector", broker.connector, "--yes"],
        broker.deployment.env(),
        announces=False,
    )
    code = done.process.wait(timeout=900)
    wall = time.perf_counter() - began
    out = done.out.read_text(errors="replace")
    if code != 0:
        raise RuntimeError(f"fieldbridge backfill exited with {code}: {(out + done.stderr())[-1500:]}")
    records, span = broker.batch(top, "backfill")
    broker.settle(top)
    calls = calls_between(before, broker.sims.calls())
    refused = sum(n for route, n in calls["autotask"]["routes"].items() if "429" in route)
    rate = records / span if span else 0.0
    summary = re.findall(r"Backfill done: .*", out)
    return [
        figure(
            BACKFILL,
            f"records/s ({records} tickets)",
            rate,
            "records/s",
            ">= 60",
            rate >= 60,
            wall_seconds=round(wall, 1),
            summary=summary,
            calls=calls,
            load=load_average(),
        ),
        figure(BACKFILL, "Autotask 429s during the backfill", refused, "answers", "0", refused == 0),
    ]


def reconciler(procs: Processes, broker: Broker) -> list[dict[str, Any]]:
    def one_pass() -> tuple[dict[str, Any], float, int]:
        before, top, began = broker.sims.calls(), broker.inbox()["max_id"], time.perf_counter()
        done = procs.start(
            "reconcile",
            [*FIELDBRIDGE, "reconcile", "--connector", broker.connector],
            broker.deployment.env(),
            announces=False,
        )
        if (code := done.process.wait(timeout=900)) != 0:
            raise RuntimeError(f"fieldbridge reconcile exited with {code}: {done.stderr()[-1500:]}")
        broker.settle(top, timeout=900)
        return (
            calls_between(before, broker.sims.calls()),
            time.perf_counter() - began,
            broker.inbox(top)["max_id"] - top,
        )

    one_pass()  # sets the checkpoint: what the tenant's seed holds counts as changed once
    pairs = len(broker.linked_tickets())
    calls, seconds, events = one_pass()
    fn = calls["fieldnation"]["total"]
    return [
        figure(
            RECONCILE,
            f"Field Nation calls ({pairs} pairs)",
            fn,
            "calls",
            "a few (<= 20), not O(pairs)",
            fn <= 20,
            calls=calls,
            events=events,
            load=load_average(),
        ),
        figure(RECONCILE, "Autotask calls", calls["autotask"]["total"], "calls"),
        figure(RECONCILE, "seconds, command start to every event finished", seconds, "s"),
    ]


def _post_events(broker: Broker, count: int, start: int) -> dict[str, Any]:
    """`count` signed webhooks for the linked tickets in turn, each a new delivery, posted as fast as the
    trigger URL takes them; returns once every event is finished: rate, CPU and SQL per event."""
    ids = broker.linked_tickets()
    sims, deployment = broker.sims, broker.deployment
    before_calls, top, counts = sims.calls(), broker.inbox()["max_id"], deployment.sql_counts()
    cpu = cpu_seconds(broker.serve.pid)
    bodies = {"kind": "webhook", "ids": ids, "secret": broker.webhook_secret, "start": start}
    posted = run_load(
        {
            "url": broker.scene.trigger_url,
            "mode": "closed",
            "connections": 16,
            "seconds": 600,
            "limit": count,
            "bodies": bodies,
        }
    )
    broker.settle(top, timeout=900)
    cpu = cpu_seconds(broker.serve.pid) - cpu
    after = deployment.sql_counts()
    n, span = broker.batch(top)
    calls = calls_between(before_calls, sims.calls())
    writes = {
        route: k for side in calls.values() for route, k in side["routes"].items() if route.startswith(WRITES)
    }
    per = {key: (after.get(key, 0) - counts.get(key, 0)) / max(n, 1) for key in after}
    return {
        "events": n,
        "per_second": n / span if span else 0.0,
        "cpu_ms": cpu * 1000 / max(n, 1),
        "sql": per,
        "posted": posted,
        "writes": writes,
        "calls": calls,
        "failed": broker.failures(top),
        "load": load_average(),
    }


def no_op_events(broker: Broker, noop: dict[str, Any]) -> list[dict[str, Any]]:
    count = int(size("events", 600, 150))
    # One round over every pair first, as the Jsonnet step does: the measured events then find what a
    # running node has (each pair's related records cached, the clients' connections open), and the two
    # steps' CPU per event compare like with like.
    _post_events(broker, len(broker.linked_tickets()), 500_000)
    found = _post_events(broker, count, 1_000_000)
    noop.update(found)
    problems = "; ".join(
        filter(None, [found["failed"], f"writes {found['writes']}" if found["writes"] else ""])
    )
    transactions = found["sql"].get("processing.transactions", 0.0)
    statements = found["sql"].get("processing.statements", 0.0)
    return [
        figure(
            EVENTS,
            f"events/s ({found['events']} no-op events)",
            found["per_second"],
            "events/s",
            ">= 150" + (f" ({problems})" if problems else ""),
            found["per_second"] >= 150 and not problems,
            run=found,
        ),
        figure(
            EVENTS,
            "CPU per event (every FieldBridge process, receiving included)",
            found["cpu_ms"],
            "ms",
            "<= 5",
            found["cpu_ms"] <= 5,
        ),
        figure(
            EVENTS, "transactions per no-op event (worker)", transactions, "tx", "<= 3", 0 < transactions <= 3
        ),
        figure(EVENTS, "SQL statements per no-op event (worker)", statements, "statements"),
        figure(
            EVENTS,
            "transactions per accepted event (receiving)",
            found["sql"].get("receiving.transactions", 0.0),
            "tx",
        ),
    ]


def jsonnet_events(broker: Broker, noop: dict[str, Any]) -> list[dict[str, Any]]:
    """The inbound title mapping replaced by a Jsonnet script that gives the same value, so the events stay
    no-ops; one round over every pair first (the new version's first events), then the measured ones."""
    document = broker.admin.get(broker.connector_path("/mappings")).raise_for_status().json()
    mappings = document["body"]
    for mapping in mappings["inbound"]:
        if mapping.get("target_field") == "title":
            mapping.clear()
            mapping.update({"target_field": "title", "action": "custom", "script": "$.input.title"})
    saved = broker.admin.put(broker.connector_path("/mappings"), json=mappings)
    if saved.is_error:
        raise RuntimeError(f"the mapping set with a Jsonnet mapping was refused: {saved.text}")
    _post_events(broker, len(broker.linked_tickets()), 2_000_000)
    found = _post_events(broker, int(size("events", 600, 150)), 3_000_000)
    cost = found["cpu_ms"] - noop["cpu_ms"] if noop else None
    problems = "; ".join(
        filter(None, [found["failed"], f"writes {found['writes']}" if found["writes"] else ""])
    )
    return [
        figure(
            JSONNET,
            "CPU per no-op event, one Jsonnet mapping, less without",
            cost,
            "ms",
            "<= 2 (compiled once per set version)" + (f" ({problems})" if problems else ""),
            cost is not None and cost <= 2 and not problems,
            run=found,
        ),
        figure(JSONNET, "events/s with one Jsonnet mapping", found["per_second"], "events/s"),
    ]


def ack_latency(broker: Broker) -> list[dict[str, Any]]:
    seconds = size("latency_seconds", 10, 4)
    ids = broker.linked_tickets()
    found = []
    for n, rate in enumerate((200, 500)):
        bodies = {
            "kind": "webhook",
            "ids": ids,
            "secret": broker.webhook_secret,
            "start": 10_000_000 * (n + 1),
        }
        report = run_load(
            {
                "url": broker.scene.trigger_url,
                "mode": "open",
                "rate": rate,
                "seconds": seconds,
                "connections": 2 * rate,
                "timeout": 10,
                "bodies": bodies,
            }
        )
        p99 = report["latency_ms"]["p99"]
        goal = "< 50" if rate == 500 else ""
        found.append(
            figure(
                LATENCY,
                f"p99 at {rate}/s offered",
                p99,
                "ms",
                goal,
                rate != 500 or (p99 or 1e9) < 50,
                report=report,
                load=load_average(),
            )
        )
    return found
