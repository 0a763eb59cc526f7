"""The one waiting rule of the clients and the worker, and the one reading of Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldbridge import backoff


def test_the_cap_doubles_per_attempt_up_to_the_ceiling() -> None:
    assert [backoff.delay(n, 10, 100, rand=lambda: 1.0) for n in range(1, 7)] == [10, 20, 40, 80, 100, 100]
    assert [backoff.delay(n, 10, 100, rand=lambda: 0.0) for n in range(1, 7)] == [5, 10, 20, 40, 50, 50]


@given(attempt=st.integers(1, 60), r=st.floats(0, 1, exclude_max=True))
def test_jitter_stays_between_half_and_all_of_the_cap(attempt: int, r: float) -> None:
    cap = min(100.0, 10 * 2.0 ** (attempt - 1))
    assert cap / 2 <= backoff.delay(attempt, 10, 100, rand=lambda: r) <= cap


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("soon", None), ("", None), (None, None)],
)
def test_retry_after_reads_seconds(header: str | None, seconds: float | None) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    assert backoff.retry_after(headers) == seconds


def test_retry_after_reads_an_http_date_and_any_spelling_of_the_name() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = backoff.retry_after({"retry-after": when})
    assert wait is not None
    assert 25 < wait <= 30
