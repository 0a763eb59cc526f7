"""Links between paired records, and what a pair is called for locking and history.

A linked pair's events lock both of its records, so that an Autotask event for ticket 42 and a Field Nation
event for its work order wait for each other; they share one history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import Link


def save(
    session: Session,
    connector_id: int,
    autotask: tuple[str, int],
    fieldnation: tuple[str, int],
    fingerprint: str,
    now: datetime,
    parent_id: int | None = None,
) -> Link:
    """Create the link or record a new fingerprint on it."""
    link = session.scalars(
        select(Link).where(
            Link.connector_id == connector_id,
            Link.autotask_entity == autotask[0],
            Link.autotask_id == autotask[1],
        )
    ).one_or_none()
    if link is None:
        link = Link(connector_id=connector_id, autotask_entity=autotask[0], autotask_id=autotask[1])
        session.add(link)
    link.fieldnation_entity, link.fieldnation_id = fieldnation
    link.parent_id = parent_id
    link.fingerprint = fingerprint
    link.synced_at = now
    session.flush()
    return link


def _top_level(session: Session, connector_id: int, system: str, entity: str, record_id: int) -> Link | None:
    if system == "autotask":
        match = (Link.autotask_entity == entity, Link.autotask_id == record_id)
    else:
        match = (Link.fieldnation_entity == entity, Link.fieldnation_id == record_id)
    return session.scalars(
        select(Link).where(Link.connector_id == connector_id, Link.parent_id.is_(None), *match)
    ).one_or_none()


Record = tuple[str, str, int]
"""(system, entity, record id)."""


def lock_key(connector_id: int, record: Record) -> str:
    """The pair lock of one record (see `store.pair_locks`)."""
    system, entity, record_id = record
    return f"{connector_id}:{system}:{entity}:{record_id}"


def pair_records(
    session: Session, connector_id: int, system: str, entity: str, record_id: int
) -> list[Record]:
    """The records of a record's pair: itself, plus its partner once the two are linked."""
    link = _top_level(session, connector_id, system, entity, record_id)
    if link is None:
        return [(system, entity, record_id)]
    return [
        ("autotask", link.autotask_entity, link.autotask_id),
        ("fieldnation", link.fieldnation_entity, link.fieldnation_id),
    ]


def pair_keys(session: Session, connector_id: int, system: str, entity: str, record_id: int) -> list[str]:
    """The history keys of a record's pair."""
    return [f"{s}:{e}:{r}" for s, e, r in pair_records(session, connector_id, system, entity, record_id)]
