"""Getting an event into the inbox and then the queue, the same way for every door it comes through
(trigger URL, webhooks, manual import, replay)."""

from __future__ import annotations

import logging
from datetime import datetime

from fieldbridge.jobs.queue import EventQueue
from fieldbridge.store import inbox, processing
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import Accepted, Hint
from fieldbridge.store.tables import InboxEvent

log = logging.getLogger(__name__)


def submit(db: Database, queue: EventQueue, connector_id: int, hint: Hint, now: datetime) -> Accepted:
    """Store first (committed before anyone is told "accepted"), then enqueue; duplicates are not queued."""
    accepted = inbox.accept(db, connector_id, hint, now)
    if not accepted.duplicate:
        _enqueue_stored(db, queue, accepted.event_id, now)
    return accepted


def replay(db: Database, queue: EventQueue, event_id: int, by: str, now: datetime) -> InboxEvent:
    """Raises LookupError for an unknown event and `processing.NotReplayable` for one not finished."""
    with db.transaction() as session:
        event = inbox.get(session, event_id)
        if event is None:
            raise LookupError(f"no event {event_id}")
        processing.replay(session, event, now, by)
    _enqueue_stored(db, queue, event_id, now)
    with db.transaction() as session:
        replayed = inbox.get(session, event_id)
        assert replayed is not None
        return replayed


def _enqueue_stored(db: Database, queue: EventQueue, event_id: int, now: datetime) -> None:
    try:
        queue.enqueue(event_id)
    except Exception as error:
        # Stored is what counts: the sweeper enqueues rows left in "received".
        log.warning(
            "event %s is stored but could not be enqueued (%s); the sweeper will enqueue it", event_id, error
        )
        return
    with db.transaction() as session:
        processing.mark_enqueued(session, event_id, now)
