from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.jobs.retry import backoff, next_delay
from fieldbridge.settings import RetrySettings

POLICY = RetrySettings(attempts=5, base_delay_seconds=10, max_delay_seconds=100)


def test_the_ceiling_doubles_per_attempt_up_to_the_maximum() -> None:
    ceilings = [backoff(POLICY, attempt, rand=lambda: 1.0) for attempt in range(1, 7)]
    assert ceilings == [10, 20, 40, 80, 100, 100]
    floors = [backoff(POLICY, attempt, rand=lambda: 0.0) for attempt in range(1, 7)]
    assert floors == [5, 10, 20, 40, 50, 50]


@given(attempt=st.integers(1, 60), r=st.floats(0, 1, exclude_max=True))
def test_jitter_stays_between_half_and_all_of_the_ceiling(attempt: int, r: float) -> None:
    ceiling = min(100.0, 10 * 2.0 ** (attempt - 1))
    assert ceiling / 2 <= backoff(POLICY, attempt, rand=lambda: r) <= ceiling


def test_dead_letter_after_the_last_attempt_or_a_permanent_failure() -> None:
    assert next_delay(POLICY, 4, retryable=True, rand=lambda: 0.0) == 40
    assert next_delay(POLICY, 5, retryable=True) is None
    assert next_delay(POLICY, 1, retryable=False) is None
