"""`python -m bench [NAME ...] [--json]`: run every `bench/bench_*.py` (or only those named: `accept`,
`sqlite_node`, ...), print one table of every figure beside its goal (with `--json`, the figures as JSON on
stdout instead), and write `bench/results/latest.json`.

Each module offers `run() -> list[dict]`, one dict per figure (bench.figures): `row`, `name`, `value`, `unit`,
`goal` (text), `ok` (the goal is met) and `detail`. The exit status is 1 when a figure misses its goal or a
module fails. The machine's load average is taken before and after: the machine may be busy with other work.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.figures import QUICK
from bench.procs import load_average

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "latest.json"
FIELDS = ("name", "value", "unit", "goal", "ok")
ORDER = (
    "trigger URL accepts/s, one process",
    "ack latency while processing runs",
    "events processed, SQLite node",
    "1 -> 2 workers, PostgreSQL + Redis",
    "new ticket -> work order",
    "reconciler pass, nothing changed",
    "backfill",
    "inbox scans",
    "Jsonnet",
)
"""The table's rows in this order; rows of other names (the mapping engine's) come after."""


def benchmarks() -> list[str]:
    """The benchmarks' names: `bench/bench_<name>.py`."""
    modules = (m.name for m in pkgutil.iter_modules([str(HERE)]))
    return sorted(name.removeprefix("bench_") for name in modules if name.startswith("bench_"))


def collect(wanted: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in benchmarks():
        if wanted and name not in wanted:
            continue
        module_name = f"bench_{name}"
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"bench.{module_name}").run()
            for figure in figures:
                missing = [field for field in FIELDS if field not in figure]
                if missing:
                    raise ValueError(f"figure {figure.get('name')!r} lacks {', '.join(missing)}")
        except Exception as error:  # one broken benchmark must not hide the others' figures
            cause = f"{type(error).__name__}: {error}"
            figures = [{"name": "(failed)", "value": None, "unit": "", "goal": cause, "ok": False}]
        seconds = round(time.perf_counter() - started, 1)
        for figure in figures:
            row = figure.get("row") or name.replace("_", " ")
            rows.append({"module": module_name, **figure, "row": row, "seconds": seconds})
    place = {row: n for n, row in enumerate(ORDER)}
    return sorted(rows, key=lambda r: place.get(r["row"], len(ORDER)))


def show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return "" if value is None else str(value)


def print_table(report: dict[str, Any]) -> None:
    machine = report["machine"]
    quick = " (BENCH_QUICK)" if report["quick"] else ""
    title = (
        f"FieldBridge benchmarks: {machine['cores']} cores, load {machine['load_before']:.1f} before and "
        f"{machine['load_after']:.1f} after, {report['seconds']:.0f} s{quick}"
    )
    table = Table("What", "Figure", "Value", "Unit", "Goal", "OK", title=title)
    shown = None
    for row in report["results"]:
        table.add_row(
            row["row"] if row["row"] != shown else "",
            row["name"],
            show(row["value"]),
            row["unit"],
            row["goal"],
            "" if not row["goal"] else "[green]yes[/green]" if row["ok"] else "[red]no[/red]",
        )
        shown = row["row"]
    Console(width=200).print(table)


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    wanted = [arg for arg in argv if not arg.startswith("-")]
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    known = benchmarks()
    unknown = [arg for arg in argv if arg.startswith("-") and arg != "--json"]
    unknown += [name for name in wanted if name not in known]
    if unknown:
        # A mistyped name or flag would otherwise run every benchmark: minutes of a busy machine.
        print(f"Not understood: {', '.join(unknown)}. Benchmarks: {', '.join(known)}.", file=sys.stderr)
        return 2
    began, load_before = time.perf_counter(), load_average()
    rows = collect(wanted)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": QUICK,
        "seconds": round(time.perf_counter() - began, 1),
        "machine": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cores": os.cpu_count(),
            "load_before": load_before,
            "load_after": load_average(),
        },
        "results": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
