"""Turns to write a SQLite database, for every thread of every process that uses it.

SQLite lets one connection write at a time and keeps no queue: a connection that finds the write lock
taken sleeps in growing steps (up to 100 ms) and tries again. Under load a writer lost that race for
seconds (the trigger URL's store waited up to 3.6 s behind the worker's threads). So a write transaction
first takes its turn here: the threads of a process queue on a lock, and the processes on a lock of the
file beside the database, each started the moment the last ends. SQLite's own lock is still taken after
(it is what keeps the data safe); the turn only orders who asks for it. A turn not given within
`BUSY_SECONDS` fails as SQLite's wait would, with "database is locked".
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import exc

from fieldbridge.store.files import create_private_file

BUSY_SECONDS = 30.0
"""How long a write waits for its turn, and then SQLite's write lock, before it fails."""
_POLL_SECONDS = 0.0002
"""Between two asks for the file's lock. A process's own threads hand the turn to each other at once, so a
busy worker leaves another process only the gaps between its transactions (each a few milliseconds): asked
every 2 ms, the trigger URL's ack p99 at 200 requests/s was 51-106 ms in three benchmark runs, asked every
0.2 ms 37-44 ms. A waiting thread spends a few microseconds of CPU on each ask."""


class WriteTurns:
    def __init__(self, database_file: Path) -> None:
        self._threads = threading.Lock()
        turns = database_file.with_name(f"{database_file.name}-turn")
        create_private_file(turns)  # never the database file: closing it would drop SQLite's own locks
        self._fd = os.open(turns, os.O_RDWR)

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        deadline = time.monotonic() + BUSY_SECONDS
        if not self._threads.acquire(timeout=BUSY_SECONDS):
            raise _locked()
        try:
            while not _try_lock(self._fd):
                if time.monotonic() >= deadline:
                    raise _locked()
                time.sleep(_POLL_SECONDS)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        os.close(self._fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _locked() -> exc.OperationalError:
    return exc.OperationalError("BEGIN IMMEDIATE", None, TimeoutError("database is locked"))
