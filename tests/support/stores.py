"""A SQLite store at the newest schema, made once per test process and copied for each test that needs an
empty one: migrating a new file takes a second of disk syncs on a busy machine, a copy a tenth of that."""

from __future__ import annotations

import shutil
from pathlib import Path

from cryptography.fernet import Fernet

from fieldbridge.settings import Settings
from fieldbridge.store.database import open_database

STORE_FILE = "fieldbridge.db"
"""The file a data directory's store is in when the settings name no database."""


def migrated_store(directory: Path) -> Path:
    """Make a store at the newest schema in `directory`; its file."""
    settings = Settings(data_dir=directory, master_key=Fernet.generate_key().decode())
    open_database(settings).dispose()
    return settings.data_dir / STORE_FILE


def copy_store(template: Path, data_dir: Path) -> Path:
    """`template` copied as the store of `data_dir` (opening it still runs the migrations: none is left)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(template, data_dir / STORE_FILE))
