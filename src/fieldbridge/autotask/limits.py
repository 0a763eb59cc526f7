"""Staying inside Autotask's limits: at most 3 requests in flight per (zone, integration code, endpoint), a
share of the tenant's 10,000 requests per rolling hour, and a pause that every caller keeps after a 429.

Autotask counts per integration and tenant, not per client object or process, so the count must be kept
where every caller that shares the limit can see it. A `Limits` is that place, for one API user:

- `LocalLimits`, the default: kept in this process (semaphores and a rolling window), shared by every
  client of the user in the process. Right for a client used on its own.
- `SharedLimits`: kept in a store every process of a deployment reaches (`Counts`: Redis,
  `autotask.redis_counts`, or the database, `sync.request_counts`), so adding processes never adds a
  fourth request in flight, a request beyond the share, or a request while another process waits out a
  429.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal, Protocol

THREADS_PER_ENDPOINT = 3  # Autotask's limit: the 4th concurrent request gets 429
TENANT_HOURLY_THRESHOLD = 10_000
DEFAULT_SHARE = 0.5
"""The tenant's budget is shared with every other integration of the database: take half by default."""
DEFAULT_HOURLY_SHARE = int(TENANT_HOURLY_THRESHOLD * DEFAULT_SHARE)
HOUR = 3600.0


@dataclass(frozen=True)
class Admitted:
    """The request may go now; hand `token` back to `Limits.release` when its answer came (or did not)."""

    token: str


@dataclass(frozen=True)
class Held:
    """The request may not go: the hourly budget is used up, or every caller waits out a 429."""

    reason: Literal["budget", "paused"]
    seconds: float
    """Until the oldest request leaves the rolling hour, or the pause ends."""


Admission = Admitted | Held


class Limits(Protocol):
    """Where the requests of one Autotask API user wait their turn."""

    @property
    def limit(self) -> int:
        """Requests per rolling `window`."""
        ...

    @property
    def window(self) -> float: ...

    def admit(self, gate: str) -> Admission:
        """Wait while 3 requests of `gate` (`gate_key`) are in flight, then admit this one (counted in the
        budget) or hold it."""
        ...

    def release(self, gate: str, token: str) -> None: ...

    def pause(self, seconds: float) -> None:
        """After a 429: no request of this user goes for `seconds`, whoever asks."""
        ...

    def used(self) -> int:
        """Requests admitted in the current window."""
        ...


def gate_key(zone_url: str, integration_code: str, endpoint: str) -> str:
    """What Autotask's thread limit counts per: the endpoint is the entity segment after V1.0 (`tickets`
    for `/V1.0/Tickets/7/Notes`). The integration code is a credential, so it is hashed, never stored."""
    integration = hashlib.sha256(f"{zone_url.lower()}|{integration_code.lower()}".encode()).hexdigest()
    return f"{integration[:24]}:{endpoint.lower()}"


class RequestBudget:
    """Requests a client may send in any rolling `window` of seconds, counted in this process; share one
    between the clients that should draw on the same allowance."""

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


_gates: dict[str, threading.BoundedSemaphore] = {}
_local: dict[str, LocalLimits] = {}
_registry_lock = threading.Lock()


def _gate(gate: str) -> threading.BoundedSemaphore:
    with _registry_lock:
        semaphore = _gates.get(gate)
        if semaphore is None:
            semaphore = _gates[gate] = threading.BoundedSemaphore(THREADS_PER_ENDPOINT)
        return semaphore


class LocalLimits:
    """The limits as this process alone sees them: the gates are shared by every client in the process (two
    users of one integration code share Autotask's limit), the budget and the pause by those given the same
    object."""

    def __init__(self, budget: RequestBudget) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._paused_until = 0.0

    @classmethod
    def of_user(cls, username: str) -> LocalLimits:
        """The default of an API user in this process: every client of that user draws on it."""
        with _registry_lock:
            limits = _local.get(username.lower())
            if limits is None:
                limits = _local[username.lower()] = cls(RequestBudget())
            return limits

    @property
    def limit(self) -> int:
        return self.budget.limit

    @property
    def window(self) -> float:
        return self.budget.window

    def admit(self, gate: str) -> Admission:
        with self._lock:
            paused = self._paused_until - time.monotonic()
        if paused > 0:
            return Held("paused", paused)
        _gate(gate).acquire()
        wait = self.budget.spend()
        if wait is not None:
            _gate(gate).release()
            return Held("budget", wait)
        return Admitted(gate)

    def release(self, gate: str, token: str) -> None:
        _gate(gate).release()

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def used(self) -> int:
        return self.budget.used()

    def __repr__(self) -> str:
        return f"LocalLimits({self.budget!r})"


class Busy:
    """`Counts.take`'s answer while 3 requests of the gate are in flight."""


BUSY = Busy()


class Counts(Protocol):
    """A store every process of a deployment reaches, counting the requests in flight per gate, the
    requests of each user in the rolling window, and each user's pause. Each call is atomic."""

    def take(self, user: str, gate: str, limit: int, window: float, lease: float) -> Admission | Busy:
        """Admit one request when its user is not paused, its gate has fewer than 3 in flight and its user
        fewer than `limit` in the window; an admitted request holds its slot for at most `lease` seconds
        (a process that dies while a request is in flight frees the slot then)."""
        ...

    def give_back(self, gate: str, token: str) -> None: ...

    def pause(self, user: str, seconds: float) -> None:
        """Pause the user until `seconds` from now, unless it is paused longer already."""
        ...

    def used(self, user: str, window: float) -> int: ...


class SharedLimits:
    """One API user's limits kept in `counts`, with this deployment's share of the tenant's hourly
    requests (`limit`, set from ThresholdInformation by whoever makes the clients)."""

    POLL_START, POLL_MAX = 0.002, 0.05
    """How often a request waiting for a slot asks again: soon at first, then at most every 50 ms."""

    def __init__(
        self, counts: Counts, username: str, limit: int, *, window: float = HOUR, lease: float = 120.0
    ) -> None:
        self.counts = counts
        self.user = username.lower()
        self.limit = limit
        self.window = window
        self.lease = lease
        """Longer than any request may take: the client's timeout and Autotask's own time after it."""

    def admit(self, gate: str) -> Admission:
        poll = self.POLL_START
        while True:
            answer = self.counts.take(self.user, gate, self.limit, self.window, self.lease)
            if not isinstance(answer, Busy):
                return answer
            time.sleep(poll)
            poll = min(poll * 2, self.POLL_MAX)

    def release(self, gate: str, token: str) -> None:
        self.counts.give_back(gate, token)

    def pause(self, seconds: float) -> None:
        self.counts.pause(self.user, seconds)

    def used(self) -> int:
        return self.counts.used(self.user, self.window)

    def __repr__(self) -> str:
        return f"SharedLimits(user={self.user!r}, limit={self.limit}, counts={type(self.counts).__name__})"
