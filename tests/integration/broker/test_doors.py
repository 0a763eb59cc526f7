"""The doors' connector lookups are remembered for a second, forgotten at once when this process commits a
change to a connector or a client token, and never remembered when nothing was found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from fieldbridge.settings import Settings
from fieldbridge.store import client_tokens, connectors, doors
from fieldbridge.store.database import Database
from fieldbridge.store.doors import Door, DoorCache
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.store.tables import Connector

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountedReads:
    """`doors.for_token` on the store, counting how often the cache asked."""

    def __init__(self, db: Database, token: str) -> None:
        self.db, self.token, self.count = db, token, 0

    def __call__(self) -> Door | None:
        self.count += 1
        with self.db.read_rows() as connection:
            return doors.for_token(connection, self.token)


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return SecretBox(load_master_key(settings))


@pytest.fixture
def token(db: Database, box: SecretBox) -> str:
    new = connectors.NewConnector.model_validate({"name": "acme", "autotask_username": "svc@acme.example"})
    with db.transaction() as session:
        return client_tokens.rotate(session, connectors.create(session, box, new, NOW), NOW)


def test_a_door_found_is_read_once_a_second(db: Database, token: str) -> None:
    clock, read = Clock(), CountedReads(db, token)
    cache = DoorCache(clock)
    key = doors.token_key(token)
    first = cache.door(key, read)
    assert first is not None
    assert first.service_object == "ticket"
    clock.now += doors.REMEMBERED_SECONDS - 0.01
    assert cache.door(key, read) == first
    assert read.count == 1
    # A change this process did not commit (another process's): seen once the second is over.
    with db.engine.begin() as connection:
        connection.execute(update(Connector).values(service_object="ServiceCall"))
    assert cache.door(key, read) == first
    clock.now += 0.02
    again = cache.door(key, read)
    assert again is not None
    assert again.service_object == "ServiceCall"
    assert read.count == 2


def test_a_refused_caller_is_looked_up_every_time(db: Database, token: str) -> None:
    wrong = f"{token[:-1]}{'x' if token[-1] != 'x' else 'y'}"
    read = CountedReads(db, wrong)
    cache = DoorCache(Clock())
    assert [cache.door(doors.token_key(wrong), read) for _ in range(3)] == [None] * 3
    assert read.count == 3


def test_a_rotation_committed_here_refuses_the_old_token_at_once(
    db: Database, box: SecretBox, token: str
) -> None:
    cache = DoorCache(Clock())
    read = CountedReads(db, token)
    assert cache.door(doors.token_key(token), read) is not None
    with db.transaction() as session:
        connector = connectors.get(session, "acme")
        assert connector is not None
        client_tokens.rotate(session, connector, NOW)
    assert cache.door(doors.token_key(token), read) is None


def test_a_change_rolled_back_keeps_what_is_remembered(db: Database, token: str) -> None:
    cache = DoorCache(Clock())
    read = CountedReads(db, token)
    cache.door(doors.token_key(token), read)

    def change_then_fail() -> None:
        with db.transaction() as session:
            connector = connectors.get(session, "acme")
            assert connector is not None
            connector.service_object = "ServiceCall"
            session.flush()
            raise RuntimeError("stop before the commit")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert cache.door(doors.token_key(token), read) is not None
    assert read.count == 1
