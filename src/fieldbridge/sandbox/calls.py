"""Count every call an emulator answers, by verb, route template and calling user."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def record(self, method: str, route: str, user: str) -> None:
        with self._lock:
            self._counts[(method, route, user)] += 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def count(self, method: str | None = None, route: str | None = None, user: str | None = None) -> int:
        """Calls matching every criterion given (route compared case-insensitively)."""
        with self._lock:
            return sum(
                n
                for (m, r, u), n in self._counts.items()
                if (method is None or m == method.upper())
                and (route is None or r.lower() == route.lower())
                and (user is None or u == user)
            )

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            items = [
                {"method": m, "route": r, "user": u, "count": n}
                for (m, r, u), n in sorted(self._counts.items())
            ]
        return {"total": sum(i["count"] for i in items), "items": items}
