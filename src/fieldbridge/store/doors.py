"""What the doors (trigger URL, Field Nation webhooks) read of a connector to let a notice in, and the
cache that spares most requests of a burst that read.

Reading the connector was two fifths of an accept's CPU. A door is remembered for `REMEMBERED_SECONDS`
and forgotten at once when this process commits a change to any connector or client token; a change
committed by another process (a CLI command beside `serve`) is seen within `REMEMBERED_SECONDS`. Only
doors that were found are remembered: a refused caller is looked up every time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import Connection, bindparam, event, select
from sqlalchemy.orm import Session, UOWTransaction

from fieldbridge.store import tokens
from fieldbridge.store.tables import ClientToken, Connector

REMEMBERED_SECONDS = 1.0
"""How long a door found is used without reading it again, unless this process changes a connector."""
MOST_REMEMBERED = 1024
"""Doors remembered at most (a few per connector in practice); past it, all are forgotten."""


@dataclass(frozen=True)
class Door:
    connector_id: int
    service_object: str
    autotask_webhook_secret_sealed: str | None
    fieldnation_webhook_secret_sealed: str | None


# Built once: building a statement costs more than running it.
_COLUMNS = (
    Connector.id,
    Connector.service_object,
    Connector.autotask_webhook_secret_encrypted,
    Connector.fieldnation_webhook_secret_encrypted,
)
_BY_NAME = select(*_COLUMNS).where(Connector.name == bindparam("name"))
_BY_SELECTOR = (
    select(ClientToken.verifier_hash, *_COLUMNS)
    .join(Connector, Connector.id == ClientToken.connector_id)
    .where(ClientToken.selector == bindparam("selector"), ClientToken.revoked_at.is_(None))
)


def named(connection: Connection, name: str) -> Door | None:
    row = connection.execute(_BY_NAME, {"name": name}).one_or_none()
    return None if row is None else Door(*row)


def for_token(connection: Connection, token: str | None) -> Door | None:
    """The connector whose live client token is `token`, checked as `tokens.lookup` checks a token."""
    presented = tokens.parse(token)
    row = connection.execute(_BY_SELECTOR, {"selector": presented.selector}).one_or_none()
    matches = tokens.verifier_matches(None if row is None else row.verifier_hash, presented)
    return Door(*row[1:]) if row is not None and matches else None


def token_key(token: str) -> Hashable:
    """What a client token is remembered by: its digest, so the cache holds no usable token."""
    return ("token", hashlib.sha256(token.encode("utf-8")).digest())


class DoorCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._doors: dict[Hashable, tuple[Door, int, float]] = {}

    def remembered(self, key: Hashable) -> Door | None:
        """The door remembered under `key`, if it is still good."""
        remembered = self._doors.get(key)
        if remembered is None:
            return None
        door, generation, until = remembered
        return door if generation == _changes.generation and self._clock() < until else None

    def door(self, key: Hashable, read: Callable[[], Door | None]) -> Door | None:
        """The door remembered under `key`, or what `read` finds (remembered if found)."""
        door = self.remembered(key)
        if door is not None:
            return door
        generation = _changes.generation  # taken before the read: a change committed during it forgets it
        until = self._clock() + REMEMBERED_SECONDS
        found = read()
        if found is not None:
            if len(self._doors) >= MOST_REMEMBERED:
                self._doors.clear()
            self._doors[key] = (found, generation, until)
        return found


class _Changes:
    """Counts this process's commits that changed a connector or a client token."""

    def __init__(self) -> None:
        self.generation = 0
        self._lock = threading.Lock()

    def committed(self) -> None:
        with self._lock:
            self.generation += 1


_changes = _Changes()
_CHANGED = "fieldbridge.doors_changed"


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _: UOWTransaction) -> None:
    # The session's new, dirty and deleted still hold what this flush wrote.
    written = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(row, (Connector, ClientToken)) for row in written):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _count_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        _changes.committed()


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, _: Any) -> None:
    session.info.pop(_CHANGED, None)
