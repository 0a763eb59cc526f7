"""Waiting before trying again: one rule for the Autotask and Field Nation clients and the worker's retries.

Waits grow exponentially with "equal jitter": the cap doubles with each attempt up to a ceiling, half of it
is fixed and half random, so callers that failed together (an outage) do not come back together, yet none
comes back sooner than half its cap. A server's `Retry-After` is read one way for both services.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def delay(attempt: int, base: float, ceiling: float, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 for the first)."""
    cap = min(ceiling, base * 2.0 ** (attempt - 1))
    return cap / 2 + rand() * cap / 2


def retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` as seconds from now (a number or an HTTP date); None when absent or unreadable."""
    raw = next((value for name, value in headers.items() if name.lower() == "retry-after"), None)
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
