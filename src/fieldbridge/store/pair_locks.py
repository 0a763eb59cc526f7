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

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fieldbridge.store.tables import PairLock


def acquire(session: Session, keys: list[str], holder: str, now: datetime, until: datetime) -> bool:
    """Every key or none, in one statement: a key is taken when no lease is on it, its lease ran out, or
    `holder` has it already (renewed then). On a refusal the keys taken are given back."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [{"key": key, "holder": holder, "expires_at": until} for key in keys]
    taking = dialect.insert(PairLock).values(rows)
    taking = taking.on_conflict_do_update(
        index_elements=[PairLock.key],
        set_={"holder": taking.excluded.holder, "expires_at": taking.excluded.expires_at},
        where=(PairLock.expires_at < now) | (PairLock.holder == holder),
    )
    # The keys taken, not a row count: on PostgreSQL this statement reports none (-1).
    if len(session.scalars(taking.returning(PairLock.key)).all()) == len(keys):
        return True
    release(session, holder, keys)
    return False


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
