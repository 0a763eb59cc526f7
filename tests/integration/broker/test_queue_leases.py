"""The queue's leases on a real SQLite file and a real Redis: a taken message is hidden from other consumers
until it is acknowledged (gone) or its lease runs out (waiting again), renewing a lease keeps it hidden, and
a consumer whose lease ran out can neither remove nor keep a message another consumer has taken since.
Then, through huey, which outcomes of a task remove its message."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from huey.storage import SqliteStorage

from fieldbridge.jobs.queue import LeasingHuey
from fieldbridge.jobs.queue_storage import RedisLeasedStorage, SqliteLeasedStorage
from tests.support.waiting import wait_until

LEASE = 0.3
"""Seconds a taken message stays hidden; the tests wait a few of them at most."""


class Queue:
    """One queue of its own on one backend: storages (consumers) and LeasingHueys on it."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.name = f"leases{uuid.uuid4().hex[:8]}"
        self.options = options

    def storage(self) -> Any:
        kwargs = {key: value for key, value in self.options.items() if key != "storage_class"}
        return self.options["storage_class"](self.name, lease_seconds=LEASE, **kwargs)

    def huey(self) -> LeasingHuey:
        return LeasingHuey(self.name, lease_seconds=LEASE, **self.options)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.services)])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Queue]:
    if request.param == "sqlite":
        yield Queue({"storage_class": SqliteLeasedStorage, "filename": str(tmp_path / "queue.db")})
        return
    url: str = request.getfixturevalue("redis_url")
    made = Queue({"storage_class": RedisLeasedStorage, "url": url, "read_timeout": 0.1})
    yield made
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"*{made.name}*"):
        client.delete(key)
    client.close()


def take_within(store: Any, seconds: float) -> Any:
    """Poll as an idle consumer does until a message is taken; None once `seconds` pass without one."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        store.keep([])  # as the consumer's lease thread does; in Redis it puts expired messages back
        taken = store.take()
        if taken is not None:
            return taken
        time.sleep(0.02)
    return None


GONE_WITHIN = LEASE * 2
"""How long a test looks for a message that must not come back: one whose lease was kept would be back
after one lease."""


def test_a_taken_message_is_hidden_until_acknowledged(queue: Queue) -> None:
    store = queue.storage()
    store.enqueue(b"look at event 1")
    taken = store.take()
    assert taken is not None
    assert taken.message == b"look at event 1"
    assert store.queue_size() == 0
    assert store.take() is None
    store.ack(taken)
    assert take_within(store, GONE_WITHIN) is None  # gone for good, not merely leased


def test_a_message_whose_lease_runs_out_is_taken_again(queue: Queue) -> None:
    first, second = queue.storage(), queue.storage()
    first.enqueue(b"look at event 1")
    lost = first.take()  # ...and its consumer dies
    assert lost is not None
    retaken = take_within(second, LEASE * 10)
    assert retaken is not None
    assert retaken.message == b"look at event 1"
    assert retaken.token != lost.token
    assert first.take() is None
    # The first consumer, back from a stall, can neither remove nor keep what the second holds now: when the
    # second stops renewing too, the message comes back although the first "acknowledged" and "renews" it.
    first.ack(lost)

    def stale_renewal_then_take() -> Any:
        first.keep([lost])
        return first.take()

    again = wait_until(stale_renewal_then_take, timeout=LEASE * 10, what="the message to come back")
    assert again.message == b"look at event 1"
    first.ack(again)
    assert take_within(second, GONE_WITHIN) is None


def test_a_renewed_lease_keeps_the_message_hidden(queue: Queue) -> None:
    holder, other = queue.storage(), queue.storage()
    holder.enqueue(b"look at event 1")
    taken = holder.take()
    assert taken is not None
    deadline = time.monotonic() + LEASE * 4
    while time.monotonic() < deadline:
        holder.keep([taken])
        other.keep([])
        assert other.take() is None
        time.sleep(LEASE / 3)  # the holder's renewal period: the lease never gets near its end
    holder.ack(taken)


@pytest.mark.services
@pytest.mark.parametrize("queue", ["redis"], indirect=True)
def test_redis_a_message_whose_taker_died_before_writing_its_lease_comes_back(queue: Queue) -> None:
    store = queue.storage()
    store.enqueue(b"look at event 1")
    # What a consumer's take does first (BLMOVE), without the lease it writes next: it died in between.
    store.conn.lmove(store.queue_key, store.taken_key, "RIGHT", "LEFT")
    retaken = take_within(store, LEASE * 10)
    assert retaken is not None
    assert retaken.message == b"look at event 1"


def test_a_sqlite_queue_made_before_leases_keeps_its_waiting_messages(tmp_path: Path) -> None:
    path = str(tmp_path / "queue.db")
    SqliteStorage("q", filename=path).enqueue(b"look at event 1")
    store = SqliteLeasedStorage("q", lease_seconds=LEASE, filename=path)
    taken = store.take()
    assert taken is not None
    assert taken.message == b"look at event 1"


class Consumer:
    """A LeasingHuey consumer run by hand: `dequeue` then `execute`, as a huey worker thread does."""

    def __init__(self, queue: Queue) -> None:
        self.huey = queue.huey()
        self.calls: list[str] = []
        self.task = self.huey.task(name="record")(self._record)

    def _record(self, outcome: str) -> None:
        self.calls.append(outcome)
        if outcome == "raises":
            raise RuntimeError("the database went away")

    def take(self) -> Any:
        self.huey.keep_leases()
        return self.huey.dequeue()

    def run_one(self) -> None:
        task = wait_until(self.take, timeout=LEASE * 10, what="a message to take")
        self.huey.execute(task)

    def nothing_comes_back(self) -> bool:
        deadline = time.monotonic() + GONE_WITHIN
        while time.monotonic() < deadline:
            if self.take() is not None:
                return False
            time.sleep(0.02)
        return True


def test_a_task_that_ran_removes_its_message(queue: Queue) -> None:
    consumer = Consumer(queue)
    consumer.task("returns")
    consumer.run_one()
    assert consumer.calls == ["returns"]
    assert consumer.nothing_comes_back()


def test_a_task_that_raised_leaves_its_message_to_come_back(queue: Queue) -> None:
    consumer = Consumer(queue)
    consumer.task("raises")
    consumer.run_one()
    consumer.run_one()  # the same message, once its lease ran out
    assert consumer.calls == ["raises", "raises"]


def test_a_message_due_later_moves_to_the_schedule_and_leaves_the_queue(queue: Queue) -> None:
    consumer = Consumer(queue)
    consumer.task.schedule(args=("later",), delay=3600)
    consumer.run_one()
    assert consumer.calls == []
    assert consumer.huey.scheduled_count() == 1
    assert consumer.nothing_comes_back()


def test_running_a_message_costs_the_sqlite_queue_no_revocation_look_ups(tmp_path: Path) -> None:
    # Nothing revokes a message (the inbox stops an event), so huey's per-message revocation read and the
    # write that clears the flag would be two of the queue file's statements per event for nothing.
    consumer = Consumer(Queue({"storage_class": SqliteLeasedStorage, "filename": str(tmp_path / "queue.db")}))
    consumer.task("returns")
    statements: list[str] = []
    consumer.huey.storage.conn.set_trace_callback(statements.append)
    consumer.run_one()
    assert consumer.calls == ["returns"]
    assert statements, "the trace saw the take and the acknowledgement"
    assert [sql for sql in statements if " kv" in sql] == []
