"""The data directory and the files in it, readable by the service's own user only, whatever the umask.

The modes are set with chmod after creation: a process started with a loose umask (0o000, or 0o022, which
leaves files world-readable) would otherwise create a database anyone on the machine can copy.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import make_url

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def private_directory(path: Path) -> None:
    """Create `path` (and any missing parents, which get the usual modes) as 0700. An existing directory
    keeps its mode: it may be one an operator prepared, and tightening it is theirs to decide."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=DIRECTORY_MODE)
    except FileExistsError:
        return
    os.chmod(path, DIRECTORY_MODE)


def create_private_file(path: Path, content: bytes = b"") -> bool:
    """Create `path` as 0600 holding `content`; False (and nothing written) when it exists already.

    O_EXCL makes the creation atomic: when `serve` and a worker start together, one creates, both use it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(content)
    return True


def prepare_sqlite_file(url: str) -> None:
    """For a SQLite URL, create the database file as 0600 before SQLite opens it: SQLite then gives its
    `-wal` and `-shm` files the same mode. Other URLs (PostgreSQL, in-memory SQLite) need nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private_file(path)
