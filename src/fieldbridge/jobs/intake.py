"""Getting an event into the inbox and then the queue, the same way for every door it comes through
(trigger URL, webhooks, manual import, replay)."""

from __future__ import annotations

import logging
import queue as stdlib_queue
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from fieldbridge.jobs.queue import EventQueue
from fieldbridge.store import inbox, processing
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import Accepted, Hint
from fieldbridge.store.tables import InboxEvent

log = logging.getLogger(__name__)

Answer = Callable[[Accepted | Exception], None]
T = TypeVar("T")


def submit(db: Database, queue: EventQueue, connector_id: int, hint: Hint, now: datetime) -> Accepted:
    """Store first (committed before anyone is told "accepted"), then enqueue; duplicates are not queued."""
    accepted = inbox.accept(db, connector_id, hint, now)
    if not accepted.duplicate:
        _enqueue_stored(db, queue, [accepted.event_id], now)
    return accepted


@dataclass(frozen=True)
class _Waiting:
    connector_id: int
    hint: Hint
    answer: Answer


@dataclass(frozen=True)
class _Queued:
    """Events the queue took, to be marked queued in the intake's next transaction."""

    event_ids: list[int]


class GroupedIntake:
    """The doors' way into the inbox: one thread takes every hint waiting when it comes to them, stores
    them in one transaction (one commit, one turn of SQLite's write lock for all) and answers each; another
    enqueues the new events in one write to the queue and hands them back, to be marked queued in the
    first thread's next transaction (alone only when no hint comes meanwhile). One request at a time
    costs what `submit` costs; under load the transactions grow instead of the requests queueing one by one
    for the write lock, and an answer waits for its store alone (the sweeper queues what is stored and was
    not queued, whatever stopped it)."""

    MAX_GROUP = 256
    """Hints stored in one transaction at most: keeps one transaction, and the wait of its first hint,
    short."""

    def __init__(self, db: Database, queue: EventQueue) -> None:
        self._db = db
        self._queue = queue
        self._waiting: stdlib_queue.SimpleQueue[_Waiting | _Queued | None] = stdlib_queue.SimpleQueue()
        self._stored: stdlib_queue.SimpleQueue[list[int] | None] = stdlib_queue.SimpleQueue()
        self._handing = threading.Lock()
        self._storing = True
        self._threads = [
            threading.Thread(target=self._store_waiting, name="intake", daemon=True),
            threading.Thread(target=self._queue_stored, name="intake-queue", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, connector_id: int, hint: Hint, answer: Answer) -> None:
        """Store the hint, then enqueue it; `answer` is called on the intake's thread once it is stored,
        with the Accepted (or the error that stopped the store)."""
        self._waiting.put(_Waiting(connector_id, hint, answer))

    def close(self) -> None:
        """Store and answer what is waiting, enqueue what is stored and mark it queued, then stop."""
        self._waiting.put(None)
        self._threads[0].join()
        self._stored.put(None)  # once the hints' ids are all there: the queue's thread marks the rest itself
        self._threads[1].join()

    def _store_waiting(self) -> None:
        groups: Iterator[list[_Waiting | _Queued]] = _groups(self._waiting, self.MAX_GROUP)
        for group in groups:
            hints = [item for item in group if isinstance(item, _Waiting)]
            queued = [i for item in group if isinstance(item, _Queued) for i in item.event_ids]
            if hints:
                self._store(hints, queued)
            else:
                _mark_queued(self._db, queued)
        with self._handing:
            self._storing = False
        left: list[int] = []
        while not self._waiting.empty():
            item = self._waiting.get_nowait()
            if isinstance(item, _Queued):
                left += item.event_ids
        _mark_queued(self._db, left)

    def _hand_back(self, event_ids: list[int]) -> None:
        """Queued events to mark in the intake's next transaction, or now once the intake has stopped."""
        with self._handing:
            if self._storing:
                self._waiting.put(_Queued(event_ids))
                return
        _mark_queued(self._db, event_ids)

    def _store(self, group: list[_Waiting], queued: list[int]) -> None:
        def mark(session: Session) -> None:
            if queued:
                processing.mark_enqueued(session, queued, datetime.now(UTC))

        try:
            accepted = inbox.accept_all(
                self._db, [(w.connector_id, w.hint) for w in group], datetime.now(UTC), also=mark
            )
        except Exception as error:
            if len(group) > 1 or queued:
                # One bad hint must not fail the others that shared its transaction: each on its own.
                _mark_queued(self._db, queued)
                for waiting in group:
                    self._store([waiting], [])
            else:
                group[0].answer(error)
            return
        for waiting, answer in zip(group, accepted, strict=True):
            waiting.answer(answer)
        self._stored.put([a.event_id for a in accepted if not a.duplicate])

    def _queue_stored(self) -> None:
        for groups in _groups(self._stored, self.MAX_GROUP):
            event_ids = [i for ids in groups for i in ids]
            if _enqueued(self._queue, event_ids):
                self._hand_back(event_ids)


def _groups(waiting: stdlib_queue.SimpleQueue[T | None], most: int) -> Iterator[list[T]]:
    """What is waiting each time the taker comes to it (`most` at a time), until None is taken."""
    while True:
        first = waiting.get()
        if first is None:
            return
        group = [first]
        while len(group) < most:
            try:
                more = waiting.get_nowait()
            except stdlib_queue.Empty:
                break
            if more is None:
                yield group
                return
            group.append(more)
        yield group


def replay(db: Database, queue: EventQueue, event_id: int, by: str, now: datetime) -> InboxEvent:
    """Raises LookupError for an unknown event and `processing.NotReplayable` for one not finished."""
    with db.transaction() as session:
        event = inbox.get(session, event_id)
        if event is None:
            raise LookupError(f"no event {event_id}")
        processing.replay(session, event, now, by)
    _enqueue_stored(db, queue, [event_id], now)
    with db.read() as session:
        replayed = inbox.get(session, event_id)
        assert replayed is not None
        return replayed


def _enqueue_stored(db: Database, queue: EventQueue, event_ids: Collection[int], now: datetime) -> None:
    if _enqueued(queue, event_ids):
        _mark_queued(db, event_ids, now)


def _enqueued(queue: EventQueue, event_ids: Collection[int]) -> bool:
    """Whether the queue took the events (none: False); stored is what counts, and the sweeper enqueues rows
    left in "received"."""
    if not event_ids:
        return False
    try:
        queue.enqueue_all(event_ids)
    except Exception as error:
        log.warning(
            "event(s) %s stored but not enqueued (%s); the sweeper will enqueue them",
            ", ".join(map(str, event_ids)),
            error,
        )
        return False
    return True


def _mark_queued(db: Database, event_ids: Collection[int], now: datetime | None = None) -> None:
    if not event_ids:
        return
    try:
        with db.transaction() as session:
            processing.mark_enqueued(session, event_ids, now or datetime.now(UTC))
    except Exception as error:
        # Stored and queued: the sweeper only queues them once more, which the workers take as duplicates.
        log.warning("queued event(s) not marked queued (%s); the sweeper will queue them again", error)
