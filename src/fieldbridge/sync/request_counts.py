"""Autotask's limits counted in the database (`autotask_requests`, `autotask_pauses`), for deployments whose
processes share no Redis: each admission is one short transaction.

A request's slot is given back in the process's next admission, inside its transaction, or by itself after
`GIVE_BACK_DELAY` when no admission comes first (and when the process exits): a flow calls Autotask one
request after another, so under load a give-back costs no transaction, and a slot is held at most that long
after its answer. On a node without Redis these transactions queue for SQLite's one write lock with the
inbox's and the events', so each one saved is felt by every process.

SQLite serialises those transactions itself (every one begins IMMEDIATE). On PostgreSQL two transactions could
both count two in flight and both take the third slot, so each takes advisory locks first: the gate's, then
the user's (always in that order, so no two wait on each other).

Times are the processes' own clocks (seconds since the epoch): they share a machine with SQLite, and keep
their clocks in step (NTP) with PostgreSQL.

The counts have an engine of their own (`open_counts`): their transactions are bookkeeping beside an event's,
not part of it, and take none of the event's pooled connections.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import time

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from fieldbridge.autotask.limits import BUSY, THREADS_PER_ENDPOINT, Admission, Admitted, Busy, Held
from fieldbridge.store.database import Database, create_database_engine
from fieldbridge.store.tables import AutotaskPause, AutotaskRequest

log = logging.getLogger(__name__)

GIVE_BACK_DELAY = 0.02
"""Seconds a returned slot waits for the process's next admission to carry it before it is written alone."""


class DatabaseCounts:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._returned: dict[int, float] = {}
        """Slots whose answer came, not yet written: request id -> when (monotonic)."""
        self._returned_lock = threading.Lock()
        self._wake = threading.Event()
        self._writer: threading.Thread | None = None

    def take(self, user: str, gate: str, limit: int, window: float, lease: float) -> Admission | Busy:
        with self._returned_lock:
            returned = sorted(self._returned)
        with self.db.transaction() as session:
            _lock(session, f"gate:{gate}", f"user:{user}")
            _free(session, returned)
            answer = _admit(session, user, gate, limit, window, lease)
        self._written(returned)
        return answer

    def give_back(self, gate: str, token: str) -> None:
        with self._returned_lock:
            self._returned[int(token)] = time.monotonic()
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_returned, name="autotask-give-back", daemon=True
                )
                self._writer.start()
                atexit.register(self._flush_or_log)
        self._wake.set()

    def flush(self, returned_before: float | None = None) -> None:
        """Write the slots returned since the last admission (only those returned by `returned_before`, a
        monotonic time, when given): by the writer thread, and at exit."""
        with self._returned_lock:
            returned = sorted(
                token
                for token, at in self._returned.items()
                if returned_before is None or at <= returned_before
            )
        if returned:
            with self.db.transaction() as session:
                _free(session, returned)
            self._written(returned)

    def _write_returned(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            while True:
                with self._returned_lock:
                    oldest = min(self._returned.values(), default=None)
                if oldest is None:
                    break
                # An admission coming meanwhile carries them instead.
                time.sleep(max(0.0, oldest + GIVE_BACK_DELAY - time.monotonic()))
                if not self._flush_or_log(returned_before=time.monotonic() - GIVE_BACK_DELAY):
                    break

    def _flush_or_log(self, returned_before: float | None = None) -> bool:
        try:
            self.flush(returned_before)
        except Exception:  # the leases free the slots if the database stays away
            log.exception("Autotask request slots not given back: they free when their leases end")
            return False
        return True

    def _written(self, returned: list[int]) -> None:
        with self._returned_lock:
            for token in returned:
                self._returned.pop(token, None)

    def pause(self, user: str, seconds: float) -> None:
        until = time.time() + seconds
        with self.db.transaction() as session:
            _lock(session, f"user:{user}")
            pause = session.get(AutotaskPause, user)
            if pause is None:
                session.add(AutotaskPause(api_user=user, until=until))
            elif pause.until < until:
                pause.until = until

    def used(self, user: str, window: float) -> int:
        with self.db.transaction() as session:
            count = session.scalar(
                select(func.count())
                .select_from(AutotaskRequest)
                .where(AutotaskRequest.api_user == user, AutotaskRequest.sent_at > time.time() - window)
            )
        return count or 0


def open_counts(database_url: str) -> DatabaseCounts:
    """Counts in the (migrated) database at `database_url`, through an engine of their own."""
    engine = create_database_engine(database_url)
    return DatabaseCounts(Database(engine, sessionmaker(engine)))


def _admit(
    session: Session, user: str, gate: str, limit: int, window: float, lease: float
) -> Admission | Busy:
    now = time.time()
    pause = session.get(AutotaskPause, user)
    if pause is not None and pause.until > now:
        return Held("paused", pause.until - now)
    in_flight = session.scalar(
        select(func.count())
        .select_from(AutotaskRequest)
        .where(AutotaskRequest.gate == gate, AutotaskRequest.in_flight_until > now)
    )
    if (in_flight or 0) >= THREADS_PER_ENDPOINT:
        return BUSY
    session.execute(
        delete(AutotaskRequest).where(
            AutotaskRequest.api_user == user, AutotaskRequest.sent_at <= now - window
        )
    )
    sent, oldest = session.execute(
        select(func.count(), func.min(AutotaskRequest.sent_at)).where(AutotaskRequest.api_user == user)
    ).one()
    if sent >= limit:
        return Held("budget", oldest + window - now)
    request = AutotaskRequest(api_user=user, gate=gate, sent_at=now, in_flight_until=now + lease)
    session.add(request)
    session.flush()
    return Admitted(str(request.id))


def _free(session: Session, returned: list[int]) -> None:
    if returned:
        session.execute(
            update(AutotaskRequest).where(AutotaskRequest.id.in_(returned)).values(in_flight_until=None)
        )


def _lock(session: Session, *names: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in names:
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
