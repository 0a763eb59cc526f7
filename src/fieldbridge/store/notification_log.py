"""The alert rate limit's memory: when each connector last got an email of each kind, and how many since
were held back. Shared by every process, so several workers together still send one email per window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldbridge.store.tables import NotificationLog


def claim_send(
    session: Session, connector_id: int, kind: str, now: datetime, window: timedelta
) -> int | None:
    """Take the right to send now: the number of alerts held back since the last email, or None (hold
    this one back too)."""
    row = session.scalars(
        select(NotificationLog)
        .where(NotificationLog.connector_id == connector_id, NotificationLog.kind == kind)
        .with_for_update()
    ).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    NotificationLog(connector_id=connector_id, kind=kind, last_sent_at=now, held_back=0)
                )
            return 0
        except IntegrityError:
            return claim_send(session, connector_id, kind, now, window)  # another process sent first
    if now - row.last_sent_at < window:
        row.held_back += 1
        return None
    held_back, row.last_sent_at, row.held_back = row.held_back, now, 0
    return held_back
