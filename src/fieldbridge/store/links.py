"""Links between paired records, and what a pair is called for locking and history.

A linked pair's events lock both of its records, so that an Autotask event for ticket 42 and a Field Nation
event for its work order wait for each other; they share one history.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from fieldbridge.store.tables import Link, table_of
from fieldbridge.store.upserts import upsert

_TABLE = table_of(Link)
_LINKS = _TABLE.c
"""The links' columns: conditions on them serve the ORM's queries and Core's alike, and a query of
columns alone stays Core (the ORM's per-statement work is not paid for rows that are no objects)."""


def save(
    session: Session,
    connector_id: int,
    autotask: tuple[str, int],
    fieldnation: tuple[str, int],
    fingerprint: str,
    now: datetime,
    parent_id: int | None = None,
) -> int:
    """Create the link or record a new fingerprint on it; its id."""
    values = {
        "connector_id": connector_id,
        "autotask_entity": autotask[0],
        "autotask_id": autotask[1],
        "fieldnation_entity": fieldnation[0],
        "fieldnation_id": fieldnation[1],
        "parent_id": parent_id,
        "fingerprint": fingerprint,
        "synced_at": now,
    }
    link_id: int = session.scalars(_saving(session.get_bind().dialect.name), values).one()
    return link_id


@cache
def _saving(dialect_name: str) -> ReturningInsert[int]:
    saving: ReturningInsert[int] = upsert(dialect_name, _TABLE, _KEY, _LINKED).returning(_LINKS.id)
    return saving


_KEY = ("connector_id", "autotask_entity", "autotask_id")
"""A link's record on the Autotask side: one link each (a unique constraint)."""
_LINKED = ("fieldnation_entity", "fieldnation_id", "parent_id", "fingerprint", "synced_at")


def top_level_by(system: str) -> list[ColumnElement[bool]]:
    """Where a link is the one of a record of `system` (Autotask, else Field Nation) paired as a ticket or
    work order (not as a child record); the record given as bound parameters `connector_id`, `entity` and
    `record_id`."""
    entity, record_id = (
        (_LINKS.autotask_entity, _LINKS.autotask_id)
        if system == "autotask"
        else (_LINKS.fieldnation_entity, _LINKS.fieldnation_id)
    )
    return [
        _LINKS.connector_id == bindparam("connector_id"),
        _LINKS.parent_id.is_(None),
        entity == bindparam("entity"),
        record_id == bindparam("record_id"),
    ]


# Built once: building a statement costs more than running it, and every event reads its record's link.
_BY_AUTOTASK_RECORD = select(Link).where(*top_level_by("autotask"))
_BY_FIELDNATION_RECORD = select(Link).where(*top_level_by("fieldnation"))
_RECORDS = (_LINKS.autotask_entity, _LINKS.autotask_id, _LINKS.fieldnation_entity, _LINKS.fieldnation_id)
_RECORDS_BY_AUTOTASK_RECORD = select(*_RECORDS).where(*top_level_by("autotask"))
_RECORDS_BY_FIELDNATION_RECORD = select(*_RECORDS).where(*top_level_by("fieldnation"))


def top_level(session: Session, connector_id: int, system: str, entity: str, record_id: int) -> Link | None:
    """The link of a record paired as a ticket or work order (not as a child record), if any."""
    query = _BY_AUTOTASK_RECORD if system == "autotask" else _BY_FIELDNATION_RECORD
    found = {"connector_id": connector_id, "entity": entity, "record_id": record_id}
    return session.scalars(query, found).one_or_none()


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
    query = _RECORDS_BY_AUTOTASK_RECORD if system == "autotask" else _RECORDS_BY_FIELDNATION_RECORD
    found = {"connector_id": connector_id, "entity": entity, "record_id": record_id}
    link = session.execute(query, found).one_or_none()
    if link is None:
        return [(system, entity, record_id)]
    return [
        ("autotask", link.autotask_entity, link.autotask_id),
        ("fieldnation", link.fieldnation_entity, link.fieldnation_id),
    ]


def pair_keys(session: Session, connector_id: int, system: str, entity: str, record_id: int) -> list[str]:
    """The history keys of a record's pair."""
    return [f"{s}:{e}:{r}" for s, e, r in pair_records(session, connector_id, system, entity, record_id)]
