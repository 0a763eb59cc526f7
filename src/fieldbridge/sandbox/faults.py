"""Fault injection: make chosen requests (or webhook deliveries) slow, fail or hang, a set number of times
or with a probability."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

FaultKind = Literal["latency", "status", "timeout", "drop"]


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
    def _drop_is_for_webhooks(self) -> FaultSpec:
        # An ASGI app cannot cut a connection without answering, so a request "drop" would do nothing.
        if self.kind == "drop" and self.scope != "webhook":
            raise ValueError("kind 'drop' applies to webhook deliveries only: use scope 'webhook'")
        return self

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
