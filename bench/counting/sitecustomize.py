"""SQL counting for benchmarks, in every Python process started with this directory on PYTHONPATH and
FIELDBRIDGE_BENCH_COUNTS set to a directory: the process counts the transactions it begins and the statements
it sends (transaction control aside: BEGIN, COMMIT, ROLLBACK, SAVEPOINT) through any SQLAlchemy engine, and
writes them to `<directory>/<pid>.json` four times a second and at exit.

Each transaction is put down to what began it, from the code on the stack at its BEGIN: `processing` when
the consumer or the worker (`fieldbridge/jobs/consumer.py`, `worker.py`) is on it, else `other` for the
sweeper and the reconciler, else `receiving` for the HTTP doors and the inbox's accept path (`web/`,
`jobs/intake.py`, `store/inbox.py`), else `other` (lease renewals, migrations); its statements count where it
does. Nothing
in the product changes: the listeners are SQLAlchemy's own engine events, installed on every engine.
"""

from __future__ import annotations

import os

if os.environ.get("FIELDBRIDGE_BENCH_COUNTS"):
    import atexit
    import json
    import sys
    import threading
    from collections import Counter
    from pathlib import Path
    from typing import Any

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    _FILE = Path(os.environ["FIELDBRIDGE_BENCH_COUNTS"]) / f"{os.getpid()}.json"
    _CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    _counts: Counter[str] = Counter()
    _lock = threading.Lock()

    _KINDS = (  # the first kind whose code is anywhere on the stack wins
        ("processing", ("fieldbridge/jobs/worker.py", "fieldbridge/jobs/consumer.py")),
        ("other", ("fieldbridge/jobs/sweeper.py", "fieldbridge/sync/reconcile.py")),
        ("receiving", ("fieldbridge/web/", "fieldbridge/jobs/intake.py", "fieldbridge/store/inbox.py")),
    )

    def _kind() -> str:
        names = []
        frame = sys._getframe(2)
        while frame is not None:
            names.append(frame.f_code.co_filename)
            frame = frame.f_back  # type: ignore[assignment]
        for kind, markers in _KINDS:
            if any(marker in name for name in names for marker in markers):
                return kind
        return "other"

    @event.listens_for(Engine, "begin")
    def _begin(connection: Any) -> None:
        kind = _kind()
        connection.info["bench_kind"] = kind
        with _lock:
            _counts[f"{kind}.transactions"] += 1

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip()[:9].upper().startswith(_CONTROL):
            return
        kind = connection.info.get("bench_kind", "other")
        with _lock:
            _counts[f"{kind}.statements"] += 1

    def _write() -> None:
        with _lock:
            counts = dict(_counts)
        temporary = _FILE.with_suffix(".tmp")
        temporary.write_text(json.dumps({"pid": os.getpid(), "argv": sys.argv, "counts": counts}))
        temporary.replace(_FILE)

    def _keep_writing() -> None:
        stop = threading.Event()
        while not stop.wait(0.25):
            _write()

    threading.Thread(target=_keep_writing, name="bench-sql-counts", daemon=True).start()
    atexit.register(_write)
