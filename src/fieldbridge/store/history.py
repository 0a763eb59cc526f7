"""Each pair's history: every receipt, result, skip, retry and dead letter, in plain language; and each
connector's own lines, about the connector rather than one pair (a reconciler pass that failed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import HistoryEntry, InboxEvent, table_of

Level = Literal["info", "warning", "error"]

CONNECTOR = "connector"
"""The pair key of a connector's own lines (no pair's key looks like it: those are `system:entity:id`)."""


def record(
    session: Session,
    event: InboxEvent,
    at: datetime,
    level: Level,
    action: str,
    message: str,
    fix: str | None = None,
    outcome: dict[str, Any] | None = None,
) -> None:
    """`outcome`: a processed event's outcome as data (`jobs.outcome.Outcome.as_data`)."""
    line = _line(event.connector_id, event.id, event.pair_key, at, level, action, message, fix, outcome)
    _insert(session, [line])


def received(session: Session, events: Sequence[tuple[int, int, str, str]], at: datetime) -> None:
    """The first line of each new event, (connector id, event id, pair key, message), in one batch."""
    _insert(
        session,
        [
            _line(connector_id, event_id, pair_key, at, "info", "received", message, None)
            for connector_id, event_id, pair_key, message in events
        ],
    )


def record_for_connector(
    session: Session,
    connector_id: int,
    at: datetime,
    level: Level,
    action: str,
    message: str,
    fix: str | None = None,
) -> None:
    """A line about the connector itself, not one event or pair."""
    _insert(session, [_line(connector_id, None, CONNECTOR, at, level, action, message, fix)])


def _line(
    connector_id: int,
    event_id: int | None,
    pair_key: str,
    at: datetime,
    level: Level,
    action: str,
    message: str,
    fix: str | None,
    outcome: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "connector_id": connector_id,
        "event_id": event_id,
        "pair_key": pair_key,
        "at": at,
        "level": level,
        "action": action,
        "message": message,
        "fix": fix,
        "outcome": outcome,
    }


def _insert(session: Session, lines: list[dict[str, Any]]) -> None:
    session.execute(_INSERT, lines)


_INSERT = insert(table_of(HistoryEntry))
"""Core, not the ORM's unit of work, and built once: every accept and every event's outcome writes a line,
and nothing reads the line back in the same transaction."""


def for_pair(
    session: Session, connector_id: int, pair_keys: list[str], limit: int = 200
) -> list[HistoryEntry]:
    """Newest first; `pair_keys` from `store.links.pair_keys`, so both sides of a linked pair show."""
    return list(
        session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.connector_id == connector_id, HistoryEntry.pair_key.in_(pair_keys))
            .order_by(HistoryEntry.id.desc())
            .limit(limit)
        )
    )


def for_event(session: Session, event_id: int) -> list[HistoryEntry]:
    """Oldest first: the story of one event."""
    return list(
        session.scalars(
            select(HistoryEntry).where(HistoryEntry.event_id == event_id).order_by(HistoryEntry.id)
        )
    )
