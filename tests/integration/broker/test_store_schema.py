"""Migrations: they build exactly the tables the code declares, on SQLite and PostgreSQL, also when
several processes start at the same moment."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import fieldbridge.sync.tables  # noqa: F401 (the sync flows declare their tables on the same Base)
from fieldbridge.store.database import Database, create_database_engine, migrate
from fieldbridge.store.tables import Base


def test_migrations_match_the_declared_tables(db: Database) -> None:
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


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
