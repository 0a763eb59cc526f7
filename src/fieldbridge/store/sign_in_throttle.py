"""Sign-in throttling: failed sign-ins counted in the database, per name tried and per client address, so
the count holds across processes and restarts; enough of them lock the name or the address for a while.

A name is counted whether an admin has it or not, so a lockout says nothing about which names exist. It is
kept as its SHA-256: a password typed into the name box by mistake is not stored as typed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fieldbridge.settings import SignInSettings
from fieldbridge.store.tables import SignInThrottle

Kind = Literal["username", "address"]


@dataclass(frozen=True)
class Lockout:
    kind: Kind
    """What is locked: the name tried, or the address it came from."""
    until: datetime


def username_subject(username: str) -> str:
    return "user:" + hashlib.sha256(username.encode("utf-8")).hexdigest()


def address_subject(address: str) -> str:
    return "address:" + address[:72]


def lockout(session: Session, username: str, address: str | None, now: datetime) -> Lockout | None:
    """The lockout in force on this name or this address; the one that ends last when both are locked."""
    kinds = _subjects(username, address)
    rows = session.scalars(
        select(SignInThrottle).where(
            SignInThrottle.subject.in_(list(kinds)), SignInThrottle.locked_until > now
        )
    )
    found = [Lockout(kinds[row.subject], row.locked_until) for row in rows if row.locked_until]
    return max(found, key=lambda lock: lock.until, default=None)


def record_failure(
    session: Session, username: str, address: str | None, now: datetime, limits: SignInSettings
) -> Lockout | None:
    """Count a failed sign-in against the name and the address; the lockout it starts, if any."""
    window, hold = timedelta(seconds=limits.window_seconds), timedelta(seconds=limits.lockout_seconds)
    _forget_stale(session, now, window)
    thresholds = {"username": limits.user_failures, "address": limits.address_failures}
    started = []
    for subject, kind in _subjects(username, address).items():
        row = _row(session, subject, now)
        if now - row.window_started_at >= window:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= thresholds[kind]:
            # The count starts again, so after the lockout the next failures are counted anew.
            row.failures, row.window_started_at, row.locked_until = 0, now, now + hold
            started.append(Lockout(kind, row.locked_until))
    return max(started, key=lambda lock: lock.until, default=None)


def record_success(session: Session, username: str) -> None:
    """The name's failures are forgotten. The address's are not: one good account must not reset the count
    of an address that tries many names."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.subject == username_subject(username)))


def unlock(session: Session, subject: str, now: datetime) -> bool:
    """Lift the lockout of `subject` (`username_subject` or `address_subject`) and forget its failures;
    True if a lockout was in force."""
    until = session.scalars(
        delete(SignInThrottle).where(SignInThrottle.subject == subject).returning(SignInThrottle.locked_until)
    ).one_or_none()
    return until is not None and until > now


def _subjects(username: str, address: str | None) -> dict[str, Kind]:
    subjects: dict[str, Kind] = {username_subject(username): "username"}
    if address:
        subjects[address_subject(address)] = "address"
    return subjects


def _row(session: Session, subject: str, now: datetime) -> SignInThrottle:
    row = session.scalars(
        select(SignInThrottle).where(SignInThrottle.subject == subject).with_for_update()
    ).one_or_none()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = SignInThrottle(subject=subject, failures=0, window_started_at=now, locked_until=None)
            session.add(row)
        return row
    except IntegrityError:
        return _row(session, subject, now)  # another process counted a first failure at the same moment


def _forget_stale(session: Session, now: datetime, window: timedelta) -> None:
    """Rows whose failures are out of the window and whose lockout is over count for nothing: drop them, so
    names tried once do not pile up."""
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.window_started_at <= now - window,
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        )
    )
