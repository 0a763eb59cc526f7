"""Mapping engine speed: records per second through the default inbound set (no Jsonnet, one process, one
core), and the median cost of one custom Jsonnet evaluation through the worker process."""

from __future__ import annotations

import statistics
import time
from typing import Any

import _jsonnet

from fieldbridge.mapping.defaults import default_set
from fieldbridge.mapping.engine import compile_mappings
from fieldbridge.mapping.jsonnet import JsonnetRunner

RECORDS_GOAL = 20_000
JSONNET_GOAL_MS = 1.0
SCRIPT = "$.util.lookup_field($.input, 'assignee.user.first_name', '') + ': ' + $.input.title"


def ticket(n: int) -> dict[str, Any]:
    """An Autotask ticket as the REST API returns it (camelCase, nulls, UDFs), with its company embedded."""
    fields: dict[str, Any] = {f"field{i}": None for i in range(40)}
    return fields | {
        "id": n,
        "ticketNumber": f"T20240310.{n:04d}",
        "title": f"Printer jam on floor {n % 9}",
        "description": "Tray 2 keeps jamming; customer needs it fixed before Monday.",
        "status": 1 + n % 5,
        "priority": 2,
        "queueID": 29682833,
        "companyID": 7,
        "dueDateTime": f"2024-03-{1 + n % 28:02d}T15:00:00.000Z",
        "createDate": "2024-03-01T08:00:00.000Z",
        "userDefinedFields": [
            {"name": "Site Code", "value": f"S-{n % 40}"},
            {"name": "Region", "value": "N"},
        ],
        "Account": {"id": 7, "companyName": "Acme Corp", "phone": "555-0100"},
    }


def work_order(n: int) -> dict[str, Any]:
    """A Field Nation work order of a realistic size (about 4 KB of JSON)."""
    return {
        "id": n,
        "title": f"Printer jam {n}",
        "status": {"id": 3, "name": "Assigned"},
        "description": {"html": "<p>" + "Replace the roller. " * 20 + "</p>"},
        "assignee": {"user": {"id": 99, "first_name": "Ann", "last_name": "Lee"}},
        "location": {"address1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701"},
        "custom_fields": {
            "results": [{"name": "Site", "results": [{"name": f"cf{i}", "value": i} for i in range(20)]}]
        },
        "time_logs": {
            "results": [
                {"id": i, "hours": 1.5, "in": {"created": {"utc": "2024-03-10 14:00:00"}}} for i in range(10)
            ]
        },
    }


def records_per_second(seconds: float = 4.0) -> float:
    engine = compile_mappings(default_set(), "inbound")
    tickets = [ticket(n) for n in range(1000)]
    rates = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        for record in tickets:
            engine.apply(record)
        rates.append(len(tickets) / (time.perf_counter() - started))
    return statistics.median(rates)


def jsonnet_costs(evaluations: int = 2000) -> tuple[float, float, float]:
    """(first evaluation of a new script, median, 95th percentile), in milliseconds."""
    records = [work_order(n) for n in range(50)]
    with JsonnetRunner(timeout=30) as runner:  # a busy machine must not fail the measurement
        started = time.perf_counter()
        runner.evaluate(SCRIPT, records[0])  # starts the worker and compiles the script into its program
        first = time.perf_counter() - started
        costs = []
        for n in range(evaluations):
            started = time.perf_counter()
            runner.evaluate(SCRIPT, records[n % len(records)])
            costs.append(time.perf_counter() - started)
    costs.sort()
    return first * 1000, statistics.median(costs) * 1000, costs[int(len(costs) * 0.95)] * 1000


def one_shot_ms(calls: int = 5) -> float:
    """What a fresh VM per evaluation costs (the binding's only API): why the worker keeps one program."""
    costs = []
    for _ in range(calls):
        started = time.perf_counter()
        _jsonnet.evaluate_snippet("bench", "std.length([1])")
        costs.append(time.perf_counter() - started)
    return statistics.median(costs) * 1000


def figure(name: str, value: float, unit: str, goal: str = "info", ok: bool = True) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "ok": ok}


def run() -> list[dict[str, Any]]:
    rate = records_per_second()
    first, median, p95 = jsonnet_costs()
    return [
        figure(
            "default inbound set, records/s (no Jsonnet, 1 core)",
            rate,
            "records/s",
            f">= {RECORDS_GOAL:,}",
            rate >= RECORDS_GOAL,
        ),
        figure(
            "Jsonnet evaluation, median", median, "ms", f"<= {JSONNET_GOAL_MS:g}", median <= JSONNET_GOAL_MS
        ),
        figure("Jsonnet evaluation, 95th percentile", p95, "ms"),
        figure("Jsonnet first evaluation (worker start + compile)", first, "ms"),
        figure("Jsonnet one-shot evaluate_snippet (new VM per call)", one_shot_ms(), "ms"),
    ]
