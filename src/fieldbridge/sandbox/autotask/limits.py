"""Autotask's request limits: 3 concurrent requests per (integration code, endpoint) and a rolling hourly
threshold per tenant, shared by every integration."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque

THREADS = 3
HOURLY_THRESHOLD = 10_000
THREAD_LIMIT_MESSAGE = f"API thread threshold of {THREADS} threads has been exceeded"
HOUR = 3600.0


class ThreadLimiter:
    def __init__(self, limit: int = THREADS) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._in_flight: Counter[tuple[str, str]] = Counter()
        self._peaks: Counter[tuple[str, str]] = Counter()

    def acquire(self, key: tuple[str, str]) -> bool:
        with self._lock:
            if self._in_flight[key] >= self.limit:
                return False
            self._in_flight[key] += 1
            self._peaks[key] = max(self._peaks[key], self._in_flight[key])
            return True

    def snapshot(self) -> list[dict[str, object]]:
        """Requests in flight now, per (integration code, endpoint)."""
        with self._lock:
            return [
                {"integration_code": c, "endpoint": e, "in_flight": n}
                for (c, e), n in self._in_flight.items()
            ]

    def peaks(self) -> list[dict[str, object]]:
        """The most requests admitted in flight at once since the last reset, per (integration code,
        endpoint): what shows whether callers kept within the limit (refused ones are counted as calls)."""
        with self._lock:
            return [{"integration_code": c, "endpoint": e, "peak": n} for (c, e), n in self._peaks.items()]

    def reset_peaks(self) -> None:
        with self._lock:
            self._peaks.clear()

    def release(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._in_flight[key] -= 1
            if self._in_flight[key] <= 0:
                del self._in_flight[key]


class HourlyThreshold:
    """Counts requests in the last rolling hour; `threshold` is settable so tests can reach it quickly."""

    def __init__(self, threshold: int = HOURLY_THRESHOLD) -> None:
        self.threshold = threshold
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()

    def _prune(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - HOUR:
            self._stamps.popleft()

    def admit(self) -> bool:
        now = time.monotonic()
        with self._lock:
            self._prune(now)
            if len(self._stamps) >= self.threshold:
                return False
            self._stamps.append(now)
            return True

    def count(self) -> int:
        with self._lock:
            self._prune(time.monotonic())
            return len(self._stamps)

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()
