"""The queue from receivers to workers: huey, on a SQLite file (embedded) or on Redis (shared).

A message carries only an inbox event id. The inbox row is the truth about the event; the queue only says
"look at event N (at time T)". So a duplicate message costs nothing: whoever comes second finds the event
claimed or finished. A message is not lost when its consumer dies: a consumer takes it with a lease and
removes it only once its event is handled (`queue_storage`); until then the consumer renews the lease, and
once the lease runs out the message is waiting again for any consumer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from huey.api import Huey, Task
from sqlalchemy import make_url

from fieldbridge.jobs.queue_storage import RedisLeasedStorage, SqliteLeasedStorage, Taken
from fieldbridge.settings import Settings
from fieldbridge.store.files import create_private_file

log = logging.getLogger(__name__)

TASK_NAME = "fieldbridge.process_event"

MESSAGE_LEASES = 2
"""A taken message stays hidden this many `lease_seconds` after its consumer last renewed it. Consumers
renew every third of a lease, as workers renew an event's lease, so when a dead consumer's message comes
back the event's own lease (at most one lease after the death) has run out: the next consumer claims the
event at once rather than finding it still leased and dropping the message as a duplicate."""


class _InHand(threading.local):
    """The message a huey worker thread took, between `dequeue` and the end of `execute` (huey calls both
    in the same thread, one message at a time)."""

    taken: Taken | None = None
    failed: bool = False


class LeasingHuey(Huey):  # type: ignore[misc]
    """huey over a leased storage: a message is removed once its task has run without raising (or has
    been put in the schedule, for a message due later). A task that raised leaves its message to come
    back when its lease runs out."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, results=False, **kwargs)
        self._in_hand = _InHand()
        self._held: set[Taken] = set()
        self._held_lock = threading.Lock()
        self.post_execute(name="fieldbridge.leases")(self._note_outcome)

    def dequeue(self) -> Task | None:
        taken = self.storage.take()
        if taken is None:
            return None
        try:
            task = self.deserialize_task(taken.message)
        except Exception:
            self.storage.ack(taken)  # a message nobody can read would otherwise come back for ever
            raise
        with self._held_lock:
            self._held.add(taken)
        self._in_hand.taken, self._in_hand.failed = taken, False
        return task

    def execute(self, task: Task, timestamp: Any = None) -> Any:
        taken, self._in_hand.taken = self._in_hand.taken, None
        handled = False
        try:
            value = super().execute(task, timestamp)
            handled = not self._in_hand.failed
            return value
        finally:
            if taken is not None:
                with self._held_lock:
                    self._held.discard(taken)
                if handled:
                    self.storage.ack(taken)

    def enqueue_all(self, tasks: list[Task]) -> None:
        """Tasks to run now, stored at once (huey's signals and immediate mode are not used here)."""
        self.storage.enqueue_all([self.serialize_task(task) for task in tasks])

    # Nothing here revokes a message: an event is stopped in the inbox, which every run reads first. So
    # huey's two revocation look-ups per message, one of them a write to the queue (clearing the message's
    # revocation flag once it ran), are skipped.
    def is_revoked(self, task: Any, timestamp: Any = None, peek: bool = True) -> bool:
        return False

    def delete(self, key: str) -> bool:
        if key.startswith("r:"):  # a message's revocation flag (huey's `Task.revoke_id`), never set here
            return False
        return bool(super().delete(key))

    def keep_leases(self) -> None:
        """Renew the leases of the messages this process holds (and, in Redis, put back the messages
        whose lease ran out)."""
        with self._held_lock:
            held = list(self._held)
        self.storage.keep(held)

    def _note_outcome(self, task: Task, value: Any, exception: BaseException | None) -> None:
        self._in_hand.failed = exception is not None


def build_huey(settings: Settings) -> LeasingHuey:
    url = settings.queue_url
    lease = MESSAGE_LEASES * settings.lease_seconds
    if url.startswith("sqlite:"):
        path = Path(make_url(url).database or "queue.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private_file(path)  # 0600 before SQLite opens it, as the database (store.files)
        return LeasingHuey(
            settings.queue_name, storage_class=SqliteLeasedStorage, filename=str(path), lease_seconds=lease
        )
    if url.startswith(("redis://", "rediss://", "unix://")):
        return LeasingHuey(
            settings.queue_name, storage_class=RedisLeasedStorage, url=url, lease_seconds=lease
        )
    raise ValueError(f"queue URL {url!r} is neither sqlite:///PATH nor redis://HOST:PORT/DB")


class EventQueue:
    def __init__(self, settings: Settings) -> None:
        self.huey = build_huey(settings)
        self._renew_every = settings.lease_seconds / 3
        self._process: Callable[[int], None] | None = None
        self._task = self.huey.task(name=TASK_NAME)(self._run)

    def enqueue(self, event_id: int, delay: float = 0.0) -> None:
        if delay > 0:
            self._task.schedule(args=(event_id,), delay=delay)
        else:
            self._task(event_id)

    def enqueue_all(self, event_ids: Collection[int]) -> None:
        """Several events, due now, in one write to the queue."""
        if event_ids:
            self.huey.enqueue_all([self._task.s(event_id) for event_id in event_ids])

    def consume_with(self, process: Callable[[int], None]) -> None:
        """Make this process a consumer: messages taken from the queue go to `process`."""
        self._process = process

    def keep_leases_until(self, stop: threading.Event) -> None:
        """Renew this consumer's leases every third of a lease, until `stop` is set."""
        while not stop.wait(self._renew_every):
            try:
                self.huey.keep_leases()
            except Exception as error:
                log.warning("queue leases not renewed (%s); trying again in %.1f s", error, self._renew_every)

    def pending(self) -> int:
        """Messages waiting (not those taken, nor those scheduled for later); raises when the queue cannot
        be reached."""
        return int(self.huey.pending_count())

    def _run(self, event_id: int) -> None:
        if self._process is None:
            raise RuntimeError("this process enqueues events but does not consume them")
        self._process(event_id)
