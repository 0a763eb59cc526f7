"""Fault injection: make chosen requests (or webhook deliveries) slow, fail or hang, lose their answer after
the service applied them, or apply them only after the client was answered; a set number of times or with a
probability."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

FaultKind = Literal["latency", "status", "timeout", "drop", "lost_answer", "late_apply"]

# The answer a kind gives when the spec names no status: a gateway that cut the service's answer says 502, one
# that gave up waiting for the service says 504.
_DEFAULT_STATUS: dict[str, int] = {"lost_answer": 502, "late_apply": 504}
_ANSWERING = ("status", "lost_answer", "late_apply")
"""Kinds whose answer is an injected error: only they use `status`, `headers` and `body`."""
_SCOPES: dict[str, tuple[str, ...]] = {
    # An ASGI app cannot cut a connection without answering, so a request "drop" would do nothing.
    "drop": ("webhook",),
    # A webhook delivery has no service behind it to apply the request later.
    "late_apply": ("request",),
}


class FaultSpec(BaseModel):
    """What `/_sim/faults` accepts. `path` is a regular expression searched case-insensitively in the path
    (requests) or the target URL (webhooks)."""

    kind: FaultKind
    scope: Literal["request", "webhook"] = "request"
    method: str = "*"
    path: str = ".*"
    status: int = Field(500, ge=400, le=599)
    seconds: float = Field(0.0, ge=0, le=600)
    count: int | None = Field(None, ge=1)
    probability: float = Field(1.0, gt=0, le=1)
    body: dict[str, Any] | None = None
    headers: dict[str, str] | None = None  # added to a `status` answer, e.g. {"Retry-After": "2"}

    @model_validator(mode="after")
    def _coherent(self) -> FaultSpec:
        scopes = _SCOPES.get(self.kind, ("request", "webhook"))
        if self.scope not in scopes:
            where = "webhook deliveries" if scopes == ("webhook",) else "requests"
            raise ValueError(f"kind '{self.kind}' applies to {where} only: use scope '{scopes[0]}'")
        unused = sorted({"status", "headers", "body"} & self.model_fields_set)
        if unused and self.kind not in _ANSWERING:
            raise ValueError(
                f"kind '{self.kind}' gives no error answer, so {' and '.join(unused)} would do nothing: "
                f"leave {'them' if len(unused) > 1 else 'it'} out, or use one of {', '.join(_ANSWERING)}"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _kind_default_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("status") is None and data.get("kind") in _DEFAULT_STATUS:
            return {**data, "status": _DEFAULT_STATUS[data["kind"]]}
        return data

    @field_validator("path")
    @classmethod
    def _valid_regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"path is not a valid regular expression: {exc}") from exc
        return value


@dataclass
class Fault:
    id: int
    spec: FaultSpec
    fired: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.spec.path, re.IGNORECASE)

    def matches(self, scope: str, method: str, path: str) -> bool:
        s = self.spec
        return (
            s.scope == scope
            and (s.method == "*" or s.method.upper() == method.upper())
            and self._pattern.search(path) is not None
            and (s.count is None or self.fired < s.count)
        )

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("_pattern", None)
        d["spec"] = self.spec.model_dump()
        return d


class FaultInjector:
    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._random = random.Random(seed)

    def add(self, spec: FaultSpec) -> Fault:
        with self._lock:
            fault = Fault(self._next_id, spec)
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def pick(self, scope: str, method: str, path: str) -> FaultSpec | None:
        """The first matching fault that fires this time (its count used up by one), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(scope, method, path) and self._random.random() < fault.spec.probability:
                    fault.fired += 1
                    return fault.spec
        return None
