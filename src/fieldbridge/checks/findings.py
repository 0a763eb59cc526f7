"""One check's outcome: pass, warn, fail or skip, what was seen, and the fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["pass", "warn", "fail", "skip"]
"""`skip`: the check could not run because one it depends on failed (no sign-in, no permission to look)."""


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    seen: str
    fix: str = ""
    cause: str = ""
    """The likely cause's code (`fieldbridge.autotask.causes`), for scripts, when one was named."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def worst(findings: Iterable[Finding]) -> Status:
    """fail over warn over pass; skipped checks say nothing about the set-up, so they count as passes."""
    statuses = {f.status for f in findings}
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


@dataclass(frozen=True)
class Report:
    """Every finding of one run, and what was checked (a connector, or an API user's credentials)."""

    subject: str
    findings: tuple[Finding, ...]

    @property
    def status(self) -> Status:
        return worst(self.findings)

    @property
    def ok(self) -> bool:
        """True when nothing failed: the exit code of `fieldbridge check` is 0 exactly then."""
        return self.status != "fail"

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "status": self.status,
            "ok": self.ok,
            "findings": [f.as_dict() for f in self.findings],
        }
