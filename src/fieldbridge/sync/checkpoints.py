"""Where a poller (the reconciler, a backfill) got to, kept per connector so the next pass resumes there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fieldbridge.sync.tables import Checkpoint


def load(session: Session, connector_id: int, name: str) -> Checkpoint | None:
    return session.get(Checkpoint, (connector_id, name))


def save(session: Session, connector_id: int, name: str, position: dict[str, Any], now: datetime) -> None:
    row = load(session, connector_id, name)
    if row is None:
        session.add(Checkpoint(connector_id=connector_id, name=name, position=position, updated_at=now))
    else:
        row.position, row.updated_at = position, now
    session.flush()


def clear(session: Session, connector_id: int, name: str) -> None:
    row = load(session, connector_id, name)
    if row is not None:
        session.delete(row)
        session.flush()
