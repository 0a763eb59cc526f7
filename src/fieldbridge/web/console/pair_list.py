"""The pairs a connector has made (ticket <-> work order), searchable and paged, with each pair's state:
what its latest event became."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.orm import Session

from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.tables import Connector, InboxEvent, Link
from fieldbridge.sync.tables import PairSnapshot

PAGE_SIZE = 50

STATES = {
    EventStatus.DONE: "in sync",
    EventStatus.SKIPPED: "skipped",
    EventStatus.RETRYING: "retrying",
    EventStatus.DEAD: "failed",
    EventStatus.RECEIVED: "waiting",
    EventStatus.QUEUED: "waiting",
    EventStatus.PROCESSING: "syncing",
}
"""A pair's state, named after what its latest event became."""

_TICKET_NUMBER = PairSnapshot.state[("record", "ticketNumber")].as_string()
_TITLE = PairSnapshot.state[("record", "title")].as_string()


@dataclass(frozen=True)
class PairRow:
    link_id: int
    connector: str
    ticket_entity: str
    ticket_id: int
    ticket_number: str | None
    title: str | None
    work_order_id: int
    state: str


def search(session: Session, connector: str | None, text: str, before: int | None) -> list[PairRow]:
    """Newest pair first, `PAGE_SIZE` + 1 of them (one more says there is a next page, from `link_id`).
    `text` matches the ticket number or title (any part, any case), or a ticket or work order id."""
    query = (
        select(Link, Connector.name, _TICKET_NUMBER, _TITLE)
        .join(Connector, Connector.id == Link.connector_id)
        .outerjoin(PairSnapshot, PairSnapshot.link_id == Link.id)
        .where(Link.parent_id.is_(None))
        .order_by(Link.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if connector:
        query = query.where(Connector.name == connector)
    if before is not None:
        query = query.where(Link.id < before)
    if text.strip():
        query = query.where(_matching(text.strip()))
    rows = session.execute(query).all()
    states = _states(session, [link for link, *_ in rows])
    return [
        PairRow(
            link.id,
            name,
            link.autotask_entity,
            link.autotask_id,
            number,
            title,
            link.fieldnation_id,
            states.get(link.id, "not synced yet"),
        )
        for link, name, number, title in rows
    ]


def _matching(text: str) -> ColumnElement[bool]:
    pattern = f"%{text.lower()}%"
    options: list[ColumnElement[bool]] = [
        func.lower(_TICKET_NUMBER).like(pattern),
        func.lower(_TITLE).like(pattern),
    ]
    if text.isdigit() and len(text) < 19:
        options += [Link.autotask_id == int(text), Link.fieldnation_id == int(text)]
    return or_(*options)


def _states(session: Session, page: list[Link]) -> dict[int, str]:
    """Each pair's state: what the latest event of either of its records became."""
    by_record = {}
    for link in page:
        by_record[(link.connector_id, "autotask", link.autotask_entity, link.autotask_id)] = link.id
        by_record[(link.connector_id, "fieldnation", link.fieldnation_entity, link.fieldnation_id)] = link.id
    if not by_record:
        return {}
    record = tuple_(InboxEvent.connector_id, InboxEvent.system, InboxEvent.entity, InboxEvent.record_id)
    latest = (
        select(func.max(InboxEvent.id))
        .where(record.in_(list(by_record)))
        .group_by(InboxEvent.connector_id, InboxEvent.system, InboxEvent.entity, InboxEvent.record_id)
    )
    newest: dict[int, tuple[int, str]] = {}
    events = session.execute(
        select(
            InboxEvent.id,
            InboxEvent.connector_id,
            InboxEvent.system,
            InboxEvent.entity,
            InboxEvent.record_id,
            InboxEvent.status,
        ).where(InboxEvent.id.in_(latest))
    )
    for event_id, connector_id, system, entity, record_id, status in events:
        link_id = by_record[(connector_id, system, entity, record_id)]
        if link_id not in newest or newest[link_id][0] < event_id:
            newest[link_id] = (event_id, STATES.get(EventStatus(status), status))
    return {link_id: state for link_id, (_, state) in newest.items()}
