"""Per-pair locks as leases in the database: one worker at a time per ticket / work order pair.

Why a table and not a Redis lock: the embedded deployment has no Redis, and one mechanism for both keeps
one behaviour to test. The database is already the one thing every worker shares; a lease row is visible
to an operator (`SELECT * FROM pair_locks`); and a crashed worker's lease simply runs out (`lease_seconds`),
after which any worker may take the pair. Workers renew their leases while they work, so only a worker that
stopped renewing (crashed, hung, cut off) ever loses one. Expiry uses the workers' clocks, which therefore
must agree to well within a lease (NTP).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldbridge.store.tables import PairLock


def acquire(session: Session, key: str, holder: str, now: datetime, until: datetime) -> bool:
    try:
        with session.begin_nested():
            session.execute(insert(PairLock).values(key=key, holder=holder, expires_at=until))
        return True
    except IntegrityError:
        # Someone holds or held it: take it over only if their lease ran out.
        result = session.execute(
            update(PairLock)
            .where(PairLock.key == key, PairLock.expires_at < now)
            .values(holder=holder, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def renew(session: Session, key: str, holder: str, until: datetime) -> bool:
    result = session.execute(
        update(PairLock)
        .where(PairLock.key == key, PairLock.holder == holder)
        .values(expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(session: Session, key: str, holder: str) -> None:
    session.execute(
        delete(PairLock)
        .where(PairLock.key == key, PairLock.holder == holder)
        .execution_options(synchronize_session=False)
    )
