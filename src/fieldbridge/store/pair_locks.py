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
from functools import cache

from sqlalchemy import BindParameter, bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from fieldbridge.store.tables import PairLock, table_of

_PAIR_LOCKS = table_of(PairLock)


def acquire(session: Session, keys: list[str], holder: str, now: datetime, until: datetime) -> bool:
    """Every key or none, in one statement: a key is taken when no lease is on it, its lease ran out, or
    `holder` has it already (renewed then). On a refusal the keys taken are given back."""
    taking = _taking(session.get_bind().dialect.name, len(keys))
    parameters: dict[str, object] = {f"key{n}": key for n, key in enumerate(keys)}
    parameters |= {"holder": holder, "until": until, "now": now}
    # The keys taken, not a row count: on PostgreSQL this statement reports none (-1).
    if len(session.scalars(taking, parameters).all()) == len(keys):
        return True
    release(session, holder, keys)
    return False


@cache
def _taking(dialect_name: str, count: int) -> ReturningInsert[tuple[str]]:
    """The statement taking `count` keys, built once: built for each event, it was compiled for each (a
    twentieth of a no-op event's CPU), where a statement built once is compiled once."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    until: BindParameter[datetime] = bindparam("until")
    rows = [
        {"key": bindparam(f"key{n}"), "holder": bindparam("holder"), "expires_at": until}
        for n in range(count)
    ]
    taking = dialect.insert(_PAIR_LOCKS).values(rows)
    taking = taking.on_conflict_do_update(
        index_elements=[_PAIR_LOCKS.c.key],
        set_={"holder": taking.excluded.holder, "expires_at": taking.excluded.expires_at},
        where=(_PAIR_LOCKS.c.expires_at < bindparam("now")) | (_PAIR_LOCKS.c.holder == bindparam("holder")),
    )
    returning: ReturningInsert[tuple[str]] = taking.returning(_PAIR_LOCKS.c.key)
    return returning


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
