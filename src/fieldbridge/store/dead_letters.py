"""Dead letters waiting for a person (replaying the event resolves them: `store.processing.replay`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import DeadLetter


def open_letters(session: Session, connector_id: int | None = None, limit: int = 200) -> list[DeadLetter]:
    query = (
        select(DeadLetter).where(DeadLetter.resolved_at.is_(None)).order_by(DeadLetter.id.desc()).limit(limit)
    )
    if connector_id is not None:
        query = query.where(DeadLetter.connector_id == connector_id)
    return list(session.scalars(query))
