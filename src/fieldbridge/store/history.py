"""Each pair's history: every receipt, result, skip, retry and dead letter, in plain language."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import HistoryEntry, InboxEvent

Level = Literal["info", "warning", "error"]


def record(
    session: Session,
    event: InboxEvent,
    at: datetime,
    level: Level,
    action: str,
    message: str,
    fix: str | None = None,
) -> HistoryEntry:
    entry = HistoryEntry(
        connector_id=event.connector_id,
        event_id=event.id,
        pair_key=event.pair_key,
        at=at,
        level=level,
        action=action,
        message=message,
        fix=fix,
    )
    session.add(entry)
    return entry


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
