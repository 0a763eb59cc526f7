"""When to try a failed event again: `fieldbridge.backoff`, up to the configured attempts."""

from __future__ import annotations

import random
from collections.abc import Callable

from fieldbridge import backoff
from fieldbridge.settings import RetrySettings


def next_delay(
    policy: RetrySettings, attempts_made: int, retryable: bool, rand: Callable[[], float] = random.random
) -> float | None:
    """Seconds until the next attempt, or None when the event goes to dead letters."""
    if not retryable or attempts_made >= policy.attempts:
        return None
    return backoff.delay(attempts_made, policy.base_delay_seconds, policy.max_delay_seconds, rand)
