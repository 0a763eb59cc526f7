"""When to try an Autotask call again and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass

from fieldbridge import backoff


@dataclass(frozen=True)
class Retry:
    attempts: int = 5
    """Attempts in all, the first included."""
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0
    """A Retry-After longer than this is not slept through: the error goes up with `retry_after` set, so a
    queue (not a worker thread) does the waiting."""

    def delay(self, retry: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number `retry` (1 = the first retry), or None to give up.

        `backoff.delay`; a server's Retry-After is a floor, with jitter on top so callers that failed
        together do not come back together.
        """
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return retry_after + random.uniform(0, self.base_delay)
        return backoff.delay(retry, self.base_delay, self.max_delay)
