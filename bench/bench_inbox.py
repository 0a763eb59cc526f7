"""The inbox's hot scans on SQLite as the inbox grows: the worker's `next_waiting` (a pair's next claimable
event) and the sweeper's `overdue` (rows that should be in the queue but may not be), each in one of the
product's own transactions, at 11,000 and at 250,000 rows of a realistic mix (nearly all finished, a few
waiting), median of 30 calls each. Flat with size means the indexes fit the queries."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.figures import figure, size
from bench.node import Deployment
from fieldbridge.store import processing
from fieldbridge.store.database import open_database
from fieldbridge.store.tables import InboxEvent

ROW = "inbox scans"
PAIR = [("autotask", "Ticket", 7001), ("fieldnation", "workorder", 90001)]
GOAL_MS = 2.0
CALLS = 30


def _rows(connector_id: int, first: int, count: int, now: datetime) -> list[dict[str, Any]]:
    """Events `first`.. of a busy inbox (`busy_event`), over 2,000 tickets, one every 2 s."""
    return [
        busy_event(
            connector_id,
            n,
            ("autotask", "Ticket", 7000 + n % 2000),
            now - timedelta(seconds=(first + count - n) * 2),
            now,
        )
        for n in range(first, first + count)
    ]


def busy_event(
    connector_id: int, n: int, record: tuple[str, str, int], received: datetime, now: datetime
) -> dict[str, Any]:
    """The `n`th event of a busy inbox, about `record` (system, entity, id): 1 in 2,000 waiting in the queue,
    1 in 1,000 retrying (due later), 1 in 500 dead, 1 in 50 skipped, the rest done."""
    status = (
        "queued"
        if n % 2000 == 0
        else "retrying"
        if n % 1000 == 1
        else "dead"
        if n % 500 == 2
        else "skipped"
        if n % 50 == 3
        else "done"
    )
    system, entity, record_id = record
    return {
        "connector_id": connector_id,
        "source": "autotask-webhook" if system == "autotask" else "fieldnation-webhook",
        "system": system,
        "entity": entity,
        "record_id": record_id,
        "payload": None,
        "dedup_key": f"bench:{n}",
        "status": status,
        "attempts": 1,
        "received_at": received,
        "enqueued_at": received,
        "next_attempt_at": now + timedelta(hours=1) if status == "retrying" else None,
        "finished_at": received + timedelta(seconds=1) if status in ("done", "skipped", "dead") else None,
        "last_error": "boom" if status in ("retrying", "dead") else None,
    }


def _median_ms(call: Any) -> float:
    costs = []
    for _ in range(CALLS):
        started = time.perf_counter()
        call()
        costs.append(time.perf_counter() - started)
    return statistics.median(costs) * 1000


def run() -> list[dict[str, Any]]:
    sizes = [int(size("inbox_small", 11_000, 11_000)), int(size("inbox_large", 250_000, 50_000))]
    found = []
    with tempfile.TemporaryDirectory(prefix="fieldbridge-bench-inbox-") as directory:
        deployment = Deployment(Path(directory))
        deployment.add_connector()
        db = open_database(deployment.product_settings())
        try:
            with db.transaction() as session:
                connector_id = int(session.execute(text("SELECT min(id) FROM connectors")).scalar_one())
            now = datetime.now(UTC)
            held = 0
            for rows in sizes:
                with db.engine.begin() as connection:
                    for chunk in range(held, rows, 10_000):
                        connection.execute(
                            insert(InboxEvent), _rows(connector_id, chunk, min(10_000, rows - chunk), now)
                        )
                held = rows

                def next_waiting() -> None:
                    with db.transaction() as session:
                        processing.next_waiting(session, connector_id, PAIR, now)

                def overdue() -> None:
                    with db.transaction() as session:
                        processing.overdue(session, now, timedelta(seconds=10), timedelta(seconds=900))

                for name, call in (("next_waiting", next_waiting), ("overdue (sweeper)", overdue)):
                    ms = _median_ms(call)
                    found.append(
                        figure(
                            ROW, f"{name} at {rows:,} rows", ms, "ms", f"<= {GOAL_MS:g}, flat", ms <= GOAL_MS
                        )
                    )
        finally:
            db.dispose()
    return found
