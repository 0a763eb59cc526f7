"""Retention: the sweeper deletes events done or skipped longer ago than `retention.events_days` (with their
history lines) and history lines older than `retention.history_days`; it never touches an event that waits,
runs, retries or is dead."""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import select

from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.sweeper import Sweeper
from fieldbridge.settings import RetentionSettings, Settings
from fieldbridge.store import history, inbox, processing
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import DeadLetter, HistoryEntry, InboxEvent
from tests.integration.broker.store_helpers import NOW, add_connector, ticket_hint

LEASE = timedelta(seconds=30)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=2)


def _event(db: Database, connector_id: int, ticket: int, ends: str | None, at: datetime = OLD) -> int:
    """An event received at `at`, then claimed and ended there as `ends` (None: left waiting)."""
    event_id = inbox.accept(db, connector_id, ticket_hint(ticket), at).event_id
    if ends is None:
        return event_id
    with db.transaction() as session:
        processing.claim(session, event_id, "w", at, LEASE)
        if ends in ("done", "skipped"):
            processing.finish(session, event_id, "w", EventStatus(ends), at)
        elif ends == "dead":
            processing.bury(session, event_id, "w", at, "Autotask refused it", None)
        elif ends == "retrying":
            processing.retry_later(session, event_id, "w", NOW + LEASE, "Autotask answered 503")
    return event_id


def test_pruning_removes_old_finished_events_and_lines_and_keeps_the_rest(
    db: Database, settings: Settings
) -> None:
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    _event(db, connector_id, 1, "done")
    _event(db, connector_id, 2, "skipped")
    recent_done = _event(db, connector_id, 3, "done", RECENT)
    kept = {
        "dead": _event(db, connector_id, 4, "dead"),
        "waiting": _event(db, connector_id, 5, None),
        "processing": _event(db, connector_id, 6, "processing"),
        "retrying": _event(db, connector_id, 7, "retrying"),
        "recent": recent_done,
    }
    with db.transaction() as session:
        history.record_for_connector(session, connector_id, NOW - timedelta(days=100), "warning", "x", "old")
        history.record_for_connector(session, connector_id, RECENT, "warning", "x", "recent")

    settings.retention = RetentionSettings(events_days=30, history_days=90)
    sweeper = Sweeper(db, EventQueue(settings), settings, clock=lambda: NOW)
    assert sweeper.prune() == (2, 1)

    with db.transaction() as session:
        left = set(session.scalars(select(InboxEvent.id)))
        lines = list(session.scalars(select(HistoryEntry)))
        letters = list(session.scalars(select(DeadLetter.event_id)))
    assert left == set(kept.values())
    assert {line.event_id for line in lines if line.event_id is not None} == set(kept.values())
    assert [line.message for line in lines if line.event_id is None] == ["recent"]
    assert letters == [kept["dead"]]
    assert sweeper.prune() == (0, 0)  # nothing left to prune


def test_zero_days_keeps_everything(db: Database, settings: Settings) -> None:
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    _event(db, connector_id, 1, "done", NOW - timedelta(days=4000))
    settings.retention = RetentionSettings(events_days=0, history_days=0)
    assert Sweeper(db, EventQueue(settings), settings, clock=lambda: NOW).prune() == (0, 0)
