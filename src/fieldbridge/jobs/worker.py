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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from fieldbridge import autotask, fieldnation
from fieldbridge.jobs import retry
from fieldbridge.jobs.handlers import HandlerRegistry, Job, JobFailed
from fieldbridge.jobs.outcome import Outcome
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.redaction import redact
from fieldbridge.notify.alerts import Alert, Alerter, AlertKind
from fieldbridge.settings import Settings
from fieldbridge.store import connectors, history, inbox, links, pair_locks, processing
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.secrets import SecretBox, SecretUnreadable
from fieldbridge.store.tables import InboxEvent

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
        drain_limit: int = DRAIN_LIMIT,
    ) -> None:
        self._db = db
        self._drain_limit = drain_limit
        self._settings = settings
        self._registry = registry
        self._queue = queue
        self._alert = alert
        self._clock = clock
        self._rand = rand
        self._lease = timedelta(seconds=settings.lease_seconds)
        self._renewals = _Renewals(db, clock, self._lease)
        self._configs = connectors.OpenedConfigs(box)

    def process(self, event_id: int) -> None:
        """Two transactions for an event whose handler writes nothing: one takes the pair's locks, claims
        the event and reads what its handler reads first (`Registered.reads`), one records the outcome and
        hands the pair to its next waiting event (claimed there too) or gives its locks back."""
        locks = HeldLocks(self._db, _holder_id(), self._clock, self._lease)
        try:
            with self._db.transaction() as session:
                started = self._start(session, event_id, locks)
        except _PairBusy:
            # Another event of this pair is being processed: look again shortly, without counting an attempt.
            self._enqueue(event_id, delay=1.0 + self._rand())
            return
        if started is None:
            return  # finished, another worker's, or not due: this message is a duplicate
        try:
            for drained in range(1, self._drain_limit + 1):
                event, config, stored, records = started
                with self._renewals.kept(event.id, locks):
                    began = time.monotonic()
                    ending = self._run(event, config, locks, stored)
                now = self._clock()
                with self._db.transaction() as session:
                    recorded = ending.record(session, now)
                    started = None
                    if drained < self._drain_limit:
                        if len(records) == 1:
                            # The handler may have linked the pair: its next event is looked for on both
                            # sides. A pair linked already stays so while its locks are held (linking takes
                            # them).
                            records = links.pair_records(session, *_record_of(event))
                        started = self._claim_next(session, event.connector_id, records, locks)
                    if started is None:
                        locks.release_in(session)
                self._ended(event, ending, recorded, time.monotonic() - began)
                if started is None:
                    return
        finally:
            locks.release()  # only if an error left them held: released in the last transaction otherwise

    def _start(self, session: Session, event_id: int, locks: HeldLocks) -> _Started | None:
        """Lock the event's pair and claim the event, or nothing (raises _PairBusy to undo the locks)."""
        now = self._clock()
        record = processing.claimable_record(session, event_id, now)
        if record is None:
            return None
        seen = links.pair_records(session, *record)
        # Once the record's own lock is held nobody can link it (linking takes both records' locks), so
        # the pair read again now stays as it is: lock its partner too if it was linked meanwhile.
        if not locks.take_in(session, record.connector_id, seen):
            raise _PairBusy
        locked = links.pair_records(session, *record)
        if not locks.take_in(session, record.connector_id, locked):
            raise _PairBusy
        claimed = processing.claim(session, event_id, locks.holder, now, self._lease)
        if claimed is None:
            raise _PairBusy  # claimed by another worker meanwhile (PostgreSQL): give the locks back
        return self._started(session, claimed, locked)

    def _claim_next(
        self, session: Session, connector_id: int, records: list[links.Record], locks: HeldLocks
    ) -> _Started | None:
        """The pair's next waiting event, claimed under the locks already held."""
        following = processing.next_waiting(session, connector_id, records, self._clock())
        if following is None:
            return None
        claimed = processing.claim(session, following, locks.holder, self._clock(), self._lease)
        return None if claimed is None else self._started(session, claimed, records)

    def _started(self, session: Session, event: InboxEvent, records: list[links.Record]) -> _Started:
        registered = self._registry.find(event.system, event.entity)
        reads = None if registered is None else registered.reads
        stored = None if reads is None else reads(session, event)
        default_code = self._settings.default_integration_code
        try:
            config: ConnectorConfig | SecretUnreadable = self._configs.get(
                session, event.connector_id, default_code
            )
        except SecretUnreadable as unreadable:
            config = unreadable  # the attempt fails with it, once claimed
        return event, config, stored, records

    def _ended(self, event: InboxEvent, ending: _Ending, recorded: bool, took: float) -> None:
        """After the ending's commit: its follow-up (a retry's message, an alert) and one INFO line (ids,
        never payloads or settings)."""
        if not recorded:
            log.warning(
                "event %s: lease lost before the %s was recorded; another worker took over",
                event.id,
                "failure" if ending.failed else "outcome",
            )
            return
        ending.then()
        log.info(
            "event %s %s: %s, connector %s, attempt %s, took %.2f s",
            event.id,
            ending.label,
            inbox.describe(event.system, event.entity, event.record_id),
            event.connector_id,
            event.attempts,
            took,
        )

    def _run(
        self, event: InboxEvent, config: ConnectorConfig | SecretUnreadable, locks: HeldLocks, stored: object
    ) -> _Ending:
        """Run the attempt; how it ends (processed, skipped, retry in N s, dead letter), to be recorded."""
        holder = locks.holder
        registered = self._registry.find(event.system, event.entity)
        if registered is None:
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
        if isinstance(config, SecretUnreadable):
            return self._fail(event, holder, JobFailed(str(config), retry=False), secrets=[])
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
            hold=locks.hold,
            clock=self._clock,
            sync=self._settings.sync,
            alert=self._alert,
            stored=stored,
        )
        secrets = config.secret_values()
        try:
            outcome = registered.handle(job)
        except JobFailed as failure:
            return self._fail(event, holder, failure, secrets, job)
        except Exception as error:
            log.warning(
                "event %s: unexpected error\n%s",
                event.id,
                redact("".join(traceback.format_exception(error)), secrets),
            )
            failed = JobFailed(f"{type(error).__name__}: {error}")
            failed.__cause__ = error
            return self._fail(event, holder, failed, secrets, job)
        if outcome is not None:
            outcome = replace(outcome, skips=tuple(job.skips))
        message = "Processed." if outcome is None else outcome.sentence()
        return self._finish(event, holder, EventStatus.DONE, "info", "processed", message, None, outcome, job)

    def _skip(self, event: InboxEvent, holder: str, message: str, fix: str) -> _Ending:
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
        job: Job | None = None,
    ) -> _Ending:
        def record(session: Session, now: datetime) -> bool:
            finished = processing.finish(session, event.id, holder, status, now)
            if finished:
                _record_skips(session, event, now, job)
                _write_at_end(session, job)
                data = None if outcome is None else outcome.as_data()
                history.record(session, event, now, level, action, message, fix, data)
            return finished

        return _Ending(record, action)

    def _fail(
        self,
        event: InboxEvent,
        holder: str,
        failure: JobFailed,
        secrets: list[str],
        job: Job | None = None,
    ) -> _Ending:
        cause = redact(failure.cause, secrets)
        fix = redact(failure.fix, secrets) if failure.fix else None
        delay = retry.next_delay(self._settings.retry, event.attempts, failure.retry, self._rand)
        if delay is not None and failure.retry_in is not None:
            delay = failure.retry_in

        def record(session: Session, now: datetime) -> bool:
            _record_skips(session, event, now, job)
            if delay is None:
                buried = processing.bury(session, event.id, holder, now, cause, fix) is not None
                if buried:
                    _write_at_end(session, job)
                return buried
            waiting = processing.retry_later(session, event.id, holder, now + timedelta(seconds=delay), cause)
            if waiting:
                _write_at_end(session, job)
                message = (
                    f"Attempt {event.attempts} of {self._settings.retry.attempts} failed: {cause} "
                    f"Next attempt in about {delay:.0f} s."
                )
                history.record(session, event, now, "warning", "retry", message, fix)
            return waiting

        def then() -> None:
            if delay is not None:
                self._enqueue(event.id, delay)
            kind = failure.alert or _auth_failure(failure) or ("dead_letter" if delay is None else None)
            if kind is not None:
                subject = inbox.describe(event.system, event.entity, event.record_id)
                self._alert(Alert(kind, event.connector_id, event.id, subject, cause, fix))

        label = "dead letter" if delay is None else f"retry in {delay:.1f} s"
        return _Ending(record, label, then, failed=True)

    def _enqueue(self, event_id: int, delay: float) -> None:
        try:
            self._queue.enqueue(event_id, delay=delay)
        except Exception as error:
            # The row says when it is due; the sweeper enqueues it once the queue is back.
            log.warning("event %s: could not be enqueued (%s); the sweeper will retry", event_id, error)


class _Renewals:
    """The leases of the events a processor runs (each event's, and its pair's locks), renewed by one thread
    every third of a lease for those running longer than that: a thread of their own cost every event a
    start and a join. The thread ends once no event runs, and starts again with the next."""

    def __init__(self, db: Database, clock: Clock, lease: timedelta) -> None:
        self._db = db
        self._clock = clock
        self._lease = lease
        self._lock = threading.Lock()
        self._running: dict[int, tuple[HeldLocks, float]] = {}
        """Event id -> its locks and when (monotonic) its lease was last taken or renewed."""
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def kept(self, event_id: int, locks: HeldLocks) -> Iterator[None]:
        with self._lock:
            self._running[event_id] = (locks, time.monotonic())
            if self._thread is None:
                self._thread = threading.Thread(target=self._renew, name="lease-renewals", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._running.pop(event_id, None)

    def _renew(self) -> None:
        every = self._lease.total_seconds() / 3
        while True:
            time.sleep(every)
            with self._lock:
                if not self._running:
                    self._thread = None
                    return
                due = [
                    (event_id, locks)
                    for event_id, (locks, since) in self._running.items()
                    if time.monotonic() - since >= every
                ]
            for event_id, locks in due:
                self._renew_one(event_id, locks)

    def _renew_one(self, event_id: int, locks: HeldLocks) -> None:
        try:
            with self._db.transaction() as session:
                until = self._clock() + self._lease
                held = processing.renew(session, event_id, locks.holder, until)
                held = locks.renew(session, until) and held
        except Exception as error:
            log.warning("event %s: could not renew its lease (%s); trying again", event_id, error)
            return
        with self._lock:
            if self._running.get(event_id, (None, 0.0))[0] is not locks:
                return  # it ended meanwhile (and may run again, with other locks)
            if held:
                self._running[event_id] = (locks, time.monotonic())
                return
            del self._running[event_id]
        log.warning("event %s: lease lost while processing; another worker may run it too", event_id)


class HeldLocks:
    """The pair locks of one processing run: taken as the pair's records require, renewed together, given
    back together."""

    WAIT_SECONDS = 5.0
    """How long a flow waits for a record it is about to link (its holder is finishing a short event)."""

    def __init__(self, db: Database, holder: str, clock: Clock, lease: timedelta) -> None:
        self.holder = holder
        self._db = db
        self._clock = clock
        self._lease = lease
        self._connector_id = 0  # set by the first take
        self._keys: list[str] = []

    def take_in(self, session: Session, connector_id: int, records: list[links.Record]) -> bool:
        """Lock the records not held yet, all or none, in the caller's transaction."""
        self._connector_id = connector_id
        keys = [k for k in (links.lock_key(connector_id, r) for r in records) if k not in self._keys]
        if not keys:
            return True
        now = self._clock()
        if not pair_locks.acquire(session, keys, self.holder, now, now + self._lease):
            return False
        self._keys += keys
        return True

    def wait_for(
        self, system: str, entity: str, record_id: int, then: Callable[[Session], None] | None = None
    ) -> None:
        """`Job.lock`: take one more record's lock, waiting a little for its holder to finish."""
        deadline = time.monotonic() + self.WAIT_SECONDS
        while not self._take([(system, entity, record_id)], then):
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

    def hold(self, session: Session) -> None:
        """`Job.hold`."""
        if not self.renew(session, self._clock() + self._lease):
            raise JobFailed(
                "Another worker took this record over while this attempt was stalled (its lease ran out), "
                "so this attempt stopped before writing.",
                "Nothing to do: the other worker's run carries on.",
            )

    def release_in(self, session: Session) -> None:
        pair_locks.release(session, self.holder)
        self._keys = []

    def release(self) -> None:
        """Give back whatever is still held, in a transaction of its own."""
        if self._keys:
            with self._db.transaction() as session:
                self.release_in(session)

    def _take(self, records: list[links.Record], then: Callable[[Session], None] | None) -> bool:
        held = list(self._keys)
        try:
            with self._db.transaction() as session:
                if not self.take_in(session, self._connector_id, records):
                    return False
                if then is not None:
                    then(session)
        except BaseException:
            self._keys = held  # rolled back: not taken after all
            raise
        return True


_Started = tuple[InboxEvent, ConnectorConfig | SecretUnreadable, object, list[links.Record]]
"""An event claimed, its connector's settings (or why they cannot be read), what its handler reads first and
its pair's records, locked."""


class _PairBusy(Exception):
    """Raised in the claiming transaction to undo it: another worker holds a lock of the pair."""


@dataclass(frozen=True)
class _Ending:
    """How an attempt ends: `record` writes it (False: the lease was lost first) in the transaction that
    also hands the pair on; `then` follows the commit (a retry's message, an alert)."""

    record: Callable[[Session, datetime], bool]
    label: str
    then: Callable[[], None] = lambda: None
    failed: bool = False


def _record_of(event: InboxEvent) -> tuple[int, str, str, int]:
    return event.connector_id, event.system, event.entity, event.record_id


def _record_skips(session: Session, event: InboxEvent, at: datetime, job: Job | None) -> None:
    for skip in () if job is None else job.skips:
        history.record(session, event, at, "warning", "skipped", skip.message, skip.fix)


def _write_at_end(session: Session, job: Job | None) -> None:
    """The writes the job left for its end (`Job.write_at_end`), once the attempt is known to hold it."""
    for write in () if job is None else job.end_writes:
        write(session)


def _auth_failure(failure: JobFailed) -> AlertKind | None:
    """A refused sign-in needs a person now (changed password, deactivated user), not after the retries."""
    cause = failure.__cause__
    refused = isinstance(cause, autotask.AuthenticationError | fieldnation.AuthenticationError)
    return "auth_failure" if refused else None
