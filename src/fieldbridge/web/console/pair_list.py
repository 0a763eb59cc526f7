"""The pairs a connector has made (ticket <-> work order), searchable and paged, with each pair's state:
what its latest event became."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.orm import Session

from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.tables import Connector, HistoryEntry, InboxEvent, Link
from fieldbridge.sync.tables import PairLabel

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
    text = text.strip()
    if not text:
        rows = _page(session, connector, before, None)
    else:
        # Two queries, not one `OR`: an id is an index lookup on the links; one condition over both tables
        # made every search by id read each pair's link row and label.
        rows = _page(session, connector, before, _text_matching(text))
        if text.isdigit() and len(text) < 19:
            found = int(text)
            # A subquery, so the lookup drives the search: with the id test among the page's own conditions,
            # the planner walked every pair through the index on parent_id and tested each one.
            by_ids = select(Link.id).where(or_(Link.autotask_id == found, Link.fieldnation_id == found))
            by_id = _page(session, connector, before, Link.id.in_(by_ids))
            merged = {row[0].id: row for row in [*rows, *by_id]}
            rows = [merged[link_id] for link_id in sorted(merged, reverse=True)[: PAGE_SIZE + 1]]
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


def _page(
    session: Session, connector: str | None, before: int | None, matching: ColumnElement[bool] | None
) -> list[Row[Link, str, str | None, str | None]]:
    """The newest `PAGE_SIZE` + 1 pairs (with their connector's name and label) that `matching` admits."""
    query = (
        select(Link, Connector.name, PairLabel.ticket_number, PairLabel.title)
        .join(Connector, Connector.id == Link.connector_id)
        .outerjoin(PairLabel, PairLabel.link_id == Link.id)
        .where(Link.parent_id.is_(None))
        .order_by(Link.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if connector:
        query = query.where(Connector.name == connector)
    if before is not None:
        query = query.where(Link.id < before)
    if matching is not None:
        query = query.where(matching)
    return list(session.execute(query).all())


def _text_matching(text: str) -> ColumnElement[bool]:
    pattern = f"%{text.lower()}%"
    return or_(func.lower(PairLabel.ticket_number).like(pattern), func.lower(PairLabel.title).like(pattern))


def _states(session: Session, page: list[Link]) -> dict[int, str]:
    """Each pair's state: what the latest event of either of its records became. Read through the history's
    index by pair key (every event writes a line there when it arrives), not by scanning the inbox."""
    by_key: dict[tuple[int, str], int] = {}
    for link in page:
        for system, entity, record_id in (
            ("autotask", link.autotask_entity, link.autotask_id),
            ("fieldnation", link.fieldnation_entity, link.fieldnation_id),
        ):
            by_key[(link.connector_id, f"{system}:{entity}:{record_id}")] = link.id
    if not by_key:
        return {}
    latest_lines = (
        select(func.max(HistoryEntry.id))
        .where(
            HistoryEntry.connector_id.in_({connector_id for connector_id, _ in by_key}),
            HistoryEntry.pair_key.in_({key for _, key in by_key}),
        )
        .group_by(HistoryEntry.connector_id, HistoryEntry.pair_key)
    )
    events = session.execute(
        select(HistoryEntry.connector_id, HistoryEntry.pair_key, InboxEvent.id, InboxEvent.status)
        .join(InboxEvent, InboxEvent.id == HistoryEntry.event_id)
        .where(HistoryEntry.id.in_(latest_lines))
    )
    newest: dict[int, tuple[int, str]] = {}
    for connector_id, key, event_id, status in events:
        link_id = by_key.get((connector_id, key))
        if link_id is not None and (link_id not in newest or newest[link_id][0] < event_id):
            newest[link_id] = (event_id, STATES.get(EventStatus(status), status))
    return {link_id: state for link_id, (_, state) in newest.items()}
