"""One statement that writes a row whether or not it exists yet (INSERT ... ON CONFLICT DO UPDATE), on SQLite
and PostgreSQL alike: where the ORM reads the row, then inserts or updates it and flushes, in several
statements and several times the CPU."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


@cache
def upsert(dialect_name: str, table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> Insert:
    """The row of `key` and `columns`, each a bound parameter of its name, inserted, or updated where a row
    with the same `key` (a unique constraint's columns) exists. Built once per table and dialect: building a
    statement costs more than running it."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table).values({name: bindparam(name) for name in (*key, *columns)})
    updated = {name: statement.excluded[name] for name in columns}
    upserted: Insert = statement.on_conflict_do_update(index_elements=list(key), set_=updated)
    return upserted
