"""Autotask's limits counted in the database (sync/request_counts.py): a slot given back travels in the
process's next admission, or is written by itself soon after, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from fieldbridge.autotask.limits import Admitted, Busy
from fieldbridge.sync import request_counts
from fieldbridge.sync.request_counts import DatabaseCounts, open_counts
from tests.support.waiting import wait_until

HOUR, LEASE = 3600.0, 120.0


@pytest.fixture
def counts(database_url: str) -> Iterator[DatabaseCounts]:
    counts = open_counts(database_url)
    yield counts
    counts.db.engine.dispose()


@pytest.fixture
def names() -> tuple[str, str]:
    """A user and a gate of this test's own (the PostgreSQL schema is shared by the session's tests)."""
    suffix = uuid.uuid4().hex[:8]
    return f"user-{suffix}", f"gate-{suffix}"


def fill(counts: DatabaseCounts, user: str, gate: str) -> list[Admitted]:
    """Three requests in flight on `gate`: Autotask's limit."""
    taken = [counts.take(user, gate, 100, HOUR, LEASE) for _ in range(3)]
    assert all(isinstance(t, Admitted) for t in taken), taken
    assert isinstance(counts.take(user, gate, 100, HOUR, LEASE), Busy)
    return [t for t in taken if isinstance(t, Admitted)]


@pytest.fixture
def writer_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slots given back wait a minute for an admission before they are written alone."""
    monkeypatch.setattr(request_counts, "GIVE_BACK_DELAY", 60.0)


@pytest.mark.usefixtures("writer_waits")
def test_a_slot_given_back_travels_in_the_next_admission(
    counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    first, *_ = fill(counts, user, gate)
    commits: list[object] = []
    event.listen(counts.db.engine, "commit", commits.append)
    counts.give_back(gate, first.token)
    assert isinstance(counts.take(user, gate, 100, HOUR, LEASE), Admitted)
    assert len(commits) == 1  # the admission's: the give-back went in it
    assert isinstance(counts.take(user, gate, 100, HOUR, LEASE), Busy)


def test_a_slot_given_back_with_no_admission_after_it_is_written_alone(
    database_url: str, counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    first, *_ = fill(counts, user, gate)
    counts.give_back(gate, first.token)
    other = open_counts(database_url)  # another process of the deployment
    try:
        wait_until(
            lambda: isinstance(other.take(user, gate, 100, HOUR, LEASE), Admitted),
            timeout=10,
            what="the slot given back to be free for another process",
        )
        assert isinstance(other.take(user, gate, 100, HOUR, LEASE), Busy)
    finally:
        other.db.engine.dispose()


@pytest.mark.usefixtures("writer_waits")
def test_slots_given_back_are_written_at_flush(database_url: str, names: tuple[str, str]) -> None:
    user, gate = names
    counts = open_counts(database_url)
    taken = fill(counts, user, gate)
    for admitted in taken:
        counts.give_back(gate, admitted.token)
    other = open_counts(database_url)
    try:
        assert isinstance(other.take(user, gate, 100, HOUR, LEASE), Busy)
        counts.flush()  # as at exit
        assert all(isinstance(other.take(user, gate, 100, HOUR, LEASE), Admitted) for _ in range(3))
    finally:
        other.db.engine.dispose()
        counts.db.engine.dispose()
