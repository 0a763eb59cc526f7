"""Reading and writing a pair's link and snapshot, and the links of its children (time entries, notes,
charges, expense items, attachments), in the broker's `links` table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from fieldbridge.mapping import Document
from fieldbridge.store import links
from fieldbridge.store.tables import Link, table_of
from fieldbridge.store.upserts import upsert
from fieldbridge.sync.fingerprint import fingerprint
from fieldbridge.sync.tables import TICKET_NUMBER_LENGTH, TITLE_LENGTH, PairLabel, PairSnapshot

WORK_ORDER = "workorder"
CLOSED = (5, 6, 7)
"""Work order statuses after which the work is over (approved, paid, cancelled)."""
SKIPPED = "skipped"
"""The Autotask side of a child link for a Field Nation record deliberately not written (a file over
Autotask's size limit): remembered so the skip is reported once, not on every event."""


@dataclass
class Pair:
    autotask_entity: str
    autotask_id: int
    work_order_id: int
    link_id: int
    record: Document = field(default_factory=dict)
    """The Autotask record with its related records, as the inbound mappings last read it."""
    inbound: Document = field(default_factory=dict)
    """The work order fields as last synced from the record."""
    outbound: Document | None = None
    """The ticket fields as last synced from the work order; None until a first outbound sync finished."""
    warned: list[str] = field(default_factory=list)
    reports: dict[str, int] = field(default_factory=dict)
    """Open expense reports this pair wrote to, by "<submitter>:<week ending>", so a later expense of the
    same week needs no lookup."""
    work_order_status: int | None = None
    """The work order's status id as last read; a closed pair (`CLOSED`) is left out of the reconciler's
    rotation."""

    def state(self) -> Document:
        """The snapshot as stored (`PairSnapshot.state`)."""
        return {
            "record": self.record,
            "inbound": self.inbound,
            "outbound": self.outbound,
            "warned": self.warned,
            "reports": self.reports,
            "work_order_status": self.work_order_status,
        }


def _pair_of(system: str) -> Select[Any]:
    link, snapshot = table_of(Link), table_of(PairSnapshot)
    return (
        select(link.c.autotask_entity, link.c.autotask_id, link.c.fieldnation_id, link.c.id, snapshot.c.state)
        .outerjoin(snapshot, snapshot.c.link_id == link.c.id)
        .where(*links.top_level_by(system))
    )


# Built once, the link and its snapshot in one Core query: every event reads its record's pair.
_PAIR_OF_AUTOTASK_RECORD = _pair_of("autotask")
_PAIR_OF_FIELDNATION_RECORD = _pair_of("fieldnation")


def find(session: Session, connector_id: int, system: str, entity: str, record_id: int) -> Pair | None:
    query = _PAIR_OF_AUTOTASK_RECORD if system == "autotask" else _PAIR_OF_FIELDNATION_RECORD
    found = {"connector_id": connector_id, "entity": entity, "record_id": record_id}
    row = session.execute(query, found).one_or_none()
    if row is None:
        return None
    state = row.state or {}
    return Pair(
        row.autotask_entity,
        row.autotask_id,
        row.fieldnation_id,
        row.id,
        state.get("record") or {},
        state.get("inbound") or {},
        state.get("outbound") or None,
        list(state.get("warned") or []),
        dict(state.get("reports") or {}),
        state.get("work_order_status"),
    )


def save(session: Session, connector_id: int, pair: Pair, now: datetime) -> Pair:
    pair.link_id = links.save(
        session,
        connector_id,
        (pair.autotask_entity, pair.autotask_id),
        (WORK_ORDER, pair.work_order_id),
        fingerprint(pair.inbound, pair.outbound),
        now,
    )
    dialect = session.get_bind().dialect.name
    session.execute(
        upsert(dialect, _SNAPSHOTS, ("link_id",), ("state",)),
        {"link_id": pair.link_id, "state": pair.state()},
    )
    label = {
        "link_id": pair.link_id,
        "ticket_number": _text(pair.record.get("ticketNumber"), TICKET_NUMBER_LENGTH),
        "title": _text(pair.record.get("title"), TITLE_LENGTH),
    }
    session.execute(upsert(dialect, _LABELS, ("link_id",), ("ticket_number", "title")), label)
    return pair


_SNAPSHOTS = table_of(PairSnapshot)
_LABELS = table_of(PairLabel)


def _text(value: object, length: int) -> str | None:
    return None if value is None else str(value)[:length]


def children(session: Session, pair: Pair, fieldnation_entity: str) -> dict[int, Link]:
    """The pair's child links of one kind, by Field Nation id."""
    rows = session.scalars(
        select(Link).where(Link.parent_id == pair.link_id, Link.fieldnation_entity == fieldnation_entity)
    )
    return {row.fieldnation_id: row for row in rows}


def save_child(
    session: Session,
    connector_id: int,
    pair: Pair,
    autotask: tuple[str, int],
    fieldnation: tuple[str, int],
    written: Any,
    now: datetime,
) -> None:
    links.save(
        session, connector_id, autotask, fieldnation, fingerprint(written), now, parent_id=pair.link_id
    )


def child_links(session: Session, pair: Pair, autotask_entity: str, fieldnation_entity: str) -> list[Link]:
    """The pair's child links between these two entities, whichever side the child was copied from."""
    query = select(Link).where(
        Link.parent_id == pair.link_id,
        Link.autotask_entity == autotask_entity,
        Link.fieldnation_entity == fieldnation_entity,
    )
    return list(session.scalars(query))


def unlink(session: Session, link_id: int) -> None:
    session.execute(delete(Link).where(Link.id == link_id))


def linked(session: Session, connector_id: int) -> list[tuple[str, int, int]]:
    """Every pair of the connector as (Autotask entity, Autotask id, work order id)."""
    rows = session.execute(
        select(Link.autotask_entity, Link.autotask_id, Link.fieldnation_id).where(
            Link.connector_id == connector_id, Link.parent_id.is_(None)
        )
    )
    return [(entity, autotask_id, work_order_id) for entity, autotask_id, work_order_id in rows]


def closed(session: Session, connector_id: int) -> set[int]:
    """The work orders of the connector's pairs whose status, as last read, is closed (`CLOSED`)."""
    status = PairSnapshot.state["work_order_status"].as_integer()
    rows = session.scalars(
        select(Link.fieldnation_id)
        .join(PairSnapshot, PairSnapshot.link_id == Link.id)
        .where(Link.connector_id == connector_id, Link.parent_id.is_(None), status.in_(CLOSED))
    )
    return set(rows)
