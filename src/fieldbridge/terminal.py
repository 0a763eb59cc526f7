"""The commands' output: a Rich console made when a command prints, so it takes the terminal's width (and
COLUMNS) of that moment rather than of whichever command imported the module first."""

from __future__ import annotations

from rich.console import Console


def console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)
