"""Migrations: they build exactly the tables the code declares, on SQLite and PostgreSQL, also when
several processes start at the same moment."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

import fieldbridge.sync.tables  # noqa: F401 (the sync flows declare their tables on the same Base)
from fieldbridge.store import connectors
from fieldbridge.store.database import (
    MIGRATIONS,
    Database,
    create_database_engine,
    lock_for_migration,
    migrate,
    newest_revision,
)
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import Base
from tests.support.services import fresh_schema


def test_migrations_match_the_declared_tables(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_the_newest_revision_read_from_the_file_names_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_migrating_again_changes_nothing(db: Database) -> None:
    before = sorted(inspect(db.engine).get_table_names())
    migrate(db.engine)
    assert sorted(inspect(db.engine).get_table_names()) == before
    assert "inbox_events" in before


def test_concurrent_starts_migrate_once(blank_database_url: str) -> None:
    engines = [create_database_engine(blank_database_url) for _ in range(3)]
    errors: list[BaseException] = []

    def start(engine_index: int) -> None:
        try:
            migrate(engines[engine_index])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert "connectors" in inspect(engines[0]).get_table_names()
    for engine in engines:
        engine.dispose()


def test_a_start_on_one_schema_never_waits_for_a_migration_on_another(
    postgres_url: str, postgres_schema_url: str
) -> None:
    """Deployments (and test processes) sharing a PostgreSQL database, each in a schema, start at once."""
    ours = create_database_engine(postgres_schema_url)
    with fresh_schema(postgres_url) as other_url:
        other = create_database_engine(other_url)
        with other.begin() as migrating:  # another schema's start, holding its migration lock meanwhile
            lock_for_migration(migrating)
            start = threading.Thread(target=migrate, args=(ours,))
            start.start()
            start.join(timeout=30)
            finished = not start.is_alive()
        start.join()
        other.dispose()
    assert finished, "the start waited for another schema's migration"
    assert "connectors" in inspect(ours).get_table_names()
    ours.dispose()


def test_pairs_synced_before_labels_existed_are_labelled_from_their_snapshot(blank_database_url: str) -> None:
    engine = create_database_engine(blank_database_url)
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
        with Session(bind=connection) as session:  # the connectors table is the same at 0010 and now
            box = SecretBox(Fernet.generate_key())
            new = connectors.NewConnector.model_validate({"name": "acme", "autotask_username": "svc@x"})
            connector = connectors.create(session, box, new, datetime.now(UTC))
            session.flush()
            connector_id = connector.id
        connection.execute(
            text(
                "INSERT INTO links (id, connector_id, autotask_entity, autotask_id, fieldnation_entity,"
                " fieldnation_id, fingerprint, synced_at) VALUES (5, :connector, 'Ticket', 7002, 'workorder',"
                " 90001, 'f', :now)"
            ),
            {"connector": connector_id, "now": datetime(2026, 12, 1, 9, 0)},
        )
        record = {"ticketNumber": "T20261120.0002", "title": "Install two workstations"}
        connection.execute(
            text("INSERT INTO sync_pair_snapshots (link_id, state) VALUES (5, :state)"),
            {"state": json.dumps({"record": record})},
        )
        command.upgrade(config, "head")
        labels = connection.execute(text("SELECT link_id, ticket_number, title FROM sync_pair_labels")).all()
    engine.dispose()
    assert [tuple(row) for row in labels] == [(5, "T20261120.0002", "Install two workstations")]
