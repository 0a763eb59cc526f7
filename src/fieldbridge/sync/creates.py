"""Creates that happen once, whatever the network does.

A create whose answer is lost may have been applied, and Autotask or Field Nation may even finish saving it
after the client gave up. So every create the flows make goes through `create_once`:

1. Before it is sent, it is stored as pending (`PendingCreate`), in the transaction that found it was not,
   which also confirms that the attempt still holds its pair (`Job.hold`): a worker that stalled past its
   lease, while another took the pair over, stops there instead of sending the create beside the other's.
2. A failure that may have been applied (a timeout, a cut answer, a 5xx) is followed at once by a look-up
   of the record by its marker (an `externalID`, a correlation id, the `(#id)` prefix); found, it is the
   record. A refusal (a 4xx) removes the pending row: nothing was made.
3. A later attempt that finds the create still pending looks the record up first, and does not send the
   create again before a settling window (two minutes by default) has passed since it was sent: the
   service may still be saving it.
4. The caller removes the pending row in the transaction that links the record (`settled`), so a crash
   between the two leaves the create pending, never forgotten.

A record found after an earlier attempt sent the create holds what that attempt read: `Made.earlier` tells
the caller to bring it up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from fieldbridge import autotask, fieldnation
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.store.tables import table_of
from fieldbridge.store.upserts import upsert
from fieldbridge.sync.context import Context
from fieldbridge.sync.tables import PendingCreate

LOOK_AGAIN_SECONDS = 30.0
"""How often a create of unknown outcome is looked for while its settling window lasts."""


@dataclass(frozen=True)
class Create:
    key: str
    """What is made for what, e.g. `TicketNote<-message:123`: unique per connector."""
    what: str
    """How history names it: "the note for message 123"."""
    find: Callable[[], int | None]
    """The id of the record this create makes, looked up by its marker; None when there is none (yet)."""
    send: Callable[[], int]
    """Create it and return its id."""


@dataclass(frozen=True)
class Made:
    id: int
    earlier: bool
    """Sent by an earlier attempt (a lost answer, a late save, a crash before the link), so it holds what
    that attempt read, not what this attempt would send."""


def create_once(ctx: Context, create: Create) -> Made:
    """The record `create` makes, made at most once; raises what `send` or `find` raise, or a `JobFailed`
    to come back once the outcome of an earlier attempt can be known."""
    connector_id, now = ctx.job.connector.id, ctx.now()
    with ctx.job.db.transaction() as session:
        sent_at = _sent_at(session, connector_id, create.key)
        if sent_at is None:  # the usual case: pending from now on, in the same transaction
            _pending(ctx, session, create.key, now)
    if sent_at is not None:
        found = create.find()
        if found is not None:
            return Made(found, earlier=True)
        # Neither service documents how long it may go on saving after the caller's timeout: by default
        # two minutes, four times the clients' 30 s (`SyncSettings.create_settle_seconds`).
        settled_at = sent_at + timedelta(seconds=ctx.job.sync.create_settle_seconds)
        if now < settled_at:
            raise JobFailed(
                f"The outcome of {create.what}, sent at {sent_at:%H:%M:%S} UTC, is not known (no answer "
                "came) and it has not been found by its marker yet; it is not sent again before "
                f"{settled_at:%H:%M:%S} UTC, in case it is still being saved.",
                "Nothing to do: the next attempt looks for it again, and creates it only if it never "
                "appeared.",
                retry_in=min((settled_at - now).total_seconds() + 1.0, LOOK_AGAIN_SECONDS),
            )
        with ctx.job.db.transaction() as session:
            _pending(ctx, session, create.key, now)  # sent again, now
    try:
        return Made(create.send(), earlier=False)
    except Exception as error:
        if _refused(error):
            with ctx.job.db.transaction() as session:
                settled(session, connector_id, create.key)
            raise
        found = create.find()  # an answer cut after the record was saved: it is there now
        if found is not None:
            # After an earlier attempt, what is found may be that attempt's late save.
            return Made(found, earlier=sent_at is not None)
        raise


def _pending(ctx: Context, session: Session, key: str, now: datetime) -> None:
    ctx.job.hold(session)  # a run that lost its pair must not send what the run that took it over sends
    making = upsert(session.get_bind().dialect.name, _PENDING, ("connector_id", "key"), ("sent_at",))
    session.execute(making, {"connector_id": ctx.job.connector.id, "key": key, "sent_at": now})


def settled(session: Session, connector_id: int, key: str) -> None:
    """The create's outcome is known (its record is linked, or it was refused): it is no longer pending."""
    session.execute(_SETTLED, {"connector_id": connector_id, "key": key})


def is_pending(session: Session, connector_id: int, key: str) -> bool:
    return _sent_at(session, connector_id, key) is not None


def _sent_at(session: Session, connector_id: int, key: str) -> datetime | None:
    """When the create was sent, while its outcome is not known; None when it is not pending."""
    return session.scalar(_SENT_AT, {"connector_id": connector_id, "key": key})


_PENDING = table_of(PendingCreate)
_ONE = (_PENDING.c.connector_id == bindparam("connector_id"), _PENDING.c.key == bindparam("key"))
# Core, built once: every create reads and deletes its row.
_SENT_AT = select(_PENDING.c.sent_at).where(*_ONE)
_SETTLED = delete(_PENDING).where(*_ONE)


def _refused(error: Exception) -> bool:
    """Whether the service certainly made nothing. The Autotask client says so by raising anything but
    `OutcomeUnknownError` (it repeats what was certainly not applied itself); Field Nation's answered a 4xx.
    Anything else (no answer, a 5xx, an error of ours after sending) may have made the record."""
    if isinstance(error, autotask.AutotaskError):
        return not isinstance(error, autotask.OutcomeUnknownError)
    if isinstance(error, fieldnation.ApiError):
        return error.status < 500
    return False
