"""The trigger URL's accept rate on one `serve` process (SQLite, the embedded queue: the default), beside
a bare FastAPI route (bench.yardstick) measured in the same run: requests per second with the load
generator in its own process keeping 64 connections busy, and each server's CPU time per answered request.

The connector is disabled, so its events are stored and answered like any other and the worker only marks
each skipped: the figure is the receiver's, not the flows'. CPU counts the `serve` process alone (a consumer
it starts as a child process is processing, not accepting).
"""

from __future__ import annotations

from typing import Any

from bench.figures import figure, median, runs, size
from bench.node import Deployment, start_serve
from bench.procs import PYTHON, Started, load_average, own_cpu_seconds, processes, run_load

ROW = "trigger URL accepts/s, one process"
ACCEPTS_GOAL, RATIO_GOAL, CPU_GOAL_MS = 1000.0, 0.6, 1.0


def _measure(server: Started, url: str, seconds: float, start: int) -> dict[str, Any]:
    before = own_cpu_seconds(server.pid)
    report = run_load(
        {"url": url, "mode": "closed", "connections": 64, "seconds": seconds, "bodies": {"start": start}}
    )
    report["cpu_ms_per_request"] = round(
        (own_cpu_seconds(server.pid) - before) * 1000 / max(report["accepted"], 1), 3
    )
    return report


def run() -> list[dict[str, Any]]:
    seconds = size("accept_seconds", 5, 2)
    with processes("accept") as procs:
        deployment = Deployment(procs.directory)
        token = deployment.add_connector(enabled=False)
        serve = start_serve(procs, deployment)
        bare = procs.start("yardstick", [PYTHON, "-m", "bench.yardstick"], deployment.env())
        trigger = f"{serve.url}/v1/broker/inbound?client_token={token}"
        _measure(serve, trigger, 1, 10_000_000)  # warm-up: connections, caches, the first events' work
        _measure(bare, f"{bare.url}/hook", 1, 0)
        ours, theirs, load = [], [], []
        for n in range(runs()):  # alternating, so both see the machine as it is at that moment
            theirs.append(_measure(bare, f"{bare.url}/hook", seconds, 0))
            ours.append(_measure(serve, trigger, seconds, 1 + n * 1_000_000))
            load.append(load_average())
    rate = median([r["accepted_per_second"] for r in ours])
    bare_rate = median([r["accepted_per_second"] for r in theirs])
    cpu = median([r["cpu_ms_per_request"] for r in ours])
    bare_cpu = median([r["cpu_ms_per_request"] for r in theirs])
    ratio = rate / bare_rate if bare_rate else 0.0
    errors = [r for r in ours if r["errors"] or r["timeouts"] or set(r["statuses"]) - {"202"}]
    return [
        figure(
            ROW,
            "trigger URL, accepted/s",
            rate,
            "req/s",
            f">= {ACCEPTS_GOAL:,.0f}",
            rate >= ACCEPTS_GOAL,
            runs=ours,
            load=load,
            refused=errors,
        ),
        figure(ROW, "trigger URL / bare FastAPI route", ratio, "x", f">= {RATIO_GOAL}", ratio >= RATIO_GOAL),
        figure(ROW, "CPU per accepted request (serve)", cpu, "ms", f"<= {CPU_GOAL_MS:g}", cpu <= CPU_GOAL_MS),
        figure(ROW, "yardstick: bare FastAPI route", bare_rate, "req/s", runs=theirs),
        figure(ROW, "yardstick: CPU per request", bare_cpu, "ms"),
    ]
