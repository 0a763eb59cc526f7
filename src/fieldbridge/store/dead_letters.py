"""Dead letters waiting for a person (replaying the event resolves them: `store.processing.replay`)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import DeadLetter


def page(
    session: Session,
    connector_id: int | None = None,
    before: int | None = None,
    after: int | None = None,
    size: int = 50,
) -> list[DeadLetter]:
    """Newest first, `size` of them: the newest, those older than the letter `before`, or those just newer
    than the letter `after` (the page before)."""
    if after is not None:
        newer = _open(connector_id).where(DeadLetter.id > after).order_by(DeadLetter.id).limit(size)
        return list(session.scalars(newer))[::-1]
    query = _open(connector_id).order_by(DeadLetter.id.desc()).limit(size)
    if before is not None:
        query = query.where(DeadLetter.id < before)
    return list(session.scalars(query))


def any_open(session: Session, connector_id: int | None, beyond: ColumnElement[bool]) -> bool:
    """Whether a letter is waiting that `beyond` admits (one older or newer than a page's)."""
    return bool(session.scalar(select(exists(_open(connector_id).where(beyond)))))


def count_open(session: Session, connector_id: int | None) -> int:
    return session.scalar(_open(connector_id).with_only_columns(func.count())) or 0


def open_event_ids(session: Session, connector_id: int | None) -> list[int]:
    """Every waiting letter's event, newest first, however many there are."""
    query = _open(connector_id).with_only_columns(DeadLetter.event_id).order_by(DeadLetter.id.desc())
    return list(session.scalars(query))


def _open(connector_id: int | None) -> Select[DeadLetter]:
    query = select(DeadLetter).where(DeadLetter.resolved_at.is_(None))
    if connector_id is not None:
        query = query.where(DeadLetter.connector_id == connector_id)
    return query
