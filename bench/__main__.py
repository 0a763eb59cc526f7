"""`python -m bench`: run every `bench/bench_*.py`, print a table, write `bench/results/latest.json`.

Each module offers `run() -> list[dict]`, one dict per figure: `name`, `value`, `unit`, `goal` (text) and
`ok` (whether the goal is met). The exit status is 1 when a figure misses its goal or a module fails.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import platform
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "latest.json"
FIELDS = ("name", "value", "unit", "goal", "ok")


def collect() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    for module_name in names:
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
        rows += ({"module": module_name, **figure, "seconds": seconds} for figure in figures)
    return rows


def show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return "" if value is None else str(value)


def main() -> int:
    rows = collect()
    table = Table("Module", "Figure", "Value", "Unit", "Goal", "OK", title="FieldBridge benchmarks")
    for row in rows:
        table.add_row(
            row["module"],
            row["name"],
            show(row["value"]),
            row["unit"],
            row["goal"],
            "[green]yes[/green]" if row["ok"] else "[red]no[/red]",
        )
    Console().print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "python": platform.python_version(),
                "machine": platform.machine(),
                "processor": platform.processor(),
                "results": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
