"""What a benchmark module answers, and the sizes it measures at.

A figure is a dict: `row` (the line of the table it belongs to), `name`, `value`, `unit`, `goal` (text),
`ok` (the goal is met; True for a figure given for information), and optionally `detail` (anything else worth
keeping in the JSON: the raw runs, the load average while measuring).

Sizes: `BENCH_QUICK=1` shrinks every size for a quick run (a minute or two instead of about ten); each size
can also be set alone with its `BENCH_<NAME>` variable.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")


def size(name: str, full: float, quick: float) -> float:
    """`BENCH_<NAME>` if set, else the quick or the full size."""
    given = os.environ.get(f"BENCH_{name.upper()}")
    return float(given) if given else (quick if QUICK else full)


def runs() -> int:
    """How many times a cheap measurement is repeated (its median is the figure)."""
    return int(size("runs", 3, 1))


def figure(
    row: str, name: str, value: float | None, unit: str, goal: str = "", ok: bool = True, **detail: Any
) -> dict[str, Any]:
    shown = round(value, 3) if isinstance(value, float) else value
    return {"row": row, "name": name, "value": shown, "unit": unit, "goal": goal, "ok": ok, "detail": detail}


def median(values: list[float]) -> float:
    return float(statistics.median(values))
