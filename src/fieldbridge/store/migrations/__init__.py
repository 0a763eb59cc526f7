"""Alembic migrations, shipped inside the package and applied by `store.database.migrate` on start."""
