"""Autotask's limits counted in the database (sync/request_counts.py), on SQLite and on PostgreSQL: a busy
process keeps its slots and spare requests of the budget, and writes about once every ten requests; what it
keeps goes back soon after it is idle, and never lets a request past Autotask's limits or the share."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from fieldbridge.autotask.limits import Admitted, Busy, Held
from fieldbridge.sync import request_counts
from fieldbridge.sync.request_counts import DatabaseCounts, open_counts
from tests.support.waiting import wait_until

HOUR, LEASE = 3600.0, 120.0
LIMIT = 1000
"""A share whose tenth is more than the ten spare requests an admission takes."""


@contextmanager
def opened(database_url: str) -> Iterator[DatabaseCounts]:
    """The counts of a process of the deployment, all it kept given back when it ends (as at exit)."""
    counts = open_counts(database_url)
    try:
        yield counts
    finally:
        counts.flush()
        counts.db.engine.dispose()


@pytest.fixture
def counts(database_url: str) -> Iterator[DatabaseCounts]:
    with opened(database_url) as counts:
        yield counts


@pytest.fixture
def names() -> tuple[str, str]:
    """A user and a gate of this test's own (the PostgreSQL schema is shared by the session's tests)."""
    suffix = uuid.uuid4().hex[:8]
    return f"user-{suffix}", f"gate-{suffix}"


def fill(counts: DatabaseCounts, user: str, gate: str) -> list[Admitted]:
    """Three requests in flight on `gate`: Autotask's limit."""
    taken = [counts.take(user, gate, LIMIT, HOUR, LEASE) for _ in range(3)]
    assert all(isinstance(t, Admitted) for t in taken), taken
    assert isinstance(counts.take(user, gate, LIMIT, HOUR, LEASE), Busy)
    return [t for t in taken if isinstance(t, Admitted)]


@pytest.fixture
def writer_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a process keeps stays its own for a minute before it is given back alone."""
    monkeypatch.setattr(request_counts, "SLOT_KEEP", 60.0)
    monkeypatch.setattr(request_counts, "SPARE_SECONDS", 60.0)


def commits_on(counts: DatabaseCounts) -> list[object]:
    commits: list[object] = []
    event.listen(counts.db.engine, "commit", commits.append)
    return commits


@pytest.mark.usefixtures("writer_waits")
def test_a_busy_process_writes_once_every_ten_requests(
    counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    commits = commits_on(counts)
    for _ in range(30):
        admitted = counts.take(user, gate, LIMIT, HOUR, LEASE)
        assert isinstance(admitted, Admitted)
        counts.give_back(gate, admitted.token)
    # The first admission took a slot and 10 spare requests; each 11th takes 10 more in the kept slot.
    assert len(commits) == 3
    assert counts.used(user, HOUR) == 30 + 3  # the requests sent, and the spares left
    assert isinstance(counts.take(user, gate, LIMIT, HOUR, LEASE), Admitted)  # the kept slot, no write
    assert len(commits) == 4  # the used count's own


@pytest.mark.usefixtures("writer_waits")
def test_a_kept_slot_is_the_process_own_until_given_back(
    database_url: str, counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    first, *_ = fill(counts, user, gate)
    counts.give_back(gate, first.token)
    with opened(database_url) as other:  # another process of the deployment
        assert isinstance(other.take(user, gate, LIMIT, HOUR, LEASE), Busy)
        commits = commits_on(counts)
        assert isinstance(counts.take(user, gate, LIMIT, HOUR, LEASE), Admitted)
        assert commits == []  # the kept slot, and a spare request of the budget
        assert isinstance(counts.take(user, gate, LIMIT, HOUR, LEASE), Busy)


def test_spare_requests_never_take_processes_past_the_share(
    database_url: str, counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    with opened(database_url) as other:
        answers = []
        for taker in [counts, other] * 100:
            answers.append(taker.take(user, gate, 150, HOUR, LEASE))
            if isinstance(answers[-1], Admitted):
                taker.give_back(gate, answers[-1].token)
    # Each took spares, a tenth of what was left at most, and spent them all: no request was held while
    # the share had room (behind the other's spares), none went past it.
    assert all(isinstance(answer, Admitted) for answer in answers[:150])
    assert all(isinstance(answer, Held) and answer.reason == "budget" for answer in answers[150:])


def test_what_an_idle_process_kept_goes_back(counts: DatabaseCounts, names: tuple[str, str]) -> None:
    user, gate = names
    admitted = counts.take(user, gate, LIMIT, HOUR, LEASE)
    assert isinstance(admitted, Admitted)
    assert counts.used(user, HOUR) == 1 + 10  # its own and the spares
    counts.give_back(gate, admitted.token)
    wait_until(lambda: counts.used(user, HOUR) == 1, timeout=10, what="the spare requests to be given back")


@pytest.mark.usefixtures("writer_waits")
def test_a_pause_holds_the_process_own_requests_at_once_and_another_soon(
    database_url: str, counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    with opened(database_url) as other:
        for taker in (counts, other):
            admitted = taker.take(user, gate, LIMIT, HOUR, LEASE)
            assert isinstance(admitted, Admitted)
            taker.give_back(gate, admitted.token)
        counts.pause(user, 30)
        assert isinstance(counts.take(user, gate, LIMIT, HOUR, LEASE), Held)
        # The other process sees it once its spare requests are spent (or expire).
        answers = []
        for _ in range(1 + request_counts.SPARE_REQUESTS):
            answers.append(other.take(user, gate, LIMIT, HOUR, LEASE))
            if not isinstance(answers[-1], Admitted):
                break
            other.give_back(gate, answers[-1].token)
        assert isinstance(answers[-1], Held)
        assert answers[-1].reason == "paused"


def test_a_slot_given_back_with_no_admission_after_it_is_written_alone(
    database_url: str, counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    first, *_ = fill(counts, user, gate)
    counts.give_back(gate, first.token)
    with opened(database_url) as other:
        wait_until(
            lambda: isinstance(other.take(user, gate, LIMIT, HOUR, LEASE), Admitted),
            timeout=10,
            what="the slot given back to be free for another process",
        )
        assert isinstance(other.take(user, gate, LIMIT, HOUR, LEASE), Busy)


@pytest.mark.usefixtures("writer_waits")
def test_slots_given_back_are_written_at_flush(database_url: str, names: tuple[str, str]) -> None:
    user, gate = names
    counts = open_counts(database_url)
    taken = fill(counts, user, gate)
    for admitted in taken:
        counts.give_back(gate, admitted.token)
    with opened(database_url) as other:
        assert isinstance(other.take(user, gate, LIMIT, HOUR, LEASE), Busy)
        counts.flush()  # as at exit
        assert all(isinstance(other.take(user, gate, LIMIT, HOUR, LEASE), Admitted) for _ in range(3))
        counts.db.engine.dispose()


def test_spare_requests_that_expire_unused_are_given_back(
    monkeypatch: pytest.MonkeyPatch, counts: DatabaseCounts, names: tuple[str, str]
) -> None:
    user, gate = names
    monkeypatch.setattr(request_counts, "SLOT_KEEP", 60.0)
    monkeypatch.setattr(request_counts, "SPARE_SECONDS", 0.0)  # spares expire as they are taken
    # The writer not come round yet: what the next admission finds expired is for it to give back.
    monkeypatch.setattr(DatabaseCounts, "_write_due", lambda self: None)
    for _ in range(2):
        admitted = counts.take(user, gate, LIMIT, HOUR, LEASE)
        assert isinstance(admitted, Admitted)
        counts.give_back(gate, admitted.token)
    counts.flush()
    assert counts.used(user, HOUR) == 2  # the two requests sent; none of the spares
