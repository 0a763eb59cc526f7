"""What goes wrong with a mapping, said so that a person knows which mapping and what to change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: where (`inbound[2] (Status -> status_id)`), what is wrong, and the fix."""

    where: str
    message: str
    fix: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}. Fix: {self.fix}"


class ActionError(Exception):
    """Raised inside an action or path; the engine adds which mapping it was."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class MappingError(Exception):
    """A mapping could not produce its value (bad data, a failing script, a timeout)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class ConfigError(Exception):
    """A mapping file that cannot be loaded or compiled; lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
