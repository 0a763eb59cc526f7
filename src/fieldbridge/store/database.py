"""Opening the database: engine settings per dialect, migrations to the current schema, transactions.

SQLite is used by several threads (HTTP handlers, queue workers, the sweeper) and sometimes several
processes at once, so every connection runs in WAL mode with a busy timeout. A transaction that may write
starts with BEGIN IMMEDIATE: it takes the write lock up front instead of failing with "database is locked"
when a reader later tries to write. One that only reads (`Database.read`) starts with a plain BEGIN and
takes no lock: in WAL mode it reads a snapshot while writers go on, so reads never queue behind writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from fieldbridge.settings import Settings
from fieldbridge.store.files import prepare_sqlite_file, private_directory
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.store.write_turns import BUSY_SECONDS, WriteTurns

MIGRATIONS = "fieldbridge.store:migrations"

READ_ONLY = "fieldbridge_read_only"
"""The execution option that marks the connections of `Database.read`."""
LONE_STATEMENT = "fieldbridge_lone_statement"
"""The execution option that marks the connections of `Database.read_rows`: one statement, which SQLite runs
as its own transaction, so no BEGIN is sent for it."""


SQLITE_POOL = 48


def create_database_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    # Connections are kept for every thread that may use one at once (the server's thread pool holds 40):
    # beyond SQLAlchemy's default of 5, each burst opened and closed connections, a tenth of an accept's CPU.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS},
        pool_size=SQLITE_POOL,
        max_overflow=-1,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below instead of the sqlite3 module's own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"busy_timeout={int(BUSY_SECONDS * 1000)}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if not options.get(LONE_STATEMENT, False):
            connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE")

    return engine


@cache
def newest_revision() -> str:
    """The newest migration: each migration's revision is its file's number (a test holds them to alembic's
    own head). Read from the file names, so a store already there is checked without importing alembic, its
    templates and its highlighter: a third of a second of every command's start on a slow core."""
    versions = Path(__file__).with_name("migrations") / "versions"
    return max(path.name[:4] for path in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def lock_for_migration(connection: Connection) -> None:
    """Serialise concurrent starts on this schema (a deployment's) until the transaction ends; SQLite gets the
    same from BEGIN IMMEDIATE. Keyed by the schema, so deployments in other schemas of the database (and test
    processes, each in schemas of its own) start meanwhile."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(7283401, hashtext(current_schema()))"))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe when several processes start at once. A store already
    there is only asked its revision: every command opens the store, and the upgrade machinery would read
    every migration script to find nothing to do."""
    with engine.begin() as connection:
        lock_for_migration(connection)
        if _current_revision(connection) == newest_revision():
            return
        from alembic import command  # only an upgrade needs it (see newest_revision)
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    _read_engine: Engine = field(init=False, repr=False)
    _rows_engine: Engine = field(init=False, repr=False)
    _reads: sessionmaker[Session] = field(init=False, repr=False)
    _write_turns: WriteTurns | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        read_engine = self.engine.execution_options(**{READ_ONLY: True})
        object.__setattr__(self, "_read_engine", read_engine)
        object.__setattr__(self, "_rows_engine", read_engine.execution_options(**{LONE_STATEMENT: True}))
        object.__setattr__(self, "_reads", sessionmaker(**{**self.sessions.kw, "bind": read_engine}))
        database_file = self.engine.url.database if self.local else None
        turns = WriteTurns(Path(database_file)) if database_file not in (None, "", ":memory:") else None
        object.__setattr__(self, "_write_turns", turns)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits when the block ends and rolls back if it raises. On SQLite it
        first waits for its turn to write (`write_turns`)."""
        turn = self._write_turns.turn() if self._write_turns else contextlib.nullcontext()
        with turn, self.sessions.begin() as session:
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: on SQLite it takes no lock, so it neither waits for a writer nor
        holds one up. Writing in it is an error (SQLite would have to upgrade its snapshot, which fails
        with "database is locked" once another connection has written)."""
        with self._reads.begin() as session:
            yield session

    @property
    def local(self) -> bool:
        """Whether a lone read never waits on the network or for a writer (SQLite in WAL mode): an async
        caller may run it on its own thread rather than hand it to another."""
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def read_rows(self) -> Iterator[Connection]:
        """As `read`, for one Core query that needs no ORM objects: a fraction of a session's cost, for what
        every request reads (the doors' connector lookup). One statement: on SQLite it is not wrapped in a
        transaction of its own (a second statement could see a later commit than the first)."""
        with self._rows_engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_turns is not None:
            self._write_turns.close()


class NoDatabase(LookupError):
    """The settings point at no FieldBridge database, and the command is not one that makes it."""

    def __init__(self, where: str) -> None:
        super().__init__(f"There is no FieldBridge database at {where}.")
        self.where = where


def open_database(settings: Settings, *, run_migrations: bool = True, create: bool = True) -> Database:
    """`create=False`: raise NoDatabase rather than make a new, empty database (a command run from another
    directory would otherwise find nothing, silently)."""
    if not create:
        _must_exist(settings.database_url)
    private_directory(settings.data_dir)
    prepare_sqlite_file(settings.database_url)
    engine = create_database_engine(settings.database_url)
    if not create and not inspect(engine).has_table("alembic_version"):
        engine.dispose()
        raise NoDatabase(make_url(settings.database_url).render_as_string(hide_password=True))
    if run_migrations:
        migrate(engine)
    # Objects stay readable after commit: callers hand them to HTTP responses and handlers.
    return Database(engine, sessionmaker(engine, expire_on_commit=False))


def _must_exist(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).absolute()
        if not path.is_file():
            raise NoDatabase(str(path))


def open_store(settings: Settings, *, create: bool = True) -> tuple[Database, SecretBox]:
    """The database (migrated) and the box that opens the secrets stored in it under the master key; with
    `create=False`, neither a new database nor a new master key is made."""
    db = open_database(settings, create=create)
    return db, SecretBox(load_master_key(settings, generate=create))
