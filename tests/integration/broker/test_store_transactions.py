"""Transactions on SQLite: a read takes no lock, so it neither waits for a writer nor holds one up; the
writers of one process take turns, each starting when the last ends, and one given no turn in time says so."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import exc, func, select
from sqlalchemy.orm import Session

from fieldbridge.settings import Settings
from fieldbridge.store import inbox, write_turns
from fieldbridge.store.database import Database, open_database
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import InboxEvent
from tests.integration.broker.store_helpers import NOW, add_connector, ticket_hint

DEADLINE = 10.0
"""Far below SQLite's busy timeout (30 s): a blocked writer or reader would still be waiting."""


def _sqlite(tmp_path: Path) -> Database:
    return open_database(Settings(data_dir=tmp_path, master_key=Fernet.generate_key().decode()))


def _finishes(work: Callable[[], None]) -> bool:
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(DEADLINE)


def _add_event(session: Session, connector_id: int, record_id: int) -> None:
    event = InboxEvent(
        connector_id=connector_id,
        source="trigger",
        system="autotask",
        entity="Ticket",
        record_id=record_id,
        status="received",
        attempts=0,
        received_at=NOW,
    )
    session.add(event)
    session.flush()


def _count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(InboxEvent)) or 0


def test_a_read_in_progress_does_not_block_a_writer(tmp_path: Path) -> None:
    db = _sqlite(tmp_path)
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    try:
        with db.read() as session:
            before = session.scalar(select(func.count()).select_from(InboxEvent))
            assert _finishes(lambda: inbox.accept(db, connector_id, ticket_hint(1), NOW))
            # The read goes on with the snapshot it began with.
            assert session.scalar(select(func.count()).select_from(InboxEvent)) == before
        assert _count(db) == 1
    finally:
        db.dispose()


def test_a_write_in_progress_does_not_block_a_read(tmp_path: Path) -> None:
    db = _sqlite(tmp_path)
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    try:
        inbox.accept(db, connector_id, ticket_hint(1), NOW)
        with db.transaction() as session:
            _add_event(session, connector_id, 2)  # the write lock is held from BEGIN IMMEDIATE on
            counted: list[int] = []
            assert _finishes(lambda: counted.append(_count(db)))
            assert counted == [1]  # the uncommitted row is not seen
    finally:
        db.dispose()


def test_writers_of_one_process_take_turns_and_every_write_lands(tmp_path: Path) -> None:
    db = _sqlite(tmp_path)
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    inside, most, turns = 0, 0, threading.Lock()

    def write(record_id: int) -> None:
        nonlocal inside, most
        with db.transaction() as session:
            with turns:
                inside += 1
                most = max(most, inside)
            _add_event(session, connector_id, record_id)
            with turns:
                inside -= 1

    try:
        writers = [threading.Thread(target=write, args=(n,)) for n in range(1, 17)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(DEADLINE)
        assert _count(db) == 16
        assert most == 1
    finally:
        db.dispose()


def test_a_write_that_gets_no_turn_in_time_fails_as_locked_and_the_holder_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write_turns, "BUSY_SECONDS", 0.2)
    db = _sqlite(tmp_path)
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    refused: list[Exception] = []

    def late() -> None:
        try:
            inbox.accept(db, connector_id, ticket_hint(2), NOW)
        except exc.OperationalError as error:
            refused.append(error)

    try:
        with db.transaction() as session:
            _add_event(session, connector_id, 1)
            assert _finishes(late)
        (error,) = refused
        assert "database is locked" in str(error)
        assert _count(db) == 1
    finally:
        db.dispose()
