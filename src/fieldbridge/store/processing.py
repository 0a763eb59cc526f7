"""What happens to an inbox row after it is stored: claimed by one worker, then done, retried or dead.

Every transition is one conditional UPDATE, so two workers (or a worker and the sweeper) racing for the
same row cannot both win: a claim succeeds only for a waiting row whose time has come, or for a row whose
previous worker let its lease run out (it crashed or hung); the outcome of an attempt is recorded only by
the holder of that attempt's lease.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import BindParameter, ColumnElement, Select, Update, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningUpdate

from fieldbridge.store import history
from fieldbridge.store.inbox import FINISHED, WAITING, EventStatus
from fieldbridge.store.links import Record
from fieldbridge.store.tables import DeadLetter, InboxEvent, table_of

_INBOX = table_of(InboxEvent)
"""The inbox. The statements here are Core, which skips the ORM's work on each (a tenth of a
no-op event's CPU went there); only `replay`, which changes an event loaded, goes through the ORM."""


class EventRecord(NamedTuple):
    """The record an event is about, with its connector: what its pair is found and locked by."""

    connector_id: int
    system: str
    entity: str
    record_id: int


def _claimable() -> ColumnElement[bool]:
    """Waiting and due, or processing under a lease that ran out, at the parameter `now`."""
    now: BindParameter[datetime] = bindparam("now")
    return or_(
        and_(
            _INBOX.c.status.in_(WAITING),
            or_(_INBOX.c.next_attempt_at.is_(None), _INBOX.c.next_attempt_at <= now),
        ),
        and_(_INBOX.c.status == EventStatus.PROCESSING, _INBOX.c.lease_until < now),
    )


def claimable_record(session: Session, event_id: int, now: datetime) -> EventRecord | None:
    """The event's connector and record while it could be claimed (the claim's own rule), to lock its pair
    before claiming it; None when it is not free (saves taking a lock for nothing)."""
    row = session.execute(_CLAIMABLE_RECORD, {"event": event_id, "now": now}).one_or_none()
    return None if row is None else EventRecord(*row)


def claim(session: Session, event_id: int, holder: str, now: datetime, lease: timedelta) -> InboxEvent | None:
    """Make `holder` the one worker processing the event, counting an attempt; None if it is not free."""
    return _updated(session, _CLAIM, {"event": event_id, "holder": holder, "until": now + lease, "now": now})


def next_waiting(session: Session, connector_id: int, records: list[Record], now: datetime) -> int | None:
    """The oldest claimable event of a pair (given as `store.links.pair_records`), for the worker that
    holds the pair's lock to take next."""
    found: dict[str, object] = {"connector": connector_id, "now": now}
    for n, (system, entity, record_id) in enumerate(records):
        found |= {f"system{n}": system, f"entity{n}": entity, f"record{n}": record_id}
    return session.scalars(_next_waiting(len(records)), found).first()


@cache
def _next_waiting(records: int) -> Select[int]:
    # The connector in each term, so that each is one lookup in ix_inbox_events_record (SQLite uses an
    # index for an OR only when every term fits it): a few rows read whatever the size of the inbox.
    same_pair = or_(
        *(
            and_(
                _INBOX.c.connector_id == bindparam("connector"),
                _INBOX.c.system == bindparam(f"system{n}"),
                _INBOX.c.entity == bindparam(f"entity{n}"),
                _INBOX.c.record_id == bindparam(f"record{n}"),
            )
            for n in range(records)
        )
    )
    return select(_INBOX.c.id).where(same_pair, _claimable()).order_by(_INBOX.c.id).limit(1)


def renew(session: Session, event_id: int, holder: str, until: datetime) -> bool:
    return _held_and_updated(session, _RENEW, {"event": event_id, "holder": holder, "until": until})


def finish(session: Session, event_id: int, holder: str, status: EventStatus, now: datetime) -> bool:
    """Record a successful (or skipped) attempt; False when `holder` lost its lease meanwhile."""
    assert status in (EventStatus.DONE, EventStatus.SKIPPED)
    return _held_and_updated(
        session, _FINISH, {"event": event_id, "holder": holder, "done": status, "at": now}
    )


def retry_later(session: Session, event_id: int, holder: str, due: datetime, error: str) -> bool:
    """Record a failed attempt to be tried again at `due`; False when `holder` lost its lease meanwhile."""
    parameters = {"event": event_id, "holder": holder, "due": due, "error": error}
    return _held_and_updated(session, _RETRY, parameters)


def bury(
    session: Session, event_id: int, holder: str, now: datetime, cause: str, fix: str | None
) -> DeadLetter | None:
    """Move the event to dead letters, with the cause and fix a person needs; None if the lease was lost."""
    event = _updated(session, _BURY, {"event": event_id, "holder": holder, "at": now, "error": cause})
    if event is None:
        return None
    letter = DeadLetter(
        event_id=event.id,
        connector_id=event.connector_id,
        created_at=now,
        attempts=event.attempts,
        cause=cause,
        fix=fix,
    )
    session.add(letter)
    history.record(session, event, now, "error", "dead-letter", cause, fix)
    session.flush()
    return letter


class NotReplayable(Exception):
    pass


def replay(session: Session, event: InboxEvent, now: datetime, by: str) -> None:
    """Send a finished event through again from scratch; its open dead letters count as handled."""
    if event.status not in FINISHED:
        raise NotReplayable(f"event {event.id} is {event.status}; only finished events can be replayed")
    session.execute(
        update(DeadLetter)
        .where(DeadLetter.event_id == event.id, DeadLetter.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=by)
        .execution_options(synchronize_session=False)
    )
    event.status = EventStatus.RECEIVED
    event.attempts = 0
    event.next_attempt_at = None
    event.lease_holder = None
    event.lease_until = None
    event.finished_at = None
    event.last_error = None
    history.record(session, event, now, "info", "replay", f"Replayed by {by}.")
    session.flush()


def overdue(
    session: Session, now: datetime, grace: timedelta, requeue_after: timedelta
) -> list[tuple[int, EventStatus]]:
    """(id, status) of rows that should be in the queue but may not be: never enqueued, a crashed
    worker's, a retry or a message that went missing."""
    rows = session.execute(
        select(_INBOX.c.id, _INBOX.c.status).where(_overdue(now, grace, requeue_after)).limit(500)
    )
    return [(row.id, EventStatus(row.status)) for row in rows]


def requeue(
    session: Session, event_id: int, now: datetime, grace: timedelta, requeue_after: timedelta
) -> bool:
    """Mark one overdue row as enqueued now; False when another sweeper (or a worker) got to it first."""
    result = session.execute(
        update(_INBOX)
        .where(_INBOX.c.id == event_id, _overdue(now, grace, requeue_after))
        .values(status=EventStatus.QUEUED, enqueued_at=now, next_attempt_at=None)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_enqueued(session: Session, event_ids: Collection[int], now: datetime) -> None:
    session.execute(
        update(_INBOX)
        .where(_INBOX.c.id.in_(event_ids), _INBOX.c.status == EventStatus.RECEIVED)
        .values(status=EventStatus.QUEUED, enqueued_at=now)
    )


def unmark_enqueued(session: Session, event_id: int) -> None:
    """The queue refused the message after all: the row is only stored again (the sweeper retries it)."""
    session.execute(
        update(_INBOX)
        .where(_INBOX.c.id == event_id, _INBOX.c.status == EventStatus.QUEUED)
        .values(status=EventStatus.RECEIVED)
    )


def _overdue(now: datetime, grace: timedelta, requeue_after: timedelta) -> ColumnElement[bool]:
    return or_(
        and_(_INBOX.c.status == EventStatus.RECEIVED, _INBOX.c.received_at < now - grace),
        and_(_INBOX.c.status == EventStatus.QUEUED, _INBOX.c.enqueued_at < now - requeue_after),
        and_(_INBOX.c.status == EventStatus.RETRYING, _INBOX.c.next_attempt_at < now - grace),
        and_(_INBOX.c.status == EventStatus.PROCESSING, _INBOX.c.lease_until < now),
    )


def _held_by() -> ColumnElement[bool]:
    """The event `event` while `holder` holds its lease (parameters)."""
    return and_(
        _INBOX.c.id == bindparam("event"),
        _INBOX.c.status == EventStatus.PROCESSING,
        _INBOX.c.lease_holder == bindparam("holder"),
    )


def _returning(statement: Update) -> ReturningUpdate[tuple[object, ...]]:
    """`statement` answering the event as it left it: no read after the update."""
    return statement.returning(*_INBOX.c)


def _updated(
    session: Session, statement: ReturningUpdate[tuple[object, ...]], parameters: dict[str, object]
) -> InboxEvent | None:
    """The event as `statement` left it, detached, as the ORM leaves it after the commit; None when it
    matched no row. Built from the row: the ORM's work around an UPDATE ... RETURNING (identity map,
    attribute events) cost more than the statement, a twelfth of a no-op event's CPU."""
    row = session.execute(statement, parameters).one_or_none()
    return None if row is None else InboxEvent(**row._mapping)


def _held_and_updated(session: Session, statement: Update, parameters: dict[str, object]) -> bool:
    """Whether `statement` (on one event whose lease `holder` holds) changed it. The event is not loaded
    back: the worker has it already, and loading it was a tenth of a no-op event's CPU."""
    result = session.execute(statement, parameters)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# Built once: building a statement costs more than running it, and every event goes through these.
_CLAIMABLE_RECORD = select(_INBOX.c.connector_id, _INBOX.c.system, _INBOX.c.entity, _INBOX.c.record_id).where(
    _INBOX.c.id == bindparam("event"), _claimable()
)
_CLAIM = _returning(
    update(_INBOX)
    .where(_INBOX.c.id == bindparam("event"), _claimable())
    .values(
        status=EventStatus.PROCESSING,
        lease_holder=bindparam("holder"),
        lease_until=bindparam("until"),
        attempts=_INBOX.c.attempts + 1,
        # From here on a new hint for this record is a new event: this attempt may fetch too early for it.
        pending_key=None,
    )
)
_RENEW = update(_INBOX).where(_held_by()).values(lease_until=bindparam("until"))
_SETTLED = {"lease_holder": None, "lease_until": None}
_FINISH = (
    update(_INBOX)
    .where(_held_by())
    .values(**_SETTLED, status=bindparam("done"), finished_at=bindparam("at"), last_error=None)
)
_RETRY = (
    update(_INBOX)
    .where(_held_by())
    .values(
        **_SETTLED,
        status=EventStatus.RETRYING,
        next_attempt_at=bindparam("due"),
        last_error=bindparam("error"),
    )
)
_BURY = _returning(
    update(_INBOX)
    .where(_held_by())
    .values(**_SETTLED, status=EventStatus.DEAD, finished_at=bindparam("at"), last_error=bindparam("error"))
)
