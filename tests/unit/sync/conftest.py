"""A migrated SQLite store made once per session and copied for each flow test, one connector in it, and the
in-memory fakes of both services (tests/unit/sync/flows.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.orm import sessionmaker

from fieldbridge.settings import Settings
from fieldbridge.store import connectors
from fieldbridge.store.database import Database, create_database_engine, open_database
from fieldbridge.store.secrets import SecretBox
from tests.unit.sync.fakes import FakeAutotask, FakeFieldNation
from tests.unit.sync.flows import TICKET_FIELDS, Flows


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store at the newest schema, to copy: migrating one per test would take most of its time."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("migrated"), master_key=Fernet.generate_key().decode()
    )
    open_database(settings).dispose()
    return settings.data_dir / "fieldbridge.db"


@pytest.fixture
def flows(migrated_store: Path, tmp_path: Path) -> Iterator[Flows]:
    copy = tmp_path / "fieldbridge.db"
    shutil.copyfile(migrated_store, copy)
    engine = create_database_engine(f"sqlite:///{copy}")
    db = Database(engine, sessionmaker(engine, expire_on_commit=False))
    box = SecretBox(Fernet.generate_key())
    new = connectors.NewConnector.model_validate({"name": "acme", "autotask_username": "svc@acme.example"})
    with db.transaction() as session:
        config = connectors.config(connectors.create(session, box, new, datetime.now(UTC)), box, None)
    yield Flows(db, config, FakeAutotask({"Tickets": TICKET_FIELDS}), FakeFieldNation())
    engine.dispose()
