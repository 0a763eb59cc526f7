"""Staying inside Autotask's limits: at most 3 requests in flight per (zone, integration code, endpoint) in
this process, and a share of the tenant's 10,000 requests per rolling hour.

Both are process-wide on purpose: Autotask counts per integration, not per client object, so every client of
one integration in this process must wait at the same gate. Several processes (a web server and workers)
each keep their own gates; a 429 thread-threshold answer that results is retried with backoff.
"""

from __future__ import annotations

import threading
import time
from collections import deque

THREADS_PER_ENDPOINT = 3  # Autotask's limit: the 4th concurrent request gets 429
TENANT_HOURLY_THRESHOLD = 10_000
DEFAULT_HOURLY_SHARE = TENANT_HOURLY_THRESHOLD // 2
"""The tenant's budget is shared with every other integration of the database: take half by default."""
HOUR = 3600.0

_gates: dict[tuple[str, str, str], threading.BoundedSemaphore] = {}
_budgets: dict[str, RequestBudget] = {}
_registry_lock = threading.Lock()


def endpoint_gate(zone_url: str, integration_code: str, endpoint: str) -> threading.BoundedSemaphore:
    """The semaphore every request to `endpoint` (the entity segment after V1.0, e.g. `tickets` for
    `/V1.0/Tickets/7/Notes`) holds while in flight."""
    key = (zone_url.lower(), integration_code.lower(), endpoint.lower())
    with _registry_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = threading.BoundedSemaphore(THREADS_PER_ENDPOINT)
        return gate


class RequestBudget:
    """Requests a client may send in any rolling `window` of seconds; share one between the clients that
    should draw on the same allowance."""

    def __init__(self, limit: int = DEFAULT_HOURLY_SHARE, window: float = HOUR) -> None:
        if limit < 1:
            raise ValueError("a request budget needs a limit of at least 1")
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()

    def spend(self) -> float | None:
        """Take one request from the budget: None when granted, else the seconds until one frees up."""
        now = time.monotonic()
        with self._lock:
            self._forget_before(now - self.window)
            if len(self._sent) >= self.limit:
                return self._sent[0] + self.window - now
            self._sent.append(now)
            return None

    def used(self) -> int:
        with self._lock:
            self._forget_before(time.monotonic() - self.window)
            return len(self._sent)

    def _forget_before(self, cutoff: float) -> None:
        while self._sent and self._sent[0] <= cutoff:
            self._sent.popleft()

    def __repr__(self) -> str:
        return f"RequestBudget(limit={self.limit}, window={self.window}, used={self.used()})"


def shared_budget(username: str) -> RequestBudget:
    """The default budget of an API user in this process: every client of that user draws on it."""
    with _registry_lock:
        budget = _budgets.get(username.lower())
        if budget is None:
            budget = _budgets[username.lower()] = RequestBudget()
        return budget
