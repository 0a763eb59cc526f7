"""Databases and apps for the broker tests: SQLite files, and PostgreSQL schemas when it answers.

Each PostgreSQL test gets a schema of its own (named in the URL's search_path, so worker subprocesses land
in it too) and each Redis test a queue name of its own, so tests never see each other's rows or messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from fieldbridge.settings import Settings
from fieldbridge.store.database import Database, create_database_engine, migrate, open_database
from fieldbridge.store.tables import Base
from tests.support.served import Served, serve
from tests.support.services import fresh_schema, in_schema
from tests.support.stores import copy_store


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    with fresh_schema(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_shared_url(postgres_url: str) -> Iterator[str]:
    """One migrated schema for the in-process tests, emptied before each (faster than a schema each)."""
    schema = f"shared_{uuid.uuid4().hex[:8]}"
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = in_schema(postgres_url, schema)
    migrate(create_database_engine(url))
    yield url
    with engine.connect() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database at the newest schema and empty: a copy of the migrated SQLite store, or the shared
    PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{copy_store(request.getfixturevalue('migrated_store'), tmp_path)}"
    url: str = request.getfixturevalue("postgres_shared_url")
    engine = create_database_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema at all, for the tests of the migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'blank.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        master_key=Fernet.generate_key().decode(),
        public_base_url="https://bridge.example.test",
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_database(settings)
    yield database
    database.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served_on_each_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """As `served`, once on SQLite and once on PostgreSQL (a schema of its own): for what only PostgreSQL
    refuses (NUL characters, over-long strings, 32-bit integers)."""
    with ExitStack() as stack:
        database_url = ""
        if request.param == "postgresql":
            database_url = stack.enter_context(fresh_schema(request.getfixturevalue("postgres_url")))
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("served"),
            database_url=database_url,
            master_key=Fernet.generate_key().decode(),
            public_base_url="https://bridge.example.test",
            inbound_max_bytes=16384,
            admin_max_bytes=65536,
        )
        yield stack.enter_context(serve(settings))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One app per test module (SQLite, receiving only: nothing consumes its queue); tests use their own
    connectors. The PostgreSQL + Redis runs are in the process tests."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("served"),
        master_key=Fernet.generate_key().decode(),
        public_base_url="https://bridge.example.test",
        inbound_max_bytes=4096,
    )
    with serve(settings) as app:
        yield app


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzz test's totals (cases run, answers 5xx) at the end of the run, so they can be quoted."""
    reports = [*terminalreporter.stats.get("passed", []), *terminalreporter.stats.get("failed", [])]
    for report in reports:
        for name, value in getattr(report, "user_properties", []):
            if name == "fuzz_totals":
                terminalreporter.write_line(f"fuzz totals, {report.nodeid}: {value}")
