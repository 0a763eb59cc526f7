"""Alembic environment: runs on the connection `store.database.migrate` hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from fieldbridge.store.tables import Base

connection = context.config.attributes["connection"]
# Batch mode lets later migrations alter SQLite tables (it rebuilds them); a no-op on PostgreSQL.
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
