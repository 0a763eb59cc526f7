"""The queue from receivers to workers: huey, on a SQLite file (embedded) or on Redis (shared).

A message carries only an inbox event id. The inbox row is the truth about the event; the queue only says
"look at event N (at time T)". So a lost message costs a delay until the sweeper notices, and a duplicate
message costs nothing: whoever comes second finds the event claimed or finished.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from sqlalchemy import make_url

from fieldbridge.settings import Settings
from fieldbridge.store.files import create_private_file

TASK_NAME = "fieldbridge.process_event"


def build_huey(settings: Settings) -> Huey:
    url = settings.queue_url
    if url.startswith("sqlite:"):
        path = Path(make_url(url).database or "queue.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private_file(path)  # 0600 before SQLite opens it, as the database (store.files)
        return SqliteHuey(settings.queue_name, filename=str(path), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(settings.queue_name, url=url, results=False)
    raise ValueError(f"queue URL {url!r} is neither sqlite:///PATH nor redis://HOST:PORT/DB")


class EventQueue:
    def __init__(self, settings: Settings) -> None:
        self.huey = build_huey(settings)
        self._process: Callable[[int], None] | None = None
        self._task = self.huey.task(name=TASK_NAME)(self._run)

    def enqueue(self, event_id: int, delay: float = 0.0) -> None:
        if delay > 0:
            self._task.schedule(args=(event_id,), delay=delay)
        else:
            self._task(event_id)

    def consume_with(self, process: Callable[[int], None]) -> None:
        """Make this process a consumer: messages taken from the queue go to `process`."""
        self._process = process

    def pending(self) -> int:
        """Messages waiting (not those scheduled for later); raises when the queue cannot be reached."""
        return int(self.huey.pending_count())

    def _run(self, event_id: int) -> None:
        if self._process is None:
            raise RuntimeError("this process enqueues events but does not consume them")
        self._process(event_id)
