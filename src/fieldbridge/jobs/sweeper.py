"""The sweeper: finds inbox rows that should be in the queue but may not be, and enqueues them again; and,
every `retention.prune_every_seconds`, prunes finished events and history lines past their retention.

Every consumer process runs one. Several at once are fine: a row is re-marked by a conditional update, so
only one sweeper writes its history line, and a message enqueued twice is dropped by the worker's claim;
pruning what another sweeper pruned already deletes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fieldbridge.jobs.queue import EventQueue
from fieldbridge.settings import Settings
from fieldbridge.store import history, inbox, processing, retention
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import EventStatus

log = logging.getLogger(__name__)

REASONS: dict[EventStatus, str] = {
    EventStatus.RECEIVED: "it was stored but never queued (the receiver stopped, or the queue was down)",
    EventStatus.PROCESSING: "its worker stopped without finishing (its lease ran out)",
    EventStatus.RETRYING: "its retry was due but was not picked up",
    EventStatus.QUEUED: "it waited in the queue far longer than expected (its message may have been lost)",
}


class Sweeper:
    def __init__(
        self,
        db: Database,
        queue: EventQueue,
        settings: Settings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._queue = queue
        self._clock = clock
        self._interval = settings.sweep_interval_seconds
        self._grace = timedelta(seconds=settings.enqueue_grace_seconds)
        self._requeue_after = timedelta(seconds=settings.requeue_after_seconds)
        self._retention = settings.retention
        self._pruned_at: datetime | None = None

    def sweep(self) -> list[int]:
        """Enqueue every overdue row once; returns their ids."""
        now = self._clock()
        with self._db.read() as session:  # most sweeps find nothing: no write lock for that
            rows = processing.overdue(session, now, self._grace, self._requeue_after)
        swept = []
        for event_id, status in rows:
            with self._db.transaction() as session:
                if not processing.requeue(session, event_id, now, self._grace, self._requeue_after):
                    continue  # another sweeper, or a worker, got to it first
                event = inbox.get(session, event_id)
                assert event is not None
                history.record(
                    session, event, now, "warning", "requeued", f"Queued again: {REASONS[status]}."
                )
            try:
                self._queue.enqueue(event_id)
            except Exception as error:
                log.warning(
                    "event %s could not be enqueued (%s); the next sweep tries again", event_id, error
                )
                with self._db.transaction() as session:
                    processing.unmark_enqueued(session, event_id)
                continue
            swept.append(event_id)
        if swept:
            log.info("sweeper queued %d event(s) again: %s", len(swept), swept)
        return swept

    def prune(self) -> tuple[int, int]:
        """Delete the finished events and history lines past their retention: (events, lines) deleted."""
        now = self._clock()
        self._pruned_at = now
        keep = self._retention
        events = (
            retention.prune_events(self._db, now - timedelta(days=keep.events_days))
            if keep.events_days
            else 0
        )
        lines = (
            retention.prune_history(self._db, now - timedelta(days=keep.history_days))
            if keep.history_days
            else 0
        )
        if events or lines:
            log.info("pruned %d finished event(s) and %d history line(s) past their retention", events, lines)
        return events, lines

    def run_until(self, stop: threading.Event) -> None:
        while not stop.wait(self._interval):
            try:
                self.sweep()
                if self._prune_due():
                    self.prune()
            except Exception as error:
                log.warning("sweep failed (%s); trying again in %s s", error, self._interval)

    def _prune_due(self) -> bool:
        every = timedelta(seconds=self._retention.prune_every_seconds)
        return self._pruned_at is None or self._clock() - self._pruned_at >= every
