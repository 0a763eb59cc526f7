"""The inbox: hints stored the moment they arrive, deduplicated, then read back by id or in pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldbridge.store import history
from fieldbridge.store.database import Database
from fieldbridge.store.tables import InboxEvent, record_key, table_of


class EventStatus(StrEnum):
    RECEIVED = "received"
    """Stored; not yet handed to the queue (the sweeper hands it over if the receiver could not)."""
    QUEUED = "queued"
    PROCESSING = "processing"
    RETRYING = "retrying"
    DONE = "done"
    SKIPPED = "skipped"
    """No sync flow handles this kind of event (yet); replayable."""
    DEAD = "dead"


WAITING = (EventStatus.RECEIVED, EventStatus.QUEUED, EventStatus.RETRYING)
FINISHED = (EventStatus.DONE, EventStatus.SKIPPED, EventStatus.DEAD)

SOURCES: dict[str, str] = {
    "trigger": "the trigger URL",
    "autotask-webhook": "an Autotask webhook",
    "fieldnation-webhook": "a Field Nation webhook",
    "import": "a manual import",
    "reconcile": "the reconciler",
    "backfill": "a backfill",
}


@dataclass(frozen=True)
class Hint:
    """ "This record may have changed", as a receiver understood it."""

    source: str
    system: str
    """`autotask` or `fieldnation`."""
    entity: str
    record_id: int
    payload: dict[str, Any] | None = None
    dedup_key: str | None = None
    """The sender's id for this delivery; a second delivery with it is the same event."""
    body_digest: str | None = None
    """SHA-256 of a signed body; a second delivery of the same signed body is the same event, whatever
    unsigned headers (a delivery id) came with it."""
    coalesce: bool = False
    """Without a delivery id: a waiting event for the same record absorbs this hint."""

    @property
    def pending_key(self) -> str | None:
        return record_key(self.system, self.entity, self.record_id) if self.coalesce else None


@dataclass(frozen=True)
class Accepted:
    event_id: int
    duplicate: bool


def describe(system: str, entity: str, record_id: int) -> str:
    side = "Autotask" if system == "autotask" else "Field Nation"
    return f"{side} {entity} {record_id}"


def accept(db: Database, connector_id: int, hint: Hint, now: datetime) -> Accepted:
    """Store the hint (with a history line) in one transaction, unless it is one the inbox holds already."""
    return accept_all(db, [(connector_id, hint)], now)[0]


def accept_all(
    db: Database,
    hints: Sequence[tuple[int, Hint]],
    now: datetime,
    also: Callable[[Session], object] = lambda session: None,
) -> list[Accepted]:
    """`accept` for several hints (connector id, hint) in one transaction, their rows written in one batch:
    one commit however many. A hint the same event as one before it in the list is its duplicate. `also`
    writes more in the same transaction (the intake marks there the events it queued meanwhile)."""
    for _ in range(3):
        try:
            with db.transaction() as session:
                also(session)
                return _store_all(session, hints, now)
        except IntegrityError:
            # A concurrent delivery of the same event committed first (PostgreSQL); look again.
            continue
    raise RuntimeError("the inbox kept refusing an event that it also could not find")


def _store_all(session: Session, hints: Sequence[tuple[int, Hint]], now: datetime) -> list[Accepted]:
    known: dict[tuple[int, str, str], int] = _stored(session, hints)
    new: list[dict[str, Any]] = []
    answers: list[tuple[int, bool]] = []  # per hint: its event's id (or, new, its row's index), duplicate?
    for connector_id, hint in hints:
        keys = [(connector_id, kind, key) for kind, key in _keys(hint)]
        same = next((known[key] for key in keys if key in known), None)
        if same is not None:
            answers.append((same, True))
            continue
        # A new row stands for itself by its index, negative: no event id is, and the ids come once written.
        known.update(dict.fromkeys(keys, -1 - len(new)))
        answers.append((-1 - len(new), False))
        new.append(_row(connector_id, hint, now))
    if not new:
        return [Accepted(at, duplicate) for at, duplicate in answers]
    # Core on the table, not the ORM's unit of work or its batch insert: the rows in one statement with their
    # ids back, at a fraction of the CPU, which the trigger URL spends on every request.
    ids = session.scalars(_INSERT_RETURNING_IDS, new).all()
    history.received(session, [_received(row, event_id) for row, event_id in zip(new, ids, strict=True)], now)
    return [Accepted(ids[-1 - at] if at < 0 else at, duplicate) for at, duplicate in answers]


_INBOX = table_of(InboxEvent)
_INSERT_RETURNING_IDS = insert(_INBOX).returning(_INBOX.c.id, sort_by_parameter_order=True)
"""Built once: every group of hints the doors store goes through it."""


def _stored(session: Session, hints: Sequence[tuple[int, Hint]]) -> dict[tuple[int, str, str], int]:
    """Stored events sharing a key with any of the hints, in one query: (connector, kind, key) -> id."""
    columns = {
        "dedup": InboxEvent.dedup_key,
        "digest": InboxEvent.body_digest,
        "pending": InboxEvent.pending_key,
    }
    wanted: dict[str, set[str]] = {kind: set() for kind in columns}
    for _, hint in hints:
        for kind, key in _keys(hint):
            wanted[kind].add(key)
    matches = [columns[kind].in_(keys) for kind, keys in wanted.items() if keys]
    if not matches:
        return {}
    connector_ids = {connector_id for connector_id, _ in hints}
    rows = session.execute(
        select(InboxEvent.id, InboxEvent.connector_id, *columns.values()).where(
            InboxEvent.connector_id.in_(connector_ids), or_(*matches)
        )
    )
    found: dict[tuple[int, str, str], int] = {}
    for event_id, connector_id, *keys in rows:
        for kind, key in zip(columns, keys, strict=True):
            if key is not None:
                found[(connector_id, kind, key)] = event_id
    return found


def _row(connector_id: int, hint: Hint, now: datetime) -> dict[str, Any]:
    return {
        "connector_id": connector_id,
        "source": hint.source,
        "system": hint.system,
        "entity": hint.entity,
        "record_id": hint.record_id,
        "payload": hint.payload,
        "dedup_key": hint.dedup_key,
        "body_digest": hint.body_digest,
        "pending_key": hint.pending_key,
        "status": EventStatus.RECEIVED,
        "attempts": 0,
        "received_at": now,
    }


def _received(row: dict[str, Any], event_id: int) -> tuple[int, int, str, str]:
    where = SOURCES.get(row["source"], row["source"])
    pair_key = record_key(row["system"], row["entity"], row["record_id"])
    return row["connector_id"], event_id, pair_key, f"Change notice received from {where}."


def _keys(hint: Hint) -> list[tuple[str, str]]:
    """The keys that make two hints of one connector the same event (those `_same_event` looks up)."""
    named = (("dedup", hint.dedup_key), ("digest", hint.body_digest), ("pending", hint.pending_key))
    return [(kind, key) for kind, key in named if key is not None]


def get(session: Session, event_id: int) -> InboxEvent | None:
    return session.get(InboxEvent, event_id)


def page(
    session: Session,
    *,
    connector_id: int | None = None,
    status: str | None = None,
    before_id: int | None = None,
    received_since: datetime | None = None,
    limit: int = 50,
) -> list[InboxEvent]:
    """Newest first; pass the last id seen as `before_id` for the next page."""
    query = select(InboxEvent).order_by(InboxEvent.id.desc()).limit(limit)
    if received_since is not None:
        query = query.where(InboxEvent.received_at >= received_since)
    if connector_id is not None:
        query = query.where(InboxEvent.connector_id == connector_id)
    if status is not None:
        query = query.where(InboxEvent.status == status)
    if before_id is not None:
        query = query.where(InboxEvent.id < before_id)
    return list(session.scalars(query))
