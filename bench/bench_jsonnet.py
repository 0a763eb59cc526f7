"""Jsonnet memory: the resident memory of the Jsonnet worker process (the one a `JsonnetRunner` starts) before
and after many evaluations of one script over realistic work orders, per evaluation. A leak shows as a
steady growth; a flat worker grows by nothing but the allocator's noise. (What a Jsonnet mapping costs per
event, end to end, is measured on the SQLite node: bench_sqlite_node.)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.bench_mapping import SCRIPT, work_order
from bench.figures import figure, size
from fieldbridge.mapping.jsonnet import JsonnetRunner

ROW = "Jsonnet"
GOAL_KB = 0.01
"""KB per evaluation: 10 MB over a million evaluations, i.e. flat."""


def _worker_pid() -> int:
    """The Jsonnet worker: this process's child running fieldbridge.mapping.jsonnet_worker."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rpartition(")")[2].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and b"jsonnet_worker" in command:
            return int(entry.name)
    raise RuntimeError("the Jsonnet worker process was not found")


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def run() -> list[dict[str, Any]]:
    evaluations = int(size("jsonnet_evaluations", 20_000, 4_000))
    records = [work_order(n) for n in range(50)]
    with JsonnetRunner(timeout=30) as runner:  # a busy machine must not fail the measurement
        for n in range(1_000):  # warm-up: the program compiled, the allocator's arenas in use
            runner.evaluate(SCRIPT, records[n % len(records)])
        pid = _worker_pid()
        before = _rss_kb(pid)
        for n in range(evaluations):
            runner.evaluate(SCRIPT, records[n % len(records)])
        after = _rss_kb(pid)
    per = (after - before) / evaluations
    return [
        figure(
            ROW,
            f"worker memory growth per evaluation ({evaluations:,} evaluations)",
            per,
            "KB",
            f"< {GOAL_KB:g} (flat over 1M)",
            per < GOAL_KB,
            rss_kb_before=before,
            rss_kb_after=after,
        ),
    ]
