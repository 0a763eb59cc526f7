"""Scaling out on PostgreSQL + Redis: `serve` (receiving only) and 1, then 2 `fieldbridge worker`s of
one thread each, with 50 ms of latency injected into every Autotask call so that Autotask's answers, not
our CPU, set the pace: the speed-up from one worker to two on the same no-op events. Then 4 workers with
their default threads, more than Autotask's 3 concurrent requests per endpoint between them: the 429s
Autotask answered.

Needs PostgreSQL and Redis: BENCH_POSTGRES_URL (default: FIELDBRIDGE_TEST_POSTGRES_URL, else the local
server's `fieldbridge_bench` database; a schema of its own is made and dropped) and BENCH_REDIS_URL (default
redis://127.0.0.1:6379/11; a queue name of its own, the keys the run made deleted after).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import redis
from sqlalchemy import create_engine, make_url, text

from bench.figures import figure, size
from bench.node import Broker, Deployment, calls_between, emulators, set_up, start_serve, start_worker
from bench.procs import Processes, load_average, processes, run_load

ROW = "1 -> 2 workers, PostgreSQL + Redis"
LATENCY_SECONDS = 0.05
POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get(
        "FIELDBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/fieldbridge_bench"
    ),
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A new schema in the database `url` names (made if missing), as a URL whose connections use it."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        ).scalar():
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@contextmanager
def redis_queue(url: str) -> Iterator[str]:
    """A queue name of its own on the Redis at `url`; every key made meanwhile (the queue's, and what the
    workers share there, such as Autotask's request counts) is deleted afterwards, so runs do not add up."""
    name = f"fieldbridge_bench_{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(url)
    before = set(client.scan_iter())
    try:
        yield name
    finally:
        for key in set(client.scan_iter()) - before:
            client.delete(key)
        client.close()


def run() -> list[dict[str, Any]]:
    events = int(size("worker_events", 300, 80))
    with (
        postgres_schema(POSTGRES) as database_url,
        redis_queue(REDIS) as queue_name,
        processes("workers") as procs,
        emulators(procs) as sims,
    ):
        deployment = Deployment(
            procs.directory, database_url=database_url, queue_url=REDIS, settings={"queue_name": queue_name}
        )
        broker = set_up(procs, deployment, sims, start_serve(procs, deployment))
        _link_pairs(procs, broker, int(size("worker_pairs", 24, 16)))
        sims.autotask_sim.post(
            "/_sim/faults", json={"kind": "latency", "seconds": LATENCY_SECONDS, "path": "/v1\\.0/"}
        ).raise_for_status()
        one = _drain(procs, broker, workers=1, threads=1, events=events, start=1_000_000)
        two = _drain(procs, broker, workers=2, threads=1, events=events, start=2_000_000)
        four = _drain(procs, broker, workers=4, threads=None, events=events, start=3_000_000)
    speedup = two["per_second"] / one["per_second"] if one["per_second"] else 0.0
    refused = four["refused"]
    return [
        figure(
            ROW,
            "speed-up, 1 -> 2 workers (1 thread each, 50 ms Autotask latency)",
            speedup,
            "x",
            ">= 1.8",
            speedup >= 1.8,
            one=one,
            two=two,
        ),
        figure(ROW, "events/s, 1 worker", one["per_second"], "events/s"),
        figure(ROW, "events/s, 2 workers", two["per_second"], "events/s"),
        figure(
            ROW,
            "Autotask 429s with 4 workers (default threads)",
            refused,
            "answers",
            "0",
            refused == 0,
            four=four,
        ),
    ]


def _link_pairs(procs: Processes, broker: Broker, count: int) -> None:
    """`count` tickets imported (each becomes a work order) by one worker, which then stops."""
    worker = start_worker(procs, broker.deployment)
    top = broker.inbox()["max_id"]
    open_tickets = [t["id"] for t in broker.sims.records("Tickets") if not t.get("completedDate")]
    for ticket in open_tickets[:count]:
        broker.admin.post(broker.connector_path("/import"), json={"ticket_id": ticket}).raise_for_status()
    broker.settle(top, timeout=600)
    procs.stop(worker)


def _drain(
    procs: Processes, broker: Broker, *, workers: int, threads: int | None, events: int, start: int
) -> dict[str, Any]:
    """Start the workers, post `events` no-op webhooks for the linked tickets, wait until every event is
    finished, stop the workers: events per second from the first received to the last finished."""
    started = [start_worker(procs, broker.deployment, threads) for _ in range(workers)]
    before, top = broker.sims.calls(), broker.inbox()["max_id"]
    bodies = {
        "kind": "webhook",
        "ids": broker.linked_tickets(),
        "secret": broker.webhook_secret,
        "start": start,
    }
    posted = run_load(
        {
            "url": broker.scene.trigger_url,
            "mode": "closed",
            "connections": 16,
            "seconds": 600,
            "limit": events,
            "bodies": bodies,
        }
    )
    broker.settle(top, timeout=900)
    n, span = broker.batch(top)
    calls = calls_between(before, broker.sims.calls())
    for worker in started:
        procs.stop(worker)
    return {
        "events": n,
        "per_second": n / span if span else 0.0,
        "refused": sum(k for route, k in calls["autotask"]["routes"].items() if "429" in route),
        "failed": broker.failures(top),
        "calls": calls,
        "accepted_per_second": posted["accepted_per_second"],
        "load": load_average(),
    }
