"""Autotask's limits counted in the database (`autotask_requests`, `autotask_pauses`), for deployments whose
processes share no Redis.

Each row of `autotask_requests` is a request drawn on its user's hourly budget; a row still `in_flight_until`
is also one of its gate's 3 slots. A busy process keeps what it took rather than write a transaction for each
request, which on a node without Redis would queue for SQLite's one write lock with the inbox's and the
events':

- A slot whose answer came stays the process's for `SLOT_KEEP` seconds, for its next request of that gate;
  then it is given back, inside the process's next transaction or by a writer thread (and at exit).
- An admission that writes takes up to `SPARE_REQUESTS` more of the budget beside it (rows sent then, never in
  flight; a tenth of what is left at most), for the process's next requests to draw on for `SPARE_SECONDS`;
  those left are deleted once they expire or their user holds no slot.

So a busy process writes about once every `SPARE_REQUESTS` requests, and a lone request costs what it always
did: its admission and its give-back. The price, all bounded: another process waits up to `SLOT_KEEP` longer
for a slot; the budget counts up to `SPARE_REQUESTS` requests early per busy process (and forgets them up to
`SPARE_SECONDS` early); another process's pause is seen up to `SPARE_SECONDS` (or `SPARE_REQUESTS` requests)
late, the process's own at once.

SQLite serialises the transactions itself (every one begins IMMEDIATE). On PostgreSQL two transactions could
both count two in flight and both take the third slot, so each takes advisory locks first: the gate's, then
the user's (always in that order, so no two wait on each other).

Times in the tables are the processes' own clocks (seconds since the epoch): they share a machine with SQLite,
and keep their clocks in step (NTP) with PostgreSQL.

The counts have an engine of their own (`open_counts`): their transactions are bookkeeping beside an event's,
not part of it, and take none of the event's pooled connections.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from fieldbridge.autotask.limits import BUSY, THREADS_PER_ENDPOINT, Admission, Admitted, Busy, Held
from fieldbridge.store.database import Database, create_database_engine
from fieldbridge.store.tables import AutotaskPause, AutotaskRequest, table_of

log = logging.getLogger(__name__)

SLOT_KEEP = 0.1
"""Seconds a slot whose answer came stays the process's, for its next request of the gate."""
SPARE_REQUESTS = 10
"""Requests of the budget an admission that writes takes beside its own, for the process's next ones."""
SPARE_SECONDS = 1.0
"""How long spare requests may be drawn on: how late another process's pause may be seen."""


@dataclass(frozen=True)
class _Kept:
    token: int
    user: str
    gate: str
    since: float
    """When its answer came (monotonic)."""


@dataclass(frozen=True)
class _Spare:
    """A request of the budget taken ahead (its row's id), to draw on until `until` (monotonic)."""

    id: int
    until: float


@dataclass
class _Written:
    """What a transaction gives back: the slots freed and the spare requests deleted."""

    freed: list[int]
    deleted: list[int]


class DatabaseCounts:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._lent: dict[int, str] = {}
        """Slots of requests in flight: token -> user."""
        self._kept: list[_Kept] = []
        self._spares: dict[str, list[_Spare]] = {}
        self._owed = _Written([], [])
        """Give-backs due that no transaction wrote yet."""
        self._paused: dict[str, float] = {}
        """Until when (monotonic) each user is paused, as this process last learnt it."""
        self._wake = threading.Event()
        self._writer: threading.Thread | None = None

    def take(self, user: str, gate: str, limit: int, window: float, lease: float) -> Admission | Busy:
        now = time.monotonic()
        with self._lock:
            paused = self._paused.get(user, 0.0) - now
            if paused > 0:
                return Held("paused", paused)
            kept = self._kept_slot(user, gate)
            if kept is not None and self._draw_spare(user, now):
                self._lent[kept.token] = user
                return Admitted(str(kept.token))
            owed = self._due(now, admitting=user)
            spare = SPARE_REQUESTS - len(self._spares.get(user, []))
            held = [*self._lent, *(k.token for k in self._kept), *([] if kept is None else [kept.token])]
        try:
            with self.db.transaction() as session:
                _lock(session, f"gate:{gate}", f"user:{user}")
                _give_back(session, owed)
                _renew(session, held, lease)
                answer, spare_ids = _admit(
                    session,
                    user,
                    gate,
                    limit=limit,
                    window=window,
                    lease=lease,
                    kept=None if kept is None else kept.token,
                    spare=spare,
                )
        except BaseException:
            with self._lock:
                self._owe(owed)
                if kept is not None:
                    self._kept.append(kept)
            raise
        with self._lock:
            if isinstance(answer, Admitted):
                self._lent[int(answer.token)] = user
                until = time.monotonic() + SPARE_SECONDS
                self._spares.setdefault(user, []).extend(_Spare(row, until) for row in spare_ids)
                self._start_writer()
            elif isinstance(answer, Held) and answer.reason == "paused":
                self._paused[user] = time.monotonic() + answer.seconds
        return answer

    def give_back(self, gate: str, token: str) -> None:
        with self._lock:
            user = self._lent.pop(int(token), None)
            if user is None:
                return
            self._kept.append(_Kept(int(token), user, gate, time.monotonic()))
            self._start_writer()

    def flush(self, *, everything: bool = True) -> None:
        """Give back what is due, or everything kept (at exit)."""
        with self._lock:
            owed = self._due(None if everything else time.monotonic())
        if not (owed.freed or owed.deleted):
            return
        try:
            with self.db.transaction() as session:
                _give_back(session, owed)
        except BaseException:
            with self._lock:
                self._owe(owed)
            raise

    def pause(self, user: str, seconds: float) -> None:
        with self._lock:
            self._paused[user] = max(self._paused.get(user, 0.0), time.monotonic() + seconds)
        until = time.time() + seconds
        with self.db.transaction() as session:
            _lock(session, f"user:{user}")
            pause = session.get(AutotaskPause, user)
            if pause is None:
                session.add(AutotaskPause(api_user=user, until=until))
            elif pause.until < until:
                pause.until = until

    def used(self, user: str, window: float) -> int:
        """Requests of the rolling window, the spare ones of busy processes included."""
        with self.db.transaction() as session:
            count = session.scalar(
                select(func.count())
                .select_from(AutotaskRequest)
                .where(AutotaskRequest.api_user == user, AutotaskRequest.sent_at > time.time() - window)
            )
        return count or 0

    def _kept_slot(self, user: str, gate: str) -> _Kept | None:
        for kept in reversed(self._kept):
            if kept.user == user and kept.gate == gate:
                self._kept.remove(kept)
                return kept
        return None

    def _draw_spare(self, user: str, now: float) -> bool:
        """Draw on one of the user's spare requests (its row stays: it is this request in the budget); those
        expired on the way are owed to the writer, to delete."""
        spares = self._spares.get(user, [])
        while spares:
            spare = spares.pop()
            if spare.until > now:
                return True
            self._owed.deleted.append(spare.id)
            self._wake.set()
        return False

    def _due(self, now: float | None, admitting: str | None = None) -> _Written:
        """Take out of the process's keeping what is to be given back (with `self._lock` held): the slots
        kept `SLOT_KEEP` (all when `now` is None), and the spare requests expired or of a user who holds no
        slot (but is not `admitting`)."""
        owed, self._owed = self._owed, _Written([], [])
        stale = [k for k in self._kept if now is None or k.since <= now - SLOT_KEEP]
        self._kept = [k for k in self._kept if k not in stale]
        owed.freed += [k.token for k in stale]
        holding = {*self._lent.values(), *(k.user for k in self._kept), admitting}
        for user, spares in self._spares.items():
            done = [s for s in spares if now is None or s.until <= now or user not in holding]
            owed.deleted += [s.id for s in done]
            spares[:] = [s for s in spares if s not in done]
        return owed

    def _owe(self, owed: _Written) -> None:
        self._owed.freed += owed.freed
        self._owed.deleted += owed.deleted

    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_due, name="autotask-give-back", daemon=True)
            self._writer.start()
            atexit.register(self._flush_or_log)
        self._wake.set()

    def _next_due(self) -> float | None:
        with self._lock:
            if self._owed.freed or self._owed.deleted:
                return time.monotonic()
            holding = {*self._lent.values(), *(k.user for k in self._kept)}
            due = [k.since + SLOT_KEEP for k in self._kept]
            for user, spares in self._spares.items():
                due += [s.until if user in holding else 0.0 for s in spares]
            return min(due, default=None)

    def _write_due(self) -> None:
        while True:
            due = self._next_due()
            # Woken, something may be due sooner (an admission meanwhile may have taken what was due).
            if self._wake.wait(None if due is None else max(0.0, due - time.monotonic())):
                self._wake.clear()
                continue
            if not self._flush_or_log(everything=False):
                self._wake.wait()  # the leases free what stays unwritten: try again with the next give-back
                self._wake.clear()

    def _flush_or_log(self, everything: bool = True) -> bool:
        try:
            self.flush(everything=everything)
        except Exception:  # the leases free the slots if the database stays away
            log.exception("Autotask request slots not given back: they free when their leases end")
            return False
        return True


def open_counts(database_url: str) -> DatabaseCounts:
    """Counts in the (migrated) database at `database_url`, through an engine of their own."""
    engine = create_database_engine(database_url)
    return DatabaseCounts(Database(engine, sessionmaker(engine)))


def _admit(
    session: Session,
    user: str,
    gate: str,
    *,
    limit: int,
    window: float,
    lease: float,
    kept: int | None,
    spare: int,
) -> tuple[Admission | Busy, list[int]]:
    """Admit a request in a slot of `gate`, the process's `kept` one or a free one, with up to `spare` spare
    requests beside it."""
    now = time.time()
    paused_until = session.scalar(_PAUSED_UNTIL, {"user": user})
    if paused_until is not None and paused_until > now:
        _give_back(session, _Written([] if kept is None else [kept], []))
        return Held("paused", paused_until - now), []
    if kept is None:
        in_flight = session.scalar(_IN_FLIGHT, {"gate": gate, "now": now})
        if (in_flight or 0) >= THREADS_PER_ENDPOINT:
            return BUSY, []
    session.execute(_FORGET_OLD, {"user": user, "before": now - window})
    sent, oldest = session.execute(_SENT, {"user": user}).one()
    if sent >= limit:
        _give_back(session, _Written([] if kept is None else [kept], []))
        return Held("budget", oldest + window - now), []
    # This request's row first: in flight in a new slot, or (a kept slot, renewed with the others held) a
    # request of the budget of its own. Then the spares: a tenth of what is left at most, so that near the
    # end of the budget every request is counted as it goes and no process's spares hold another's back.
    this = {
        "api_user": user,
        "gate": gate,
        "sent_at": now,
        "in_flight_until": None if kept is not None else now + lease,
    }
    spares = min(spare, (limit - sent - 1) // 10)
    rows = [this] + [this | {"in_flight_until": None} for _ in range(spares)]
    ids = list(session.scalars(_ADD, rows))
    return Admitted(str(kept if kept is not None else ids[0])), ids[1:]


def _give_back(session: Session, owed: _Written) -> None:
    if owed.freed:
        session.execute(update(_REQUESTS).where(_REQUESTS.c.id.in_(owed.freed)).values(in_flight_until=None))
    if owed.deleted:
        session.execute(delete(_REQUESTS).where(_REQUESTS.c.id.in_(owed.deleted)))


def _renew(session: Session, held: list[int], lease: float) -> None:
    """Extend the leases of the slots the process holds: one lent and kept without a transaction for longer
    than a lease stays counted."""
    if held:
        session.execute(
            update(_REQUESTS).where(_REQUESTS.c.id.in_(held)).values(in_flight_until=time.time() + lease)
        )


# Core, built once: a busy process's admissions and give-backs are all its bookkeeping, and no object of
# them is kept.
_REQUESTS = table_of(AutotaskRequest)
_PAUSES = table_of(AutotaskPause)
_PAUSED_UNTIL = select(_PAUSES.c.until).where(_PAUSES.c.api_user == bindparam("user"))
_IN_FLIGHT = (
    select(func.count())
    .select_from(_REQUESTS)
    .where(_REQUESTS.c.gate == bindparam("gate"), _REQUESTS.c.in_flight_until > bindparam("now"))
)
_FORGET_OLD = delete(_REQUESTS).where(
    _REQUESTS.c.api_user == bindparam("user"), _REQUESTS.c.sent_at <= bindparam("before")
)
_SENT = select(func.count(), func.min(_REQUESTS.c.sent_at)).where(_REQUESTS.c.api_user == bindparam("user"))
_ADD = insert(_REQUESTS).returning(_REQUESTS.c.id, sort_by_parameter_order=True)


def _lock(session: Session, *names: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in names:
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
