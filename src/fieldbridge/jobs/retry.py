"""When to try a failed event again: exponential backoff with jitter, up to the configured attempts."""

from __future__ import annotations

import random
from collections.abc import Callable

from fieldbridge.settings import RetrySettings


def backoff(policy: RetrySettings, attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    The ceiling doubles per attempt up to the maximum; half of it is fixed and half random ("equal jitter"),
    so a burst of events that failed together (an outage) does not come back together, yet none comes
    back sooner than half its ceiling.
    """
    ceiling = min(policy.max_delay_seconds, policy.base_delay_seconds * 2.0 ** (attempt - 1))
    return ceiling / 2 + rand() * ceiling / 2


def next_delay(
    policy: RetrySettings, attempts_made: int, retryable: bool, rand: Callable[[], float] = random.random
) -> float | None:
    """Seconds until the next attempt, or None when the event goes to dead letters."""
    if not retryable or attempts_made >= policy.attempts:
        return None
    return backoff(policy, attempts_made, rand)
