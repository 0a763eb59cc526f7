from __future__ import annotations

from fieldbridge.jobs.retry import next_delay
from fieldbridge.settings import RetrySettings

POLICY = RetrySettings(attempts=5, base_delay_seconds=10, max_delay_seconds=100)


def test_dead_letter_after_the_last_attempt_or_a_permanent_failure() -> None:
    assert next_delay(POLICY, 4, retryable=True, rand=lambda: 0.0) == 40
    assert next_delay(POLICY, 5, retryable=True) is None
    assert next_delay(POLICY, 1, retryable=False) is None
