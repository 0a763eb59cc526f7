"""Per-record locks as leases in the database: one worker at a time per ticket / work order pair.

A worker locks every record of the pair its event belongs to (the record alone until it is linked, both
records once linked). Linking a new partner record takes the partner's lock first (`acquire` with the same
holder), so a link naming a record is only ever made by the holder of that record's lock: an event that holds
its record's lock sees the record's pair as it is for as long as it holds it.

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


def acquire_all(session: Session, keys: list[str], holder: str, now: datetime, until: datetime) -> bool:
    """Every key or none: on a refusal the keys taken so far are given back."""
    for taken, key in enumerate(keys):
        if not acquire(session, key, holder, now, until):
            release(session, holder, keys[:taken])
            return False
    return True


def renew(session: Session, holder: str, held: int, until: datetime) -> bool:
    """Extend every lease of `holder`; False when fewer than the `held` leases it had are left."""
    result = session.execute(
        update(PairLock)
        .where(PairLock.holder == holder)
        .values(expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount >= held)  # type: ignore[attr-defined]


def release(session: Session, holder: str, keys: list[str] | None = None) -> None:
    """Give back the given leases of `holder`, or all of them (the end of one worker's processing run)."""
    query = delete(PairLock).where(PairLock.holder == holder)
    if keys is not None:
        query = query.where(PairLock.key.in_(keys))
    session.execute(query.execution_options(synchronize_session=False))
