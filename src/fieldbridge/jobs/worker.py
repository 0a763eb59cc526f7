"""Processing one inbox event: take the pair's lock, claim the event, run its handler, record the outcome.

The order matters. The pair lock comes first, so two events for one pair never run side by side; the claim
comes second, so only one worker runs an attempt even when the queue delivered its message twice. Both are
leases that a helper thread renews while the handler runs: if this process dies, they run out, and the
sweeper hands the event to another worker (at-least-once; handlers compare state, so a rerun is harmless).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from fieldbridge import autotask, fieldnation
from fieldbridge.jobs import retry
from fieldbridge.jobs.handlers import HandlerRegistry, Job, JobFailed
from fieldbridge.jobs.outcome import Outcome, Skip
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.redaction import redact
from fieldbridge.notify.alerts import Alert, Alerter, AlertKind
from fieldbridge.settings import Settings
from fieldbridge.store import connectors, history, inbox, links, pair_locks, processing
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.secrets import SecretBox, SecretUnreadable
from fieldbridge.store.tables import Connector, InboxEvent

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

DRAIN_LIMIT = 20
"""Events of one pair a worker takes in a row while it holds the pair's lock. A burst of notices for one
ticket then runs back to back instead of each waiting its turn for the lock through the queue; the limit
keeps one busy pair from holding a worker thread for ever."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _holder_id() -> str:
    """Names one attempt of one worker: host and pid help an operator, the random part makes it unique."""
    return f"{socket.gethostname()[:40]}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


class EventProcessor:
    def __init__(
        self,
        *,
        db: Database,
        box: SecretBox,
        settings: Settings,
        registry: HandlerRegistry,
        queue: EventQueue,
        alert: Alerter,
        clock: Clock = _utcnow,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._db = db
        self._box = box
        self._settings = settings
        self._registry = registry
        self._queue = queue
        self._alert = alert
        self._clock = clock
        self._rand = rand
        self._lease = timedelta(seconds=settings.lease_seconds)

    def process(self, event_id: int) -> None:
        now = self._clock()
        with self._db.transaction() as session:
            event = inbox.get(session, event_id)
            if event is None or not processing.is_claimable(event, now):
                return  # finished, another worker's, or not due: this message is a duplicate
            connector_id, system, entity, record_id = (
                event.connector_id,
                event.system,
                event.entity,
                event.record_id,
            )
            records = links.pair_records(session, connector_id, system, entity, record_id)
        locks = HeldLocks(self._db, _holder_id(), connector_id, self._clock, self._lease)
        # Once the record's own lock is held nobody can link it (linking takes both records' locks), so
        # the pair read again now stays as it is: lock its partner too if it was linked meanwhile.
        if not locks.take(records) or not locks.take(self._pair(connector_id, system, entity, record_id)):
            locks.release()
            # Another event of this pair is being processed: look again shortly, without counting an attempt.
            self._enqueue(event_id, delay=1.0 + self._rand())
            return
        try:
            for _ in range(DRAIN_LIMIT):
                with self._db.transaction() as session:
                    claimed = processing.claim(session, event_id, locks.holder, self._clock(), self._lease)
                if claimed is not None:
                    with self._leases_renewed(claimed.id, locks):
                        self._attempt(claimed, locks)
                records = self._pair(connector_id, system, entity, record_id)
                with self._db.transaction() as session:
                    following = processing.next_waiting(session, connector_id, records, self._clock())
                if following is None:
                    break
                event_id = following
        finally:
            locks.release()

    def _pair(self, connector_id: int, system: str, entity: str, record_id: int) -> list[links.Record]:
        with self._db.transaction() as session:
            return links.pair_records(session, connector_id, system, entity, record_id)

    def _attempt(self, event: InboxEvent, locks: HeldLocks) -> None:
        """Runs one attempt and logs its outcome in one INFO line (ids, never payloads or settings)."""
        started = time.monotonic()
        outcome = self._run(event, locks)
        if outcome is not None:  # None: the lease was lost, which is logged where it is found
            log.info(
                "event %s %s: %s, connector %s, attempt %s, took %.2f s",
                event.id,
                outcome,
                inbox.describe(event.system, event.entity, event.record_id),
                event.connector_id,
                event.attempts,
                time.monotonic() - started,
            )

    def _run(self, event: InboxEvent, locks: HeldLocks) -> str | None:
        """The attempt's outcome (processed, skipped, retry in N s, dead letter), None when not recorded."""
        holder = locks.holder
        handler = self._registry.find(event.system, event.entity)
        if handler is None:
            what = inbox.describe(event.system, event.entity, event.record_id)
            return self._skip(
                event,
                holder,
                f"No sync flow handles {what} yet, so nothing was changed.",
                "Replay the event once a flow for it is installed.",
            )
        if event.attempts > self._settings.retry.attempts:
            # Each earlier claim ended without an outcome: the worker died or hung while processing it.
            return self._fail(
                event,
                holder,
                JobFailed(
                    f"Processing stopped {event.attempts - 1} times without finishing (the worker crashed "
                    "or hung while working on this event).",
                    "Look in the worker logs around those times; replay the event once the cause is fixed.",
                    retry=False,
                ),
                secrets=[],
            )
        try:
            config = self._connector_config(event.connector_id)
        except SecretUnreadable as error:
            return self._fail(event, holder, JobFailed(str(error), retry=False), secrets=[])
        if not config.enabled:
            return self._skip(
                event,
                holder,
                f"Connector {config.name} is disabled, so nothing was synced.",
                f"Enable it (`fieldbridge connectors enable {config.name}`), then replay the event.",
            )
        job = Job(
            event_id=event.id,
            attempt=event.attempts,
            source=event.source,
            system=event.system,
            entity=event.entity,
            record_id=event.record_id,
            payload=event.payload,
            connector=config,
            db=self._db,
            lock=locks.wait_for,
            clock=self._clock,
            sync=self._settings.sync,
            alert=self._alert,
        )
        secrets = config.secret_values()
        try:
            outcome = handler(job)
        except JobFailed as failure:
            return self._fail(event, holder, failure, secrets, job.skips)
        except Exception as error:
            log.warning(
                "event %s: unexpected error\n%s",
                event.id,
                redact("".join(traceback.format_exception(error)), secrets),
            )
            failed = JobFailed(f"{type(error).__name__}: {error}")
            failed.__cause__ = error
            return self._fail(event, holder, failed, secrets, job.skips)
        if outcome is not None:
            outcome = replace(outcome, skips=tuple(job.skips))
        message = "Processed." if outcome is None else outcome.sentence()
        return self._finish(
            event, holder, EventStatus.DONE, "info", "processed", message, None, outcome, job.skips
        )

    def _skip(self, event: InboxEvent, holder: str, message: str, fix: str) -> str | None:
        return self._finish(event, holder, EventStatus.SKIPPED, "warning", "skipped", message, fix)

    def _finish(
        self,
        event: InboxEvent,
        holder: str,
        status: EventStatus,
        level: history.Level,
        action: str,
        message: str,
        fix: str | None,
        outcome: Outcome | None = None,
        skips: Sequence[Skip] = (),
    ) -> str | None:
        """`action` once recorded; None when the lease was lost first."""
        now = self._clock()
        with self._db.transaction() as session:
            finished = processing.finish(session, event.id, holder, status, now)
            if finished is not None:
                _record_skips(session, finished, now, skips)
                data = None if outcome is None else outcome.as_data()
                history.record(session, finished, now, level, action, message, fix, data)
        if finished is None:
            log.warning(
                "event %s: lease lost before the outcome was recorded; another worker took over", event.id
            )
            return None
        return action

    def _fail(
        self,
        event: InboxEvent,
        holder: str,
        failure: JobFailed,
        secrets: list[str],
        skips: Sequence[Skip] = (),
    ) -> str | None:
        cause = redact(failure.cause, secrets)
        fix = redact(failure.fix, secrets) if failure.fix else None
        delay = retry.next_delay(self._settings.retry, event.attempts, failure.retry, self._rand)
        if delay is not None and failure.retry_in is not None:
            delay = failure.retry_in
        now = self._clock()
        with self._db.transaction() as session:
            _record_skips(session, event, now, skips)
            if delay is None:
                recorded = processing.bury(session, event.id, holder, now, cause, fix) is not None
            else:
                waiting = processing.retry_later(
                    session, event.id, holder, now + timedelta(seconds=delay), cause
                )
                recorded = waiting is not None
                if waiting is not None:
                    message = (
                        f"Attempt {event.attempts} of {self._settings.retry.attempts} failed: {cause} "
                        f"Next attempt in about {delay:.0f} s."
                    )
                    history.record(session, waiting, now, "warning", "retry", message, fix)
        if not recorded:
            log.warning(
                "event %s: lease lost before the failure was recorded; another worker took over", event.id
            )
            return None
        if delay is not None:
            self._enqueue(event.id, delay)
        kind = failure.alert or _auth_failure(failure) or ("dead_letter" if delay is None else None)
        if kind is not None:
            subject = inbox.describe(event.system, event.entity, event.record_id)
            self._alert(Alert(kind, event.connector_id, event.id, subject, cause, fix))
        return "dead letter" if delay is None else f"retry in {delay:.1f} s"

    def _connector_config(self, connector_id: int) -> connectors.ConnectorConfig:
        with self._db.transaction() as session:
            row = session.get(Connector, connector_id)
            assert row is not None  # events are deleted with their connector
            return connectors.config(row, self._box, self._settings.default_integration_code)

    def _enqueue(self, event_id: int, delay: float) -> None:
        try:
            self._queue.enqueue(event_id, delay=delay)
        except Exception as error:
            # The row says when it is due; the sweeper enqueues it once the queue is back.
            log.warning("event %s: could not be enqueued (%s); the sweeper will retry", event_id, error)

    @contextlib.contextmanager
    def _leases_renewed(self, event_id: int, locks: HeldLocks) -> Iterator[None]:
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self._lease.total_seconds() / 3):
                try:
                    with self._db.transaction() as session:
                        until = self._clock() + self._lease
                        held = processing.renew(session, event_id, locks.holder, until)
                        held = locks.renew(session, until) and held
                except Exception as error:
                    log.warning("event %s: could not renew its lease (%s); trying again", event_id, error)
                    continue
                if not held:
                    log.warning(
                        "event %s: lease lost while processing; another worker may run it too", event_id
                    )
                    return

        thread = threading.Thread(target=renew, name=f"lease-{event_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


class HeldLocks:
    """The pair locks of one processing run: taken as the pair's records require, renewed together, given
    back together."""

    WAIT_SECONDS = 5.0
    """How long a flow waits for a record it is about to link (its holder is finishing a short event)."""

    def __init__(self, db: Database, holder: str, connector_id: int, clock: Clock, lease: timedelta) -> None:
        self.holder = holder
        self._db = db
        self._connector_id = connector_id
        self._clock = clock
        self._lease = lease
        self._keys: list[str] = []

    def take(self, records: list[links.Record]) -> bool:
        """Lock the records not held yet, all or none."""
        keys = [k for k in (links.lock_key(self._connector_id, r) for r in records) if k not in self._keys]
        if not keys:
            return True
        now = self._clock()
        with self._db.transaction() as session:
            taken = pair_locks.acquire_all(session, keys, self.holder, now, now + self._lease)
        if taken:
            self._keys += keys
        return taken

    def wait_for(self, system: str, entity: str, record_id: int) -> None:
        """`Job.lock`: take one more record's lock, waiting a little for its holder to finish."""
        deadline = time.monotonic() + self.WAIT_SECONDS
        while not self.take([(system, entity, record_id)]):
            if time.monotonic() >= deadline:
                raise JobFailed(
                    f"{inbox.describe(system, entity, record_id)} is being processed by another worker, "
                    "so it cannot be linked yet.",
                    "Nothing to do: the next attempt links it.",
                    retry_in=2.0,
                )
            time.sleep(0.05)

    def renew(self, session: Session, until: datetime) -> bool:
        return pair_locks.renew(session, self.holder, len(self._keys), until)

    def release(self) -> None:
        with self._db.transaction() as session:
            pair_locks.release(session, self.holder)
        self._keys = []


def _record_skips(session: Session, event: InboxEvent, at: datetime, skips: Sequence[Skip]) -> None:
    for skip in skips:
        history.record(session, event, at, "warning", "skipped", skip.message, skip.fix)


def _auth_failure(failure: JobFailed) -> AlertKind | None:
    """A refused sign-in needs a person now (changed password, deactivated user), not after the retries."""
    cause = failure.__cause__
    refused = isinstance(cause, autotask.AuthenticationError | fieldnation.AuthenticationError)
    return "auth_failure" if refused else None
