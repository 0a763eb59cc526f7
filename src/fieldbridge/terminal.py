"""The commands' output: a Rich console made when a command prints, so it takes the terminal's width (and
COLUMNS) of that moment rather than of whichever command imported the module first; JSON for `--json`; and
the expected failure every command reports the same way."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console


class CliError(Exception):
    """An expected failure: what went wrong and what to do about it. `fieldbridge` prints it as one or two
    lines on stderr (no traceback) and exits with `code`."""

    def __init__(self, problem: str, fix: str = "", code: int = 1) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.code = code

    def lines(self) -> list[str]:
        return [self.problem, f"Fix: {self.fix[:1].upper()}{self.fix[1:]}"] if self.fix else [self.problem]


def console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)


def json_text(data: Any) -> str:
    """What `--json` prints: indented, times and paths as strings."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
