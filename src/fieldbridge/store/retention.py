"""Pruning: finished events and history lines past their retention (`settings.RetentionSettings`), deleted a
batch per transaction so that no transaction holds SQLite's write lock for long.

Only events done or skipped go: an event that waits, runs or retries is the truth about work not finished,
and a dead one is kept, with its dead letter, for a person to read and replay. An event's history lines go
with it (their foreign key cascades).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, select

from fieldbridge.store.database import Database
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.tables import HistoryEntry, InboxEvent

BATCH = 1000
"""Rows deleted per transaction."""

PRUNED = (EventStatus.DONE, EventStatus.SKIPPED)


def prune_events(db: Database, finished_before: datetime) -> int:
    """Delete the events done or skipped before `finished_before`; how many went."""
    oldest = select(InboxEvent.id).where(
        InboxEvent.status.in_(PRUNED), InboxEvent.finished_at < finished_before
    )
    return _in_batches(db, InboxEvent, oldest)


def prune_history(db: Database, written_before: datetime) -> int:
    """Delete the history lines written before `written_before`; how many went."""
    return _in_batches(db, HistoryEntry, select(HistoryEntry.id).where(HistoryEntry.at < written_before))


def _in_batches(db: Database, table: type[InboxEvent] | type[HistoryEntry], ids: Select[int]) -> int:
    pruned = 0
    while True:
        with db.transaction() as session:
            batch = ids.limit(BATCH).scalar_subquery()
            result = session.execute(
                delete(table).where(table.id.in_(batch)).execution_options(synchronize_session=False)
            )
        count = int(result.rowcount)  # type: ignore[attr-defined]
        pruned += count
        if count < BATCH:
            return pruned
