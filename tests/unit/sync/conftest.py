"""A copy of the session's migrated SQLite store (tests/conftest.py) for each flow test, one connector in it,
and the in-memory fakes of both services (tests/unit/sync/flows.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.orm import sessionmaker

from fieldbridge.store import connectors
from fieldbridge.store.database import Database, create_database_engine
from fieldbridge.store.secrets import SecretBox
from tests.support.stores import copy_store
from tests.unit.sync.fakes import FakeAutotask, FakeFieldNation
from tests.unit.sync.flows import TICKET_FIELDS, Flows


@pytest.fixture
def flows(migrated_store: Path, tmp_path: Path) -> Iterator[Flows]:
    copy = copy_store(migrated_store, tmp_path)
    engine = create_database_engine(f"sqlite:///{copy}")
    db = Database(engine, sessionmaker(engine, expire_on_commit=False))
    box = SecretBox(Fernet.generate_key())
    new = connectors.NewConnector.model_validate({"name": "acme", "autotask_username": "svc@acme.example"})
    with db.transaction() as session:
        config = connectors.config(connectors.create(session, box, new, datetime.now(UTC)), box, None)
    yield Flows(db, config, FakeAutotask({"Tickets": TICKET_FIELDS}), FakeFieldNation())
    engine.dispose()
