"""Autotask's limits counted in the database (`autotask_requests`, `autotask_pauses`), for deployments whose
processes share no Redis: each answer is one short transaction.

SQLite serialises those transactions itself (every one begins IMMEDIATE). On PostgreSQL two transactions could
both count two in flight and both take the third slot, so each takes advisory locks first: the gate's, then
the user's (always in that order, so no two wait on each other).

Times are the processes' own clocks (seconds since the epoch): they share a machine with SQLite, and keep
their clocks in step (NTP) with PostgreSQL.

The counts have an engine of their own (`open_counts`): their transactions are bookkeeping beside an event's,
not part of it, and take none of the event's pooled connections.
"""

from __future__ import annotations

import hashlib
import time

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from fieldbridge.autotask.limits import BUSY, THREADS_PER_ENDPOINT, Admission, Admitted, Busy, Held
from fieldbridge.store.database import Database, create_database_engine
from fieldbridge.store.tables import AutotaskPause, AutotaskRequest


class DatabaseCounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def take(self, user: str, gate: str, limit: int, window: float, lease: float) -> Admission | Busy:
        now = time.time()
        with self.db.transaction() as session:
            _lock(session, f"gate:{gate}", f"user:{user}")
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
                select(func.count(), func.min(AutotaskRequest.sent_at)).where(
                    AutotaskRequest.api_user == user
                )
            ).one()
            if sent >= limit:
                return Held("budget", oldest + window - now)
            request = AutotaskRequest(api_user=user, gate=gate, sent_at=now, in_flight_until=now + lease)
            session.add(request)
            session.flush()
            return Admitted(str(request.id))

    def give_back(self, gate: str, token: str) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(AutotaskRequest).where(AutotaskRequest.id == int(token)).values(in_flight_until=None)
            )

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


def _lock(session: Session, *names: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in names:
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
