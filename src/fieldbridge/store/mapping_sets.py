"""A connector's mapping sets: every saved version kept, the newest in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import MappingSet, table_of


def latest(session: Session, connector_id: int) -> MappingSet | None:
    query = (
        select(MappingSet).where(MappingSet.connector_id == connector_id).order_by(MappingSet.version.desc())
    )
    return session.scalars(query.limit(1)).first()


def latest_stamp(session: Session, connector_id: int) -> tuple[int, datetime] | None:
    """The id and save time of the version in force (None: none saved), which tell it apart from any
    other, in a store or across stores: what a cache of the compiled set is checked against."""
    row = session.execute(_LATEST_STAMP, {"connector_id": connector_id}).first()
    return None if row is None else (row.id, row.created_at)


_SETS = table_of(MappingSet).c
_LATEST_STAMP = (
    select(_SETS.id, _SETS.created_at)
    .where(_SETS.connector_id == bindparam("connector_id"))
    .order_by(_SETS.version.desc())
    .limit(1)
)
"""Built once, and Core: building a statement costs more than running it, and every event asks it."""


def versions(session: Session, connector_id: int) -> list[MappingSet]:
    """Newest first."""
    query = (
        select(MappingSet).where(MappingSet.connector_id == connector_id).order_by(MappingSet.version.desc())
    )
    return list(session.scalars(query))


def save(session: Session, connector_id: int, body: dict[str, Any], by: str, now: datetime) -> MappingSet:
    """Store `body` as the next version. Two saves racing for one number: the second fails on the unique
    constraint (IntegrityError) instead of silently replacing the first."""
    newest = session.scalar(
        select(func.max(MappingSet.version)).where(MappingSet.connector_id == connector_id)
    )
    row = MappingSet(
        connector_id=connector_id, version=(newest or 0) + 1, body=body, created_at=now, created_by=by
    )
    session.add(row)
    session.flush()
    return row
