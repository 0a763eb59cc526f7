"""`X-FN-Request-Timestamp` (milliseconds) is accepted within the tolerance of our clock, either way, and
refused past it, with a sentence that says which way and how far."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldbridge.fieldnation.webhooks import BadTimestamp, check_timestamp

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(minutes=5)


def stamp(moment: datetime) -> str:
    return str(round(moment.timestamp() * 1000))


@pytest.mark.parametrize("offset", [-TOLERANCE, timedelta(0), TOLERANCE])
def test_times_up_to_the_tolerance_either_way_are_accepted(offset: timedelta) -> None:
    check_timestamp(stamp(NOW + offset), NOW, TOLERANCE)


@pytest.mark.parametrize(
    ("offset", "said"),
    [
        (-TOLERANCE - timedelta(milliseconds=1), "300 s behind this server's clock"),
        (TOLERANCE + timedelta(milliseconds=1), "300 s ahead of this server's clock"),
        (-timedelta(days=1), "86400 s behind"),
    ],
)
def test_times_past_the_tolerance_are_refused_saying_how_far(offset: timedelta, said: str) -> None:
    with pytest.raises(BadTimestamp, match=said):
        check_timestamp(stamp(NOW + offset), NOW, TOLERANCE)


def test_seconds_instead_of_milliseconds_read_as_a_time_in_1970_and_are_refused() -> None:
    with pytest.raises(BadTimestamp, match="behind"):
        check_timestamp(str(int(NOW.timestamp())), NOW, TOLERANCE)
