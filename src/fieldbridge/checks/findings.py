"""One check's outcome: pass, warn or fail, what was seen, and the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["pass", "warn", "fail"]


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    seen: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def worst(findings: list[Finding]) -> Status:
    statuses = {f.status for f in findings}
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
